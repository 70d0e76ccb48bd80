/**
 * Writes a set of files into a volume directory the way Kubernetes' AtomicWriter does:
 * the payload goes into a fresh timestamped dir, `..data` is a symlink to it swapped
 * with rename(2), and each top-level name is a symlink through `..data`. Readers see
 * the old or the new set, never a mix.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface FileProjection {
  data: Buffer | string;
  mode: number;
}

function validRelative(p: string): boolean {
  return !path.isAbsolute(p) && !p.split('/').some((s) => s === '..' || s === '') && !p.startsWith('..');
}

export async function writeAtomic(dir: string, files: Map<string, FileProjection>): Promise<boolean> {
  await fs.mkdir(dir, { recursive: true });
  const dataLink = path.join(dir, '..data');
  const oldTarget = await fs.readlink(dataLink).catch(() => undefined);
  if (oldTarget && (await sameContent(path.join(dir, oldTarget), files))) return false;
  const stamp = `..${new Date().toISOString().replace(/[-:]/g, '_').replace('T', '_')}.${process.hrtime.bigint() % 1_000_000n}`;
  const tsDir = path.join(dir, stamp);
  await fs.mkdir(tsDir, { mode: 0o755 });
  for (const [rel, f] of files) {
    if (!validRelative(rel)) throw new Error(`invalid file path ${rel}`);
    const full = path.join(tsDir, rel);
    await fs.mkdir(path.dirname(full), { recursive: true });
    await fs.writeFile(full, f.data);
    await fs.chmod(full, f.mode);
  }
  const tmpLink = path.join(dir, '..data_tmp');
  await fs.rm(tmpLink, { force: true });
  await fs.symlink(stamp, tmpLink);
  await fs.rename(tmpLink, dataLink);
  const tops = new Set([...files.keys()].map((p) => p.split('/')[0]!));
  for (const top of tops) {
    const link = path.join(dir, top);
    const cur = await fs.readlink(link).catch(() => undefined);
    if (cur !== path.join('..data', top)) {
      await fs.rm(link, { recursive: true, force: true });
      await fs.symlink(path.join('..data', top), link);
    }
  }
  for (const entry of await fs.readdir(dir)) {
    if (entry.startsWith('..')) {
      if (entry !== '..data' && entry !== stamp) await fs.rm(path.join(dir, entry), { recursive: true, force: true });
    } else if (!tops.has(entry)) {
      await fs.rm(path.join(dir, entry), { recursive: true, force: true });
    }
  }
  return true;
}

async function sameContent(dir: string, files: Map<string, FileProjection>): Promise<boolean> {
  for (const [rel, f] of files) {
    const full = path.join(dir, rel);
    const [cur, st] = await Promise.all([fs.readFile(full).catch(() => undefined), fs.stat(full).catch(() => undefined)]);
    if (!cur || !st || !cur.equals(Buffer.from(f.data)) || (st.mode & 0o7777) !== f.mode) return false;
  }
  const count = async (d: string): Promise<number> => {
    let n = 0;
    for (const e of await fs.readdir(d, { withFileTypes: true })) n += e.isDirectory() ? await count(path.join(d, e.name)) : 1;
    return n;
  };
  return (await count(dir).catch(() => -1)) === files.size;
}
