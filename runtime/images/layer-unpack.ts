// Unpack one image layer (tar, optionally gzip-compressed) into a directory that
// overlayfs can use as a lowerdir. OCI whiteouts are converted to the overlay form:
//   .wh.<name>      → a 0:0 character device <name>
//   .wh..wh..opq    → xattr trusted.overlay.opaque=y on the directory
// Node has neither mknod nor setxattr, so those few special nodes are written by GNU tar
// from a small archive we generate (tar knows how to mknod and set xattrs from PAX headers).
// The diffID (sha256 of the uncompressed tar) is computed on the way.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, chown, lchown, link, lstat, lutimes, mkdir, open, rm, symlink, utimes } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { Logger } from 'pino';
import { extract, pack, type Header } from 'tar-stream';

export class UnsafeLayerError extends Error {
  constructor(entry: string, why: string) {
    super(`unsafe layer entry "${entry}": ${why}`);
    this.name = 'UnsafeLayerError';
  }
}

/** A tar entry's content stream (tar-stream hands out streamx readables). */
type EntryBody = AsyncIterable<unknown> & { resume(): unknown };

interface DirMeta {
  rel: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
}

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';
const isRoot = process.getuid?.() === 0;

/** Normalize a tar entry name to a relative path inside the layer; '' is the layer root. */
export function sanitizeEntryName(name: string): string {
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') throw new UnsafeLayerError(name, 'contains ".."');
    parts.push(part);
  }
  return parts.join('/');
}

async function detectCompression(path: string): Promise<'gzip' | 'none'> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await fh.read(buf, 0, 4, 0);
    if (bytesRead >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) return 'gzip';
    if (bytesRead === 4 && buf.readUInt32LE(0) === 0xfd2fb528) throw new Error('zstd-compressed layers are not supported');
    return 'none';
  } finally {
    await fh.close();
  }
}

class LayerWriter {
  private readonly knownDirs = new Set<string>(['']);
  private readonly dirs = new Map<string, DirMeta>();
  readonly whiteouts = new Set<string>();
  readonly opaque = new Set<string>();

  constructor(
    private readonly root: string,
    private readonly logger?: Logger,
  ) {}

  private abs(rel: string): string {
    return rel === '' ? this.root : join(this.root, rel);
  }

