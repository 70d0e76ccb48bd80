// The image store behind the runtime's CRI ImageService: pulls from registries,
// imports OCI archives, keeps unpacked layers for overlayfs, and garbage-collects
// layers no image needs.
//
// Layout under root:
//   blobs/sha256/<hex>   manifests, indexes and configs (layer blobs only while unpacking)
//   layers/<diffID hex>  unpacked layers, overlay-ready; present ⇔ complete
//   tmp/                 work in progress; emptied at start-up
//   images.json          the image records
import { createReadStream } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { BlobStore, DigestMismatchError, hexOf, sha256Digest, verifyBuffer } from './blob-store.js';
import { tempName } from './fs-util.js';
import { ImageDb, toRecord, type StoredImage } from './image-db.js';
import { unpackLayer } from './layer-unpack.js';
import { Mutex, SingleFlight } from './mutex.js';
import { extractLayoutArchive, layoutBlobPath, readLayoutIndex } from './oci-archive.js';
import { ImageConfigDocument, parseManifest, selectPlatform, toImageConfig, type Descriptor, type ImageManifest } from './oci.js';
import { digestName, normalizeReference, tagName, type ImageReference } from './reference.js';
import { RegistryClient } from './registry-client.js';
import type { ImageRecord, RegistryAuth } from './types.js';

export { normalizeReference } from './reference.js';
export type { ImageConfig, ImageRecord, RegistryAuth } from './types.js';

export class ImageNotFoundError extends Error {
  constructor(ref: string) {
    super(`image "${ref}" not found`);
    this.name = 'ImageNotFoundError';
  }
}

/** Where the blobs of one image come from: a registry or an unpacked OCI layout. */
interface BlobSource {
  buffer(desc: Descriptor): Promise<Buffer>;
  stream(desc: Descriptor): Promise<Readable>;
}

interface Names {
  repoTags: string[];
  repoDigests: string[];
  /** manifest/index blobs to keep with the image */
  blobs: string[];
}

interface StoredContent {
  manifestDigest: string;
  configDigest: string;
  config: ImageConfigDocument;
  diffIds: string[];
  size: number;
}

export interface ImageStoreOptions {
  root: string;
  insecureRegistries?: string[];
  logger?: Logger;
}

export class ImageStore {
  private readonly root: string;
  private readonly blobs: BlobStore;
  private readonly db: ImageDb;
  private readonly client: RegistryClient;
  private readonly logger: Logger | undefined;
  private readonly lock = new Mutex();
  private readonly pulls = new SingleFlight<ImageRecord>();
  private readonly layerFlights = new SingleFlight<void>();
  /** digests (layers and blobs) in use by pulls/imports in progress: gc keeps them */
  private readonly pins = new Map<string, number>();
  private readyPromise: Promise<void> | undefined;

  constructor(opts: ImageStoreOptions) {
    this.root = opts.root;
    this.logger = opts.logger?.child({ component: 'image-store' });
    this.blobs = new BlobStore(join(this.root, 'blobs'), this.tmpDir);
    this.db = new ImageDb(join(this.root, 'images.json'));
    this.client = new RegistryClient({ ...(opts.insecureRegistries ? { insecureRegistries: opts.insecureRegistries } : {}), ...(this.logger ? { logger: this.logger } : {}) });
  }

  private get tmpDir(): string {
    return join(this.root, 'tmp');
  }

  private get layersDir(): string {
    return join(this.root, 'layers');
  }

  private ready(): Promise<void> {
    this.readyPromise ??= (async () => {
      await mkdir(this.layersDir, { recursive: true });
      // Whatever a crashed run left in tmp was never renamed into place: drop it.
      await rm(this.tmpDir, { recursive: true, force: true });
      await mkdir(this.tmpDir, { recursive: true });
      await this.db.load();
    })();
    return this.readyPromise;
  }

  layerPath(diffId: string): string {
    return join(this.layersDir, hexOf(diffId));
  }

