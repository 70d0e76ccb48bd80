// The image metadata database: one JSON file, rewritten atomically on every change.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from './fs-util.js';
import { DigestString } from './oci.js';
import { normalizeReference } from './reference.js';
import type { ImageRecord } from './types.js';

const StoredImage = z.object({
  id: DigestString,
  repoTags: z.array(z.string()),
  repoDigests: z.array(z.string()),
  size: z.number(),
  config: z.object({
    entrypoint: z.array(z.string()).optional(),
    cmd: z.array(z.string()).optional(),
    env: z.array(z.string()).optional(),
    workingDir: z.string().optional(),
    user: z.string().optional(),
    exposedPorts: z.array(z.string()).optional(),
    labels: z.record(z.string(), z.string()).optional(),
    stopSignal: z.string().optional(),
  }),
  layers: z.array(DigestString),
  /** manifest, index and config blobs this image keeps in the blob store */
  blobs: z.array(DigestString),
});
export type StoredImage = z.infer<typeof StoredImage>;

const DbFile = z.object({ version: z.literal(1), images: z.array(StoredImage) });

export function toRecord(s: StoredImage): ImageRecord {
  return {
    id: s.id,
    repoTags: [...s.repoTags],
    repoDigests: [...s.repoDigests],
    size: s.size,
    config: structuredClone(s.config),
    layers: [...s.layers],
  };
}

export class ImageDb {
  private images: StoredImage[] = [];

  constructor(private readonly file: string) {}

  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    this.images = DbFile.parse(JSON.parse(text)).images;
  }

  private async save(): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify({ version: 1, images: this.images }, null, 1));
  }

  all(): StoredImage[] {
    return this.images;
  }

  /** Add or merge an image; its tags move away from any other image (like `docker tag`). */
  async upsert(img: StoredImage): Promise<StoredImage> {
    for (const other of this.images) {
      if (other.id !== img.id) other.repoTags = other.repoTags.filter((t) => !img.repoTags.includes(t));
    }
    const existing = this.images.find((i) => i.id === img.id);
    let result: StoredImage;
    if (existing) {
      existing.repoTags = [...new Set([...existing.repoTags, ...img.repoTags])];
      existing.repoDigests = [...new Set([...existing.repoDigests, ...img.repoDigests])];
      existing.blobs = [...new Set([...existing.blobs, ...img.blobs])];
      result = existing;
    } else {
      this.images.push(img);
      result = img;
    }
    await this.save();
    return result;
  }

  async delete(id: string): Promise<void> {
    this.images = this.images.filter((i) => i.id !== id);
    await this.save();
  }

  async untag(id: string, tag: string): Promise<void> {
    const img = this.images.find((i) => i.id === id);
    if (!img) return;
    img.repoTags = img.repoTags.filter((t) => t !== tag);
    await this.save();
  }

  /**
   * Find an image by full id ('sha256:<hex>' or '<hex>'), by reference (tag or digest,
   * normalized), or by a unique id prefix. Returns how it matched: a tag match lets
   * remove() untag instead of deleting.
   */
  resolve(refOrId: string): { image: StoredImage; tag?: string } | undefined {
    const id = /^[a-f0-9]{64}$/.test(refOrId) ? `sha256:${refOrId}` : refOrId;
    const byId = this.images.find((i) => i.id === id);
    if (byId) return { image: byId };

    let ref: ReturnType<typeof normalizeReference> | undefined;
    try {
      ref = normalizeReference(refOrId);
    } catch {
      ref = undefined;
    }
    if (ref) {
      if (ref.digest) {
        const name = `${ref.registry}/${ref.repository}@${ref.digest}`;
        const byDigest = this.images.find((i) => i.repoDigests.includes(name));
        if (byDigest) return { image: byDigest };
      } else if (ref.tag) {
        const tag = `${ref.registry}/${ref.repository}:${ref.tag}`;
        const byTag = this.images.find((i) => i.repoTags.includes(tag));
        if (byTag) return { image: byTag, tag };
      }
    }

    const prefix = refOrId.startsWith('sha256:') ? refOrId.slice(7) : refOrId;
    if (/^[a-f0-9]{3,63}$/.test(prefix)) {
      const matches = this.images.filter((i) => i.id.slice(7).startsWith(prefix));
      if (matches.length === 1) return { image: matches[0]! };
    }
    return undefined;
  }
}
