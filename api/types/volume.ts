/** core/v1 Volume and the volume sources tkube's kubelet understands. */
import { z } from 'zod';
import { Quantity } from './common.js';
import { ObjectFieldSelector, ResourceFieldSelector } from './container.js';

/** 0644, the file mode Kubernetes gives projected files unless told otherwise. */
const DEFAULT_MODE = 0o644;

export const KeyToPath = z.strictObject({
  key: z.string().describe('The key to project.'),
  path: z.string().describe('Relative path of the file to write the value to.'),
  mode: z.number().int().optional(),
});

export const HostPathVolumeSource = z.strictObject({
  path: z.string().describe('Path on the node.'),
  type: z
    .enum(['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'])
    .default('')
    .describe('Check to perform on the path before mounting; empty means none.'),
});

export const EmptyDirVolumeSource = z.strictObject({
  medium: z.enum(['', 'Memory', 'HugePages']).optional().describe('Memory for a tmpfs; empty for node disk.'),
  sizeLimit: Quantity.optional(),
});

export const SecretVolumeSource = z.strictObject({
  secretName: z.string().optional().describe('Name of the Secret in the pod namespace.'),
  items: z.array(KeyToPath).optional(),
  defaultMode: z.number().int().default(DEFAULT_MODE),
  optional: z.boolean().optional(),
});

export const ConfigMapVolumeSource = z.strictObject({
  name: z.string().optional().describe('Name of the ConfigMap in the pod namespace.'),
  items: z.array(KeyToPath).optional(),
  defaultMode: z.number().int().default(DEFAULT_MODE),
  optional: z.boolean().optional(),
});

export const DownwardAPIVolumeFile = z.strictObject({
  path: z.string(),
  fieldRef: ObjectFieldSelector.optional(),
  resourceFieldRef: ResourceFieldSelector.optional(),
  mode: z.number().int().optional(),
});

export const DownwardAPIVolumeSource = z.strictObject({
  items: z.array(DownwardAPIVolumeFile).optional(),
  defaultMode: z.number().int().default(DEFAULT_MODE),
});

const ProjectionItems = {
  items: z.array(KeyToPath).optional(),
  optional: z.boolean().optional(),
};

export const VolumeProjection = z.strictObject({
  secret: z.strictObject({ name: z.string().optional(), ...ProjectionItems }).optional(),
  configMap: z.strictObject({ name: z.string().optional(), ...ProjectionItems }).optional(),
  downwardAPI: z.strictObject({ items: z.array(DownwardAPIVolumeFile).optional() }).optional(),
  serviceAccountToken: z
    .strictObject({
      audience: z.string().optional(),
      expirationSeconds: z.number().int().default(3600),
      path: z.string(),
    })
    .optional(),
  clusterTrustBundle: z
    .strictObject({
      name: z.string().optional(),
      signerName: z.string().optional(),
      labelSelector: z.record(z.string(), z.unknown()).optional(),
      optional: z.boolean().optional(),
      path: z.string(),
    })
    .optional(),
});

export const ProjectedVolumeSource = z.strictObject({
  sources: z.array(VolumeProjection).optional(),
  defaultMode: z.number().int().default(DEFAULT_MODE),
});

export const PersistentVolumeClaimVolumeSource = z.strictObject({
  claimName: z.string(),
  readOnly: z.boolean().optional(),
});

export const NFSVolumeSource = z.strictObject({
  server: z.string(),
  path: z.string(),
  readOnly: z.boolean().optional(),
});

/** The volume source field names; a volume sets exactly one of them. */
export const VOLUME_SOURCES = [
  'hostPath',
  'emptyDir',
  'secret',
  'configMap',
  'downwardAPI',
  'projected',
  'persistentVolumeClaim',
  'nfs',
] as const;

export const Volume = z
  .strictObject({
    name: z.string().describe('Name of the volume, a DNS label unique within the pod.'),
    hostPath: HostPathVolumeSource.optional().describe('A file or directory of the node.'),
    emptyDir: EmptyDirVolumeSource.optional().describe('A directory that lives as long as the pod.'),
    secret: SecretVolumeSource.optional().describe('The keys of a Secret as files.'),
    configMap: ConfigMapVolumeSource.optional().describe('The keys of a ConfigMap as files.'),
    downwardAPI: DownwardAPIVolumeSource.optional().describe('Pod fields as files.'),
    projected: ProjectedVolumeSource.optional().describe('Several sources projected into one directory.'),
    persistentVolumeClaim: PersistentVolumeClaimVolumeSource.optional(),
    nfs: NFSVolumeSource.optional(),
  })
  .describe('A named volume that containers of the pod can mount.');
export type Volume = z.infer<typeof Volume>;