  // ---- pull ------------------------------------------------------------------

  async pull(ref: string, auth?: RegistryAuth): Promise<ImageRecord> {
    await this.ready();
    const r = normalizeReference(ref);
    return this.pulls.do(r.canonical, () => this.doPull(r, auth));
  }

  private async doPull(r: ImageReference, auth?: RegistryAuth): Promise<ImageRecord> {
    const log = this.logger?.child({ image: r.canonical });
    log?.info('pulling image');
    const started = Date.now();
    const top = await this.client.getManifest(r, r.digest ?? r.tag!, auth);
    const topDigest = sha256Digest(top.body);
    if (r.digest && topDigest !== r.digest) throw new DigestMismatchError(r.digest, topDigest, 'manifest');

    let manifestBody = top.body;
    let manifestDigest = topDigest;
    let parsed = parseManifest(top.body, top.contentType);
    if (parsed.kind === 'index') {
      const desc = selectPlatform(parsed.index);
      const m = await this.client.getManifest(r, desc.digest, auth);
      verifyBuffer(desc.digest, m.body, 'manifest');
      manifestBody = m.body;
      manifestDigest = desc.digest;
      parsed = parseManifest(m.body, m.contentType);
    }
    if (parsed.kind !== 'manifest') throw new Error(`${r.canonical}: nested image index is not supported`);
    const manifest = parsed.manifest;
    const source: BlobSource = {
      buffer: (d) => this.client.getBlobBuffer(r, d.digest, auth),
      stream: (d) => this.client.getBlobStream(r, d.digest, auth),
    };
    const keep = [...new Set([topDigest, manifestDigest])];
    const record = await this.withPins(keep, async () => {
      await this.blobs.putBuffer(topDigest, top.body);
      if (manifestDigest !== topDigest) await this.blobs.putBuffer(manifestDigest, manifestBody);
      const tag = tagName(r);
      return this.storeImage(manifest, manifestDigest, source, { repoTags: tag ? [tag] : [], repoDigests: [digestName(r, topDigest)], blobs: keep });
    });
    log?.info({ id: record.id, ms: Date.now() - started }, 'pulled image');
    return record;
  }

  // ---- import ----------------------------------------------------------------

