// What the runtime needs from the image store (runtime/images/store.ts). Declared
// structurally so the runtime compiles and is testable on its own; the real
// ImageStore class satisfies it.
export interface ImageConfig {
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  workingDir?: string;
  user?: string;
  stopSignal?: string;
}

export interface ImageRecord {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
  config: ImageConfig;
  layers: string[];
}

export interface RegistryAuth {
  username?: string;
  password?: string;
  auth?: string;
  identityToken?: string;
  registryToken?: string;
}

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
