/**
 * The Kubernetes remote-command websocket protocol (v4/v5.channel.k8s.io): every binary
 * message starts with a channel byte — 0 stdin, 1 stdout, 2 stderr, 3 error (a Status
 * when the command ends), 4 terminal resize; v5 adds 255 "close this channel".
 */
export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const ERROR = 3;
export const RESIZE = 4;
export const CLOSE = 255;

export const SUBPROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

export function frame(channel: number, data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return Buffer.concat([Buffer.from([channel]), body]);
}

export function resizeFrame(width: number, height: number): Buffer {
  return frame(RESIZE, JSON.stringify({ Width: width, Height: height }));
}

export interface ExecOutcome {
  exitCode: number;
  /** A failure that is not the command's own exit code (container not found, ...). */
  error?: string;
}

/** The outcome carried by the error channel's Status (v4+). */
export function outcomeOfStatus(text: string): ExecOutcome {
  let status: { status?: string; reason?: string; message?: string; details?: { causes?: { reason?: string; message?: string }[] } };
  try {
    status = JSON.parse(text) as typeof status;
  } catch {
    return { exitCode: 1, error: text.trim() || 'exec failed' };
  }
  if (status.status === 'Success') return { exitCode: 0 };
  if (status.reason === 'NonZeroExitCode') {
    const cause = (status.details?.causes ?? []).find((c) => c.reason === 'ExitCode');
    const code = Number(cause?.message);
    if (Number.isInteger(code)) return { exitCode: code };
  }
  return { exitCode: 1, error: status.message ?? 'exec failed' };
}
