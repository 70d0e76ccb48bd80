// A minimal RuntimeImageStore for runtime tests: images whose single layer is a
// prepared directory (busybox + catatonit), so the tests need no registry.
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { ImageConfig, ImageFsUsage, ImageRecord, RuntimeImageStore } from '../../runtime/image-source.js';

/** Builds a rootfs with /bin/busybox and its applets, /catatonit, /etc/passwd and /etc/group. */
export async function makeBusyboxRootfs(dir: string): Promise<void> {
  for (const d of ['bin', 'sbin', 'etc', 'tmp', 'root', 'home/tk', 'proc', 'sys', 'dev', 'www']) {
    await fs.mkdir(path.join(dir, d), { recursive: true });
  }
  await fs.chmod(path.join(dir, 'tmp'), 0o1777);
  await fs.copyFile('/bin/busybox', path.join(dir, 'bin/busybox'));
  await fs.chmod(path.join(dir, 'bin/busybox'), 0o755);
  await fs.copyFile('/usr/bin/catatonit', path.join(dir, 'catatonit'));
  await fs.chmod(path.join(dir, 'catatonit'), 0o755);
  const applets = execFileSync('/bin/busybox', ['--list']).toString().split('\n').filter((a) => a && a !== 'busybox');
  for (const a of applets) await fs.symlink('busybox', path.join(dir, 'bin', a)).catch(() => undefined);
  await fs.writeFile(path.join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\ntk:x:1000:1000:tk:/home/tk:/bin/sh\n');
  await fs.writeFile(path.join(dir, 'etc/group'), 'root:x:0:\ntk:x:1000:\nextra:x:2000:tk\n');
  await fs.writeFile(path.join(dir, 'www/index.html'), 'hello from tkube\n');
}

export class LocalImageStore implements RuntimeImageStore {
  private readonly images = new Map<string, { rec: ImageRecord; dir: string }>();

  add(ref: string, layerDir: string, config: ImageConfig): ImageRecord {
    const id = `sha256:${createHash('sha256').update(ref + JSON.stringify(config)).digest('hex')}`;
    const rec: ImageRecord = { id, repoTags: [ref], repoDigests: [], size: 1, config, layers: [id] };
    this.images.set(ref, { rec, dir: layerDir });
    return rec;
  }

  private find(refOrId: string): { rec: ImageRecord; dir: string } | undefined {
    return this.images.get(refOrId) ?? [...this.images.values()].find((i) => i.rec.id === refOrId);
  }

  async pull(ref: string): Promise<ImageRecord> {
    const i = this.find(ref);
    if (!i) throw new Error(`no such image ${ref} (local test store)`);
    return i.rec;
  }
  async list(): Promise<ImageRecord[]> {
    return [...this.images.values()].map((i) => i.rec);
  }
  async status(refOrId: string): Promise<ImageRecord | undefined> {
    return this.find(refOrId)?.rec;
  }
  async remove(refOrId: string): Promise<void> {
    const i = this.find(refOrId);
    if (i) for (const [k, v] of this.images) if (v === i) this.images.delete(k);
  }
  async layerDirs(imageId: string): Promise<string[]> {
    const i = this.find(imageId);
    if (!i) throw new Error(`no such image ${imageId}`);
    return [i.dir];
  }
  async fsInfo(): Promise<ImageFsUsage> {
    return { mountpoint: '/', usedBytes: 0, inodesUsed: 0 };
  }
}
