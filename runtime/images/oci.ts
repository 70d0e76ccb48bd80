// Schemas of the OCI image-spec / Docker schema2 documents the store reads.
import { z } from 'zod';
import type { ImageConfig } from './types.js';

export const MediaTypes = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

export const MANIFEST_ACCEPT = [MediaTypes.ociIndex, MediaTypes.ociManifest, MediaTypes.dockerList, MediaTypes.dockerManifest].join(', ');

export const DigestString = z.string().regex(/^sha256:[a-f0-9]{64}$/, 'expected a sha256 digest');

export const Platform = z.object({
  architecture: z.string(),
  os: z.string(),
  variant: z.string().optional(),
});

export const Descriptor = z.object({
  mediaType: z.string(),
  digest: DigestString,
  size: z.number().int().nonnegative(),
  urls: z.array(z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  platform: Platform.optional(),
});
export type Descriptor = z.infer<typeof Descriptor>;

export const ImageIndex = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(Descriptor),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type ImageIndex = z.infer<typeof ImageIndex>;

export const ImageManifest = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: Descriptor,
  layers: z.array(Descriptor),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type ImageManifest = z.infer<typeof ImageManifest>;

const ContainerConfig = z
  .object({
    User: z.string().optional(),
    ExposedPorts: z.record(z.string(), z.unknown()).nullish(),
    Env: z.array(z.string()).nullish(),
    Entrypoint: z.array(z.string()).nullish(),
    Cmd: z.array(z.string()).nullish(),
    WorkingDir: z.string().optional(),
    Labels: z.record(z.string(), z.string()).nullish(),
    StopSignal: z.string().optional(),
  })
  .loose();

export const ImageConfigDocument = z
  .object({
    architecture: z.string().optional(),
    os: z.string().optional(),
    config: ContainerConfig.nullish(),
    rootfs: z.object({ type: z.literal('layers'), diff_ids: z.array(DigestString) }),
  })
  .loose();
export type ImageConfigDocument = z.infer<typeof ImageConfigDocument>;

export type ParsedManifest = { kind: 'index'; index: ImageIndex } | { kind: 'manifest'; manifest: ImageManifest };

/** Classify a manifest body by its media type (header or body) and validate it. */
export function parseManifest(body: Buffer, contentType?: string): ParsedManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    throw new Error('manifest is not valid JSON');
  }
  const declared = (doc as { mediaType?: unknown }).mediaType;
  const mediaType = typeof declared === 'string' ? declared : (contentType ?? '').split(';')[0]!.trim();
  const isIndex =
    mediaType === MediaTypes.ociIndex ||
    mediaType === MediaTypes.dockerList ||
    (mediaType === '' && Array.isArray((doc as { manifests?: unknown }).manifests));
  if (isIndex) return { kind: 'index', index: ImageIndex.parse(doc) };
  if (mediaType === MediaTypes.ociManifest || mediaType === MediaTypes.dockerManifest || mediaType === '') {
    return { kind: 'manifest', manifest: ImageManifest.parse(doc) };
  }
  throw new Error(`unsupported manifest media type "${mediaType}"`);
}

/** Pick the linux/amd64 manifest of an index (the only platform tkube runs). */
export function selectPlatform(index: ImageIndex, os = 'linux', architecture = 'amd64'): Descriptor {
  const found = index.manifests.find((m) => m.platform?.os === os && m.platform.architecture === architecture);
  if (found) return found;
  // An index without platform fields (e.g. a single-image OCI layout) has one usable entry.
  const unlabeled = index.manifests.filter((m) => m.platform === undefined);
  if (unlabeled.length === 1 && index.manifests.length === 1) return unlabeled[0]!;
  throw new Error(`no ${os}/${architecture} image in the index`);
}

export function toImageConfig(doc: ImageConfigDocument): ImageConfig {
  const c = doc.config ?? {};
  const out: ImageConfig = {};
  if (c.Entrypoint) out.entrypoint = c.Entrypoint;
  if (c.Cmd) out.cmd = c.Cmd;
  if (c.Env) out.env = c.Env;
  if (c.WorkingDir) out.workingDir = c.WorkingDir;
  if (c.User) out.user = c.User;
  if (c.ExposedPorts) out.exposedPorts = Object.keys(c.ExposedPorts).sort();
  if (c.Labels) out.labels = c.Labels;
  if (c.StopSignal) out.stopSignal = c.StopSignal;
  return out;
}
