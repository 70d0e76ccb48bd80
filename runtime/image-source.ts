// What the runtime needs from the image store (runtime/images/image-store.ts), as an
// interface so the runtime can be tested with a small local store; the real ImageStore
// class satisfies it. The record types are the image store's own.
import type { ImageRecord, RegistryAuth } from './images/types.js';

export type { ImageConfig, ImageRecord, RegistryAuth } from './images/types.js';

export interface ImageFsUsage { mountpoint: string; usedBytes: number; inodesUsed: number }

export interface RuntimeImageStore {
  pull(ref: string, auth?: RegistryAuth): Promise<ImageRecord>;
  list(): Promise<ImageRecord[]>;
  status(refOrId: string): Promise<ImageRecord | undefined>;
  remove(refOrId: string): Promise<void>;
  /** Unpacked layer directories, top layer first (overlayfs lowerdir order). */
  layerDirs(imageId: string): Promise<string[]>;
  fsInfo(): Promise<ImageFsUsage>;
}
