// The runtime's persistent records. Everything needed to recover after a restart
// lives here, one JSON file per sandbox and per container.
import { z } from 'zod';
import type { ContainerConfig, PodSandboxConfig } from '../cri/types.js';

export const SandboxRecordSchema = z.object({
  id: z.string(),
  config: z.custom<PodSandboxConfig>((v) => typeof v === 'object' && v !== null),
  runtimeHandler: z.string(),
  createdAt: z.number(),
  state: z.enum(['ready', 'notready']),
  hostNetwork: z.boolean(),
  netnsName: z.string().optional(),
  netnsPath: z.string().optional(),
  /** CNI ADD succeeded and no DEL has happened since. */
  networkAttached: z.boolean(),
  ip: z.string(),
  additionalIps: z.array(z.string()),
  pausePid: z.number(),
  /** The pod cgroup, relative to the cgroup mount root(s). */
  podCgroup: z.string(),
  /** True when the runtime created podCgroup itself and so must remove it. */
  ownsPodCgroup: z.boolean(),
  rootfsMounted: z.boolean(),
  /** The pod's /dev/shm (a tmpfs under the sandbox dir), shared like its IPC namespace. */
  shmPath: z.string().default(''),
});
export type SandboxRecord = z.infer<typeof SandboxRecordSchema>;

export const ContainerStateSchema = z.enum(['created', 'running', 'exited', 'unknown']);
export type ContainerRecordState = z.infer<typeof ContainerStateSchema>;

export const ContainerRecordSchema = z.object({
  id: z.string(),
  sandboxId: z.string(),
  config: z.custom<ContainerConfig>((v) => typeof v === 'object' && v !== null),
  imageId: z.string(),
  imageRef: z.string(),
  createdAt: z.number(),
  startedAt: z.number(),
  finishedAt: z.number(),
  exitCode: z.number(),
  reason: z.string(),
  message: z.string(),
  state: ContainerStateSchema,
  pid: z.number(),
  logPath: z.string(),
  cgroupPath: z.string(),
  stopSignal: z.string(),
  rootfsMounted: z.boolean(),
});
export type ContainerRecord = z.infer<typeof ContainerRecordSchema>;
