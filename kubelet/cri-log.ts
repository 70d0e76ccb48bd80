/**
 * Reading CRI log files ("<RFC3339Nano> <stdout|stderr> <P|F> <text>" per line) the
 * way `kubectl logs` expects them: the prefix stripped, partial lines joined,
 * optionally the timestamp kept, sinceSeconds/sinceTime and tailLines applied, and a
 * follow mode that tails the file until the container exits or the client leaves.
 */
import { createReadStream, promises as fs } from 'node:fs';

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
  const initial = await fs.readFile(file, 'utf8').catch(() => '');
  // Hold back an unterminated last line until it is complete.
  const cut = initial.lastIndexOf('\n') + 1;
  write(renderLog(initial.slice(0, cut), o));
  let offset = Buffer.byteLength(initial.slice(0, cut));
  let pending = '';
  // Once the container has stopped, read the file one last time: its last lines may have
  // been written between our last read and the status check.
  let lastPass = false;
  for (;;) {
    if (signal.aborted) return;
    const st = await fs.stat(file).catch(() => undefined);
    if (st && st.size < offset) offset = 0; // rotated or truncated
    if (st && st.size > offset) {
      const chunk = await readRange(file, offset, st.size);
      offset = st.size;
      pending += chunk;
      const nl = pending.lastIndexOf('\n') + 1;
      if (nl > 0) {
        const lines = pending.slice(0, nl).split('\n').filter(Boolean).map(parseCriLine).filter((l): l is LogLine => l !== undefined);
        write(lines.map((l) => formatLine(l, o)).join(''));
        pending = pending.slice(nl);
      }
      continue;
    }
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
}

function readRange(file: string, start: number, end: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    createReadStream(file, { start, end: end - 1 })
      .on('data', (b) => chunks.push(b as Buffer))
      .on('end', () => resolve(Buffer.concat(chunks).toString()))
      .on('error', reject);
  });
}
