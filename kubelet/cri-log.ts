/**
 * Reading CRI log files ("<RFC3339Nano> <stdout|stderr> <P|F> <text>" per line) the
 * way `kubectl logs` expects them: the prefix stripped, partial lines joined,
 * optionally the timestamp kept, sinceSeconds/sinceTime and tailLines applied, and a
 * follow mode that tails the file until the container exits or the client leaves.
 */
import { promises as fs } from 'node:fs';

export interface LogLine {
  time: string;
  stream: 'stdout' | 'stderr';
  /** F = full line (a newline follows), P = partial. */
  full: boolean;
  text: string;
}

export function parseCriLine(line: string): LogLine | undefined {
  const m = /^(\S+) (stdout|stderr) ([PF]) ?(.*)$/.exec(line);
  if (!m) return undefined;
  return { time: m[1]!, stream: m[2] as LogLine['stream'], full: m[3] === 'F', text: m[4]! };
}

export interface LogOptions {
  timestamps?: boolean;
  tailLines?: number;
  /** Only lines at or after this time (ms since epoch). */
  sinceMs?: number;
  limitBytes?: number;
}

/** Nanosecond RFC 3339 → ms since epoch. */
function timeMs(t: string): number {
  return Date.parse(t.replace(/\.(\d{3})\d*/, '.$1'));
}

export function formatLine(l: LogLine, o: LogOptions): string {
  return `${o.timestamps ? `${l.time} ` : ''}${l.text}${l.full ? '\n' : ''}`;
}

/** The whole (filtered) content of a log file, as kubectl logs prints it. */
export function renderLog(content: string, o: LogOptions): string {
  let lines = content.split('\n').filter(Boolean).map(parseCriLine).filter((l): l is LogLine => l !== undefined);
  if (o.sinceMs !== undefined) lines = lines.filter((l) => timeMs(l.time) >= o.sinceMs!);
  if (o.tailLines !== undefined) {
    // tailLines counts full lines: find where the last N full lines start.
    let full = 0;
    let start = lines.length;
    for (let i = lines.length - 1; i >= 0; i--) {
      if (lines[i]!.full) {
        if (full === o.tailLines) break;
        full++;
      }
      start = i;
    }
    if (o.tailLines === 0) start = lines.length;
    lines = lines.slice(start);
  }
  let out = lines.map((l) => formatLine(l, o)).join('');
  if (o.limitBytes !== undefined) out = out.slice(0, o.limitBytes);
  return out;
}

/**
 * Writes the log so far then keeps writing what is appended, until stillRunning()
 * turns false (checked every poll) or the signal aborts.
 */
export async function followLog(
  file: string, o: LogOptions, write: (s: string) => void, stillRunning: () => Promise<boolean>, signal: AbortSignal,
): Promise<void> {
  // Read through one open handle: when the pod is torn down the file may be unlinked right
  // after the container's last words, and an open handle still reads them.
  const fh = await fs.open(file, 'r').catch(() => undefined);
  if (!fh) return;
  try {
    let offset = 0;
    let pending = '';
    let first = true;
    // Once the container has stopped, read one last time: its last lines may have been
    // written between our last read and the status check.
    let lastPass = false;
    for (;;) {
      if (signal.aborted) return;
      const { size } = await fh.stat();
      if (size > offset) {
        const buf = Buffer.alloc(size - offset);
        const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
        offset += bytesRead;
        pending += buf.subarray(0, bytesRead).toString('utf8');
        // Hold back an unterminated last line until it is complete.
        const nl = pending.lastIndexOf('\n') + 1;
        if (nl > 0) {
          const complete = pending.slice(0, nl);
          pending = pending.slice(nl);
          if (first) {
            write(renderLog(complete, o)); // tail/since/limit apply to what existed at the start
          } else {
            const lines = complete.split('\n').filter(Boolean).map(parseCriLine).filter((l): l is LogLine => l !== undefined);
            write(lines.map((l) => formatLine(l, o)).join(''));
          }
        }
        first = false;
        continue;
      }
      first = false;
      if (lastPass) return;
      if (!(await stillRunning())) {
        lastPass = true;
        continue;
      }
      await new Promise<void>((r) => {
        const onAbort = () => {
          clearTimeout(t);
          r();
        };
        const t = setTimeout(() => {
          signal.removeEventListener('abort', onAbort);
          r();
        }, 200);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    }
  } finally {
    await fh.close();
  }
}
