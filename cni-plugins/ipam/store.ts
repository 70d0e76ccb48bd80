/**
 * The on-disk allocation store, in host-local's layout: one file per allocated
 * address in <dataDir>/<network>/, named by the address and holding
 * "<containerId>\r\n<ifName>", plus last_reserved_ip.0 for round-robin allocation.
 * Address files are created with O_EXCL, so two writers can never own the same address.
 */
import { mkdir, open, readFile, readdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseIpv4 } from '../net/cidr.js';
import { withFileLock } from './lock.js';

export interface Allocation {
  ip: string;
  containerId: string;
  ifName: string;
}

const LAST_RESERVED = 'last_reserved_ip.0';
const LOCK = 'tkube.lock';

export class IpStore {
  constructor(readonly dir: string) {}

  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    await mkdir(this.dir, { recursive: true, mode: 0o755 });
    return withFileLock(join(this.dir, LOCK), fn);
  }

  async list(): Promise<Allocation[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: Allocation[] = [];
    await Promise.all(
      names
        .filter((n) => parseIpv4(n) !== undefined)
        .map(async (ip) => {
          // A file released meanwhile is simply gone; any other read error must not make
          // an allocation invisible (DEL would then report success and leak it).
          const text = await readFile(join(this.dir, ip), 'utf8').catch((err: NodeJS.ErrnoException) => {
            if (err.code === 'ENOENT') return undefined;
            throw err;
          });
          if (text === undefined) return;
          const [containerId = '', ifName = ''] = text.split(/\r?\n/);
          out.push({ ip, containerId: containerId.trim(), ifName: ifName.trim() });
        }),
    );
    return out;
  }

  /** Claims `ip` for the container; false when someone already holds it. */
  async reserve(ip: string, containerId: string, ifName: string): Promise<boolean> {
    try {
      const fh = await open(join(this.dir, ip), 'wx', 0o644);
      try {
        await fh.writeFile(`${containerId}\r\n${ifName}`);
      } finally {
        await fh.close();
      }
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
  }

  async release(ip: string): Promise<void> {
    await unlink(join(this.dir, ip)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  async lastReserved(): Promise<string | undefined> {
    const text = await readFile(join(this.dir, LAST_RESERVED), 'utf8').catch(() => undefined);
    return text?.trim() || undefined;
  }

  async setLastReserved(ip: string): Promise<void> {
    await writeFile(join(this.dir, LAST_RESERVED), ip);
  }
}
