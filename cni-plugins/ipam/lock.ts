/**
 * A cross-process lock on a directory: a lock file created with O_EXCL holding the
 * owner's pid. Node has no flock(2); a lock whose owner has died (or that is older than
 * STALE_MS) is broken. Breaking has a small race, so callers must not rely on the lock
 * alone for uniqueness: the IP store also creates each address file with O_EXCL.
 */
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { CniError, CniErrorCode } from '../spec/errors.js';

const STALE_MS = 30_000;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function lockIsStale(path: string): Promise<boolean> {
  try {
    const [text, st] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    const pid = Number.parseInt(text, 10);
    if (Date.now() - st.mtimeMs > STALE_MS) return true;
    // An empty file is a lock being written right now, not a dead one.
    return Number.isInteger(pid) && pid > 0 && !pidAlive(pid);
  } catch {
    return false; // vanished meanwhile: just retry
  }
}

async function tryCreate(path: string): Promise<boolean> {
  try {
    const fh = await open(path, 'wx', 0o600);
    try {
      await fh.writeFile(String(process.pid));
    } finally {
      await fh.close();
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs fn holding the lock at `path`; throws CniError 11 (try again later) on timeout. */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = 1;
  while (!(await tryCreate(path))) {
    if (await lockIsStale(path)) {
      await unlink(path).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) {
      throw new CniError(CniErrorCode.TryAgainLater, `timed out waiting for lock ${path}`);
    }
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 25);
  }
  try {
    return await fn();
  } finally {
    await unlink(path).catch(() => undefined);
  }
}
