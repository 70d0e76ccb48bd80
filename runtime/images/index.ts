// The image store used by the CRI runtime's ImageService.
export { ImageStore, ImageNotFoundError, type ImageStoreOptions } from './image-store.js';
export { normalizeReference, InvalidReferenceError, type ImageReference } from './reference.js';
export { DigestMismatchError } from './blob-store.js';
export { RegistryError } from './registry-client.js';
export { RegistryAuthError } from './registry-auth.js';
export { UnsafeLayerError } from './layer-unpack.js';
export type { ImageConfig, ImageRecord, RegistryAuth } from './types.js';
