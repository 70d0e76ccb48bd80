/**
 * CNI spec versions this code speaks, and the comparisons the spec's rules need
 * (CHECK exists from 0.4.0, STATUS and GC from 1.1.0).
 */
import { CniError, CniErrorCode } from './errors.js';

export const SUPPORTED_VERSIONS = ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] as const;
export const LATEST_VERSION = '1.1.0';

/** Compares two dotted versions numerically: negative, zero or positive. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((n) => Number.parseInt(n, 10));
  const pb = b.split('.').map((n) => Number.parseInt(n, 10));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function isSupportedVersion(v: string): boolean {
  return (SUPPORTED_VERSIONS as readonly string[]).includes(v);
}

export function requireSupportedVersion(v: string): void {
  if (!isSupportedVersion(v)) {
    throw new CniError(
      CniErrorCode.IncompatibleVersion,
      `incompatible CNI version ${v}`,
      `supported versions: ${SUPPORTED_VERSIONS.join(', ')}`,
    );
  }
}

/** The VERSION command's answer. */
export function versionInfo(): { cniVersion: string; supportedVersions: string[] } {
  return { cniVersion: LATEST_VERSION, supportedVersions: [...SUPPORTED_VERSIONS] };
}
