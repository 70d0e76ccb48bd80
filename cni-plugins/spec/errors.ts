/**
 * CNI errors as the spec defines them: a plugin that fails prints
 * `{"cniVersion","code","msg","details"}` on stdout and exits non-zero.
 * Codes 1-99 are reserved by the spec; 100+ are plugin-specific.
 */

export const CniErrorCode = {
  IncompatibleVersion: 1,
  UnsupportedField: 2,
  UnknownContainer: 3,
  InvalidEnvironment: 4,
  IoFailure: 5,
  DecodeFailure: 6,
  InvalidNetworkConfig: 7,
  TryAgainLater: 11,
  /** STATUS (1.1.0): the plugin cannot service ADD requests now. */
  PluginNotAvailable: 50,
  /** tkube-specific: an ip/iptables command failed. */
  CommandFailed: 100,
  /** tkube-specific: the address range has no free address. */
  RangeExhausted: 101,
  /** tkube-specific: CHECK found the attachment differs from what ADD made. */
  CheckFailed: 102,
} as const;

export interface CniErrorJson {
  cniVersion: string;
  code: number;
  msg: string;
  details?: string;
}

export class CniError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly details?: string,
  ) {
    super(message);
    this.name = 'CniError';
  }

  toJSON(cniVersion: string): CniErrorJson {
    const out: CniErrorJson = { cniVersion, code: this.code, msg: this.message };
    if (this.details !== undefined && this.details !== '') out.details = this.details;
    return out;
  }
}

/** Wraps anything thrown into a CniError, keeping CniErrors as they are. */
export function toCniError(err: unknown, code: number = CniErrorCode.IoFailure): CniError {
  if (err instanceof CniError) return err;
  if (err instanceof Error) return new CniError(code, err.message);
  return new CniError(code, String(err));
}