  /** Make sure every parent of rel is a real directory inside the layer (never a symlink). */
  private async ensureParents(rel: string, entry: string): Promise<void> {
    const parts = rel.split('/').slice(0, -1);
    let cur = '';
    for (const part of parts) {
      cur = cur === '' ? part : `${cur}/${part}`;
      if (this.knownDirs.has(cur)) continue;
      const st = await lstat(this.abs(cur)).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return undefined;
        throw e;
      });
      if (st === undefined) await mkdir(this.abs(cur), { mode: 0o755 });
      else if (!st.isDirectory()) throw new UnsafeLayerError(entry, `parent "${cur}" is not a directory`);
      this.knownDirs.add(cur);
    }
  }

  /** Remove whatever is at rel unless it is a directory and a directory is wanted. */
  private async clear(rel: string, keepDir: boolean): Promise<void> {
    const st = await lstat(this.abs(rel)).catch(() => undefined);
    if (st === undefined || (keepDir && st.isDirectory())) return;
    await rm(this.abs(rel), { recursive: true, force: true });
    for (const d of this.knownDirs) if (d === rel || d.startsWith(`${rel}/`)) this.knownDirs.delete(d);
    for (const d of this.dirs.keys()) if (d === rel || d.startsWith(`${rel}/`)) this.dirs.delete(d);
  }

  async entry(header: Header, body: EntryBody): Promise<void> {
    const rel = sanitizeEntryName(header.name);
    const base = posix.basename(rel);
    const parent = rel.includes('/') ? posix.dirname(rel) : '';

    if (base.startsWith(WHITEOUT)) {
      body.resume();
      await this.ensureParents(rel, header.name);
      if (base === OPAQUE) this.opaque.add(parent);
      else if (!base.startsWith(`${WHITEOUT}${WHITEOUT}`)) {
        const target = parent === '' ? base.slice(WHITEOUT.length) : `${parent}/${base.slice(WHITEOUT.length)}`;
        sanitizeEntryName(target);
        this.whiteouts.add(target);
      }
      return;
    }
    if (rel === '') {
      // The layer root itself: remember its metadata, nothing to create.
      body.resume();
      if (header.type === 'directory') this.dirs.set('', this.meta('', header));
      return;
    }

    await this.ensureParents(rel, header.name);
    this.whiteouts.delete(rel);
    const path = this.abs(rel);
    const mode = header.mode & 0o7777;
    switch (header.type) {
      case 'directory': {
        await this.clear(rel, true);
        await mkdir(path, { recursive: true, mode: 0o700 });
        this.knownDirs.add(rel);
        this.dirs.set(rel, this.meta(rel, header));
        body.resume();
        return;
      }
      case 'file':
      case 'contiguous-file': {
        await this.clear(rel, false);
        await pipeline(body, createWriteStream(path, { mode: 0o600, flags: 'wx' }));
        if (isRoot) await chown(path, header.uid, header.gid);
        await chmod(path, mode); // after chown, which clears setuid/setgid bits
        await utimes(path, header.mtime, header.mtime);
        return;
      }
      case 'symlink': {
        body.resume();
        await this.clear(rel, false);
        await symlink(header.linkname, path);
        if (isRoot) await lchown(path, header.uid, header.gid);
        await lutimes(path, header.mtime, header.mtime);
        return;
      }
      case 'link': {
        body.resume();
        const target = sanitizeEntryName(header.linkname);
        const st = await lstat(this.abs(target)).catch(() => undefined);
        if (st === undefined || st.isDirectory()) {
          this.logger?.warn({ entry: rel, target }, 'hardlink target missing from the layer; entry skipped');
          return;
        }
        await this.clear(rel, false);
        await link(this.abs(target), path);
        return;
      }
      default:
        // Device nodes and FIFOs are never created from image content: containers get
        // their /dev from the runtime, and a device node in a layer is a host risk.
        body.resume();
        this.logger?.debug({ entry: rel, type: header.type }, 'special file in layer skipped');
        return;
    }
  }

  private meta(rel: string, h: Header): DirMeta {
    return { rel, mode: h.mode & 0o7777, uid: h.uid, gid: h.gid, mtime: h.mtime };
  }

  /** Write overlay whiteouts and opaque markers with GNU tar (see the file comment). */
  async writeOverlayMarkers(): Promise<void> {
    if (this.whiteouts.size === 0 && this.opaque.size === 0) return;
    const archive = pack();
    for (const rel of this.whiteouts) {
      await this.clear(rel, false);
      archive.entry({ name: rel, type: 'character-device', devmajor: 0, devminor: 0, mode: 0, uid: 0, gid: 0 });
    }
    for (const rel of this.opaque) {
      const st = await lstat(this.abs(rel));
      archive.entry({
        name: rel === '' ? './' : `${rel}/`,
        type: 'directory',
        mode: st.mode & 0o7777,
        uid: st.uid,
        gid: st.gid,
        mtime: st.mtime,
        pax: { 'SCHILY.xattr.trusted.overlay.opaque': 'y' },
      });
    }
    archive.finalize();
    const tar = spawn('tar', ['-x', '-f', '-', '-C', this.root, '--numeric-owner', '--same-permissions', '--xattrs', '--xattrs-include=trusted.overlay.*'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    tar.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number>((resolve, reject) => {
      tar.on('error', reject);
      tar.on('close', (code) => resolve(code ?? -1));
    });
    await pipeline(archive, tar.stdin);
    const code = await exited;
    if (code !== 0) throw new Error(`writing overlay whiteouts failed (tar exit ${code}): ${stderr.trim()}`);
  }

  /** Directory metadata last: creating children changes a directory's mtime. */
  async finishDirs(): Promise<void> {
    const ordered = [...this.dirs.values()].sort((a, b) => b.rel.length - a.rel.length);
    for (const d of ordered) {
      const path = this.abs(d.rel);
      if (isRoot) await lchown(path, d.uid, d.gid);
      await chmod(path, d.mode);
      await utimes(path, d.mtime, d.mtime);
    }
  }
}

/**
 * Unpack the layer blob at blobPath into targetDir (created, must not exist) and return
 * its diffID. On error targetDir may hold partial content: the caller unpacks into a
 * temporary directory and renames it into place only on success.
 */
export async function unpackLayer(blobPath: string, targetDir: string, logger?: Logger): Promise<{ diffId: string }> {
  const compression = await detectCompression(blobPath);
  await mkdir(targetDir, { mode: 0o755 });
  const writer = new LayerWriter(targetDir, logger);
  const hash = createHash('sha256');
  const hasher = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  const ex = extract();
  const consume = (async () => {
    for await (const entry of ex) await writer.entry(entry.header, entry);
  })();
  const source = createReadStream(blobPath);
  const stages = compression === 'gzip' ? pipeline(source, createGunzip(), hasher, ex) : pipeline(source, hasher, ex);
  const [fed, consumed] = await Promise.allSettled([stages, consume]);
  if (consumed.status === 'rejected') {
    ex.destroy();
    throw consumed.reason;
  }
  if (fed.status === 'rejected') throw fed.reason;
  await writer.writeOverlayMarkers();
  await writer.finishDirs();
  return { diffId: `sha256:${hash.digest('hex')}` };
}
