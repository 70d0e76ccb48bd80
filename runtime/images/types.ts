// The contract between the image store and the CRI runtime (ImageService).

export interface ImageConfig {
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  workingDir?: string;
  user?: string;
  exposedPorts?: string[];
  labels?: Record<string, string>;
  stopSignal?: string;
}

export interface ImageRecord {
  /** 'sha256:<config digest>' */
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
  config: ImageConfig;
  /** diffIDs, bottom → top */
  layers: string[];
}

export interface RegistryAuth {
  username?: string;
  password?: string;
  /** base64 of "user:pass" */
  auth?: string;
  identityToken?: string;
  registryToken?: string;
}
