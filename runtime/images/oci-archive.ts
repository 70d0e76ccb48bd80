// Read an OCI image layout archive (a tar of oci-layout, index.json, blobs/...).
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { sanitizeEntryName } from './layer-unpack.js';
import { ImageIndex } from './oci.js';

/** Extract the regular files of an archive into dest (which must be empty); nothing else is created. */
export async function extractLayoutArchive(archive: string, dest: string): Promise<void> {
  const head = Buffer.alloc(2);
  const fh = await open(archive, 'r');
  try {
    await fh.read(head, 0, 2, 0);
  } finally {
    await fh.close();
  }
  const gz = head[0] === 0x1f && head[1] === 0x8b;
  const ex = extract();
  const consume = (async () => {
    for await (const entry of ex) {
      const rel = sanitizeEntryName(entry.header.name);
      if (entry.header.type !== 'file' || rel === '') {
        entry.resume();
        continue;
      }
      const path = join(dest, rel);
      await mkdir(dirname(path), { recursive: true });
      await pipeline(entry, createWriteStream(path, { flags: 'wx' }));
    }
  })();
  const fed = gz ? pipeline(createReadStream(archive), createGunzip(), ex) : pipeline(createReadStream(archive), ex);
  const [a, b] = await Promise.allSettled([fed, consume]);
  if (b.status === 'rejected') throw b.reason;
  if (a.status === 'rejected') throw a.reason;
}

export async function readLayoutIndex(dir: string): Promise<ImageIndex> {
  let text: string;
  try {
    text = await readFile(join(dir, 'index.json'), 'utf8');
  } catch {
    throw new Error('not an OCI image layout: index.json missing');
  }
  return ImageIndex.parse(JSON.parse(text));
}

export function layoutBlobPath(dir: string, digest: string): string {
  return join(dir, 'blobs', ...digest.split(':'));
}