  async importArchive(path: string, tag?: string): Promise<ImageRecord[]> {
    await this.ready();
    const work = tempName(this.tmpDir, 'import');
    await mkdir(work);
    try {
      await extractLayoutArchive(path, work);
      const index = await readLayoutIndex(work);
      const source: BlobSource = {
        buffer: (d) => readFile(layoutBlobPath(work, d.digest)),
        stream: async (d) => createReadStream(layoutBlobPath(work, d.digest)),
      };
      // One image per index entry, skipping other platforms of a multi-platform layout.
      const entries = index.manifests.filter((d) => !d.platform || (d.platform.os === 'linux' && d.platform.architecture === 'amd64'));
      if (entries.length === 0) throw new Error(`${path}: no linux/amd64 image in the archive`);
      if (tag !== undefined && entries.length !== 1) throw new Error(`${path}: holds ${entries.length} images; cannot apply one tag`);
      const out: ImageRecord[] = [];
      for (const entry of entries) {
        const name = tag !== undefined ? normalizeReference(tag) : nameFromAnnotations(entry.annotations);
        out.push(await this.importEntry(entry, source, name));
      }
      return out;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  private async importEntry(entry: Descriptor, source: BlobSource, name: ImageReference | undefined): Promise<ImageRecord> {
    let desc = entry;
    let body = await source.buffer(desc);
    verifyBuffer(desc.digest, body, 'manifest');
    const topDigest = desc.digest;
    let parsed = parseManifest(body, desc.mediaType);
    const keep = [topDigest];
    const topBody = body;
    if (parsed.kind === 'index') {
      desc = selectPlatform(parsed.index);
      body = await source.buffer(desc);
      verifyBuffer(desc.digest, body, 'manifest');
      parsed = parseManifest(body, desc.mediaType);
      if (parsed.kind !== 'manifest') throw new Error('nested image index is not supported');
      keep.push(desc.digest);
    }
    const manifest = parsed.manifest;
    return this.withPins(keep, async () => {
      await this.blobs.putBuffer(topDigest, topBody);
      if (desc.digest !== topDigest) await this.blobs.putBuffer(desc.digest, body);
      const tag = name ? tagName(name) : undefined;
      return this.storeImage(manifest, desc.digest, source, {
        repoTags: tag ? [tag] : [],
        repoDigests: name ? [digestName(name, topDigest)] : [],
        blobs: keep,
      });
    });
  }

  // ---- shared pull/import steps -------------------------------------------------

  /**
   * Fetch and verify the config, make sure every layer is unpacked, then record the
   * image. Everything stays pinned until the record exists, so a concurrent remove()
   * cannot collect the new layers.
   */
  private async storeImage(manifest: ImageManifest, manifestDigest: string, source: BlobSource, names: Names): Promise<ImageRecord> {
    const configDigest = manifest.config.digest;
    let configBody: Buffer;
    if (await this.blobs.has(configDigest)) configBody = await this.blobs.get(configDigest);
    else {
      configBody = await source.buffer(manifest.config);
      verifyBuffer(configDigest, configBody, 'config');
    }
    const config = ImageConfigDocument.parse(JSON.parse(configBody.toString('utf8')));
    const diffIds = config.rootfs.diff_ids;
    if (diffIds.length !== manifest.layers.length) {
      throw new Error(`manifest ${manifestDigest} has ${manifest.layers.length} layers but its config lists ${diffIds.length}`);
    }
    return this.withPins([configDigest, ...diffIds], async () => {
      await this.blobs.putBuffer(configDigest, configBody);
      // Layers in parallel, a few at a time (shared 2-core machines, big layers).
      const queue = manifest.layers.map((desc, i) => ({ desc, diffId: diffIds[i]! }));
      const workers = Array.from({ length: Math.min(3, queue.length) }, async () => {
        for (let job = queue.shift(); job; job = queue.shift()) {
          const { desc, diffId } = job;
          await this.ensureLayer(desc, diffId, source);
        }
      });
      await Promise.all(workers);
      const size = configBody.length + manifest.layers.reduce((n, l) => n + l.size, 0);
      return this.commit({ manifestDigest, configDigest, config, diffIds, size }, names);
    });
  }

  /** Download (verified), unpack into tmp, check the diffID, rename into place. */
  private async ensureLayer(desc: Descriptor, diffId: string, source: BlobSource): Promise<void> {
    const final = this.layerPath(diffId);
    if (await exists(final)) return;
    await this.layerFlights.do(diffId, async () => {
      if (await exists(final)) return;
      const log = this.logger?.child({ layer: desc.digest, diffId });
      const blobPath = await this.blobs.put(desc.digest, await source.stream(desc), desc.size);
      const work = tempName(this.tmpDir, 'layer');
      try {
        const { diffId: actual } = await unpackLayer(blobPath, work, log);
        if (actual !== diffId) throw new DigestMismatchError(diffId, actual, 'layer diffID');
        try {
          await rename(work, final);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err; // someone else completed it
        }
        log?.debug('layer unpacked');
      } finally {
        await rm(work, { recursive: true, force: true });
        await this.blobs.delete(desc.digest);
      }
    });
  }

  private async commit(content: StoredContent, names: Names): Promise<ImageRecord> {
    const stored: StoredImage = {
      id: content.configDigest,
      repoTags: names.repoTags,
      repoDigests: names.repoDigests,
      size: content.size,
      config: toImageConfig(content.config),
      layers: content.diffIds,
      blobs: [...new Set([...names.blobs, content.manifestDigest, content.configDigest])],
    };
    return this.lock.run(async () => toRecord(await this.db.upsert(stored)));
  }

  private async withPins<T>(digests: string[], fn: () => Promise<T>): Promise<T> {
    for (const d of digests) this.pins.set(d, (this.pins.get(d) ?? 0) + 1);
    try {
      return await fn();
    } finally {
      for (const d of digests) {
        const n = (this.pins.get(d) ?? 1) - 1;
        if (n <= 0) this.pins.delete(d);
        else this.pins.set(d, n);
      }
    }
  }

  // ---- queries ---------------------------------------------------------------

  async list(): Promise<ImageRecord[]> {
    await this.ready();
    return this.db.all().map(toRecord);
  }

  async status(refOrId: string): Promise<ImageRecord | undefined> {
    await this.ready();
    const found = this.db.resolve(refOrId);
    return found ? toRecord(found.image) : undefined;
  }

  /** Unpacked layer directories of an image, top first (overlayfs lowerdir order). */
  async layerDirs(imageId: string): Promise<string[]> {
    await this.ready();
    const found = this.db.resolve(imageId);
    if (!found) throw new ImageNotFoundError(imageId);
    return [...found.image.layers].reverse().map((d) => this.layerPath(d));
  }

  /**
   * Remove a reference. By tag: only that tag goes when the image has others;
   * otherwise (or by id/digest) the image goes. Unknown images are not an error
   * (CRI RemoveImage is idempotent). Layers and blobs no image needs are deleted.
   */
  async remove(refOrId: string): Promise<void> {
    await this.ready();
    await this.lock.run(async () => {
      const found = this.db.resolve(refOrId);
      if (!found) return;
      if (found.tag !== undefined && found.image.repoTags.length > 1) await this.db.untag(found.image.id, found.tag);
      else await this.db.delete(found.image.id);
      await this.gc();
    });
  }

  /** Called under the lock. */
  private async gc(): Promise<void> {
    const liveLayers = new Set<string>();
    const liveBlobs = new Set<string>([...this.pins.keys()]);
    for (const img of this.db.all()) {
      img.layers.forEach((l) => liveLayers.add(hexOf(l)));
      img.blobs.forEach((b) => liveBlobs.add(b));
    }
    for (const d of this.pins.keys()) if (d.startsWith('sha256:')) liveLayers.add(hexOf(d));
    for (const name of await readdir(this.layersDir)) {
      if (liveLayers.has(name)) continue;
      // Rename first so a half-deleted layer is never visible under its final name.
      const doomed = tempName(this.tmpDir, 'gc');
      await rename(join(this.layersDir, name), doomed);
      await rm(doomed, { recursive: true, force: true });
      this.logger?.info({ diffId: `sha256:${name}` }, 'layer removed');
    }
    for (const blob of await this.blobs.list()) if (!liveBlobs.has(blob)) await this.blobs.delete(blob);
  }

  async fsInfo(): Promise<{ mountpoint: string; usedBytes: number; inodesUsed: number }> {
    await this.ready();
    const seen = new Set<number>();
    let usedBytes = 0;
    let inodesUsed = 0;
    const walk = async (dir: string): Promise<void> => {
      for (const ent of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
        const full = join(dir, ent.name);
        const st = await lstat(full).catch(() => undefined);
        if (!st || seen.has(st.ino)) continue;
        seen.add(st.ino);
        inodesUsed++;
        usedBytes += st.blocks * 512;
        if (st.isDirectory()) await walk(full);
      }
    };
    await walk(this.root);
    return { mountpoint: this.root, usedBytes, inodesUsed };
  }
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/** The image name an OCI layout records for a manifest, if it is a full name. */
function nameFromAnnotations(annotations: Record<string, string> | undefined): ImageReference | undefined {
  for (const key of ['io.containerd.image.name', 'org.opencontainers.image.ref.name']) {
    const v = annotations?.[key];
    // A bare ref.name like "1.36" is only a tag within the layout, not an image name.
    if (v && (v.includes('/') || v.includes(':'))) {
      try {
        return normalizeReference(v);
      } catch {
        continue;
      }
    }
  }
  return undefined;
}
