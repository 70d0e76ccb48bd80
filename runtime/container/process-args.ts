// The container's argv, env and cwd from the CRI config and the image config,
// as Kubernetes defines it: `command` replaces the image Entrypoint and drops its
// Cmd; `args` replaces Cmd.
import type { ImageConfig } from '../image-source.js';
import type { KeyValue } from '../cri/types.js';

export function resolveArgs(command: string[], args: string[], image: ImageConfig): string[] {
  if (command.length > 0) return [...command, ...args];
  const entrypoint = image.entrypoint ?? [];
  const cmd = args.length > 0 ? args : (image.cmd ?? []);
  return [...entrypoint, ...cmd];
}

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Image env first, then the CRI envs overriding by name; PATH defaulted when absent. */
export function resolveEnv(image: ImageConfig, envs: KeyValue[], hostname: string): string[] {
  const order: string[] = [];
  const values = new Map<string, string>();
  const set = (k: string, v: string): void => {
    if (!values.has(k)) order.push(k);
    values.set(k, v);
  };
  const [pathKey, pathValue] = DEFAULT_PATH.split(/=(.*)/s) as [string, string];
  set(pathKey, pathValue);
  if (hostname) set('HOSTNAME', hostname);
  for (const e of image.env ?? []) {
    const i = e.indexOf('=');
    if (i > 0) set(e.slice(0, i), e.slice(i + 1));
  }
  for (const kv of envs) set(kv.key, kv.value);
  return order.map((k) => `${k}=${values.get(k) ?? ''}`);
}
