// Build OCI images from in-memory layer descriptions: used by tests that need images
// with particular content (whiteouts, hardlinks, ...). The shipped images are built by
// build.sh from host files.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack, type Header } from 'tar-stream';

export interface LayerEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'fifo';
  content?: string | Buffer;
  mode?: number;
  uid?: number;
  gid?: number;
  linkname?: string;
  mtime?: Date;
}

export interface BuiltLayer {
  /** the blob as stored (gzip or plain tar) */
  blob: Buffer;
  digest: string;
  diffId: string;
  mediaType: string;
}

export interface ImageSpec {
  layers: LayerEntry[][];
  gzip?: boolean;
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  workingDir?: string;
  user?: string;
  labels?: Record<string, string>;
  /** org.opencontainers.image.ref.name annotation of the manifest in index.json */
  refName?: string;
}

export interface BuiltImage {
  manifestDigest: string;
  configDigest: string;
  layers: BuiltLayer[];
  blobs: Map<string, Buffer>;
  index: Buffer;
}

const EPOCH = new Date(0);

export function sha256(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export async function tarEntries(entries: LayerEntry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of p) chunks.push(c as Buffer);
  })();
  for (const e of entries) {
    const type = e.type ?? 'file';
    const header: Header = {
      name: e.name,
      type,
      mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644),
      uid: e.uid ?? 0,
      gid: e.gid ?? 0,
      mtime: e.mtime ?? EPOCH,
      size: 0,
      linkname: e.linkname ?? '',
      uname: '',
      gname: '',
      devmajor: 0,
      devminor: 0,
    };
    if (type === 'file') p.entry(header, e.content ?? '');
    else p.entry(header);
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

export async function buildLayer(entries: LayerEntry[], gzip = true): Promise<BuiltLayer> {
  const tar = await tarEntries(entries);
  const blob = gzip ? gzipSync(tar) : tar;
  return {
    blob,
    digest: sha256(blob),
    diffId: sha256(tar),
    mediaType: gzip ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.oci.image.layer.v1.tar',
  };
}

export async function buildImage(spec: ImageSpec): Promise<BuiltImage> {
  const layers: BuiltLayer[] = [];
  for (const l of spec.layers) layers.push(await buildLayer(l, spec.gzip ?? true));
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {
        ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
        ...(spec.cmd ? { Cmd: spec.cmd } : {}),
        Env: spec.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
        ...(spec.workingDir ? { WorkingDir: spec.workingDir } : {}),
        ...(spec.user ? { User: spec.user } : {}),
        ...(spec.labels ? { Labels: spec.labels } : {}),
      },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    }),
  );
  const configDigest = sha256(config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.blob.length })),
    }),
  );
  const manifestDigest = sha256(manifest);
  const blobs = new Map<string, Buffer>([
    [configDigest, config],
    [manifestDigest, manifest],
    ...layers.map((l): [string, Buffer] => [l.digest, l.blob]),
  ]);
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: manifestDigest,
          size: manifest.length,
          platform: { architecture: 'amd64', os: 'linux' },
          ...(spec.refName ? { annotations: { 'org.opencontainers.image.ref.name': spec.refName } } : {}),
        },
      ],
    }),
  );
  return { manifestDigest, configDigest, layers, blobs, index };
}

/** Write an OCI image layout directory (oci-layout, index.json, blobs/sha256/...). */
export async function writeOciLayout(dir: string, image: BuiltImage): Promise<void> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(join(dir, 'index.json'), image.index);
  for (const [digest, data] of image.blobs) await writeFile(join(dir, 'blobs', 'sha256', digest.slice(7)), data);
}

/** Tar a layout directory into an OCI archive (what `skopeo copy ... oci-archive:` reads). */
export async function tarDirectory(dir: string, out: string): Promise<void> {
  const files: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const name of (await readdir(d)).sort()) {
      const full = join(d, name);
      if ((await stat(full)).isDirectory()) await walk(full);
      else files.push(full);
    }
  };
  await walk(dir);
  await writeFile(out, await tarEntries(await Promise.all(files.map(async (f) => ({ name: relative(dir, f), content: await readFile(f) })))));
}
