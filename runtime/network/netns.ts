// Named network namespaces, bind-mounted under /run/netns by iproute2.
import { existsSync } from 'node:fs';
import { execFile, run } from '../util/exec.js';

export const NETNS_DIR = '/run/netns';

export function netnsPath(name: string): string {
  return `${NETNS_DIR}/${name}`;
}

/** Creates the namespace; its loopback stays down until setLoopbackUp (CNI may run meanwhile). */
export async function createNetns(name: string): Promise<string> {
  await run('ip', ['netns', 'add', name]);
  return netnsPath(name);
}

/** Pods need a working loopback even when the CNI conflist has no loopback plugin. */
export async function setLoopbackUp(name: string): Promise<void> {
  await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
}

/** Removes the namespace; a namespace that is already gone is not an error. */
export async function deleteNetns(name: string): Promise<void> {
  if (!existsSync(`${NETNS_DIR}/${name}`)) return;
  const r = await execFile('ip', ['netns', 'delete', name]);
  if (r.code !== 0 && existsSync(`${NETNS_DIR}/${name}`)) {
    throw new Error(`ip netns delete ${name}: ${r.stderr.toString().trim()}`);
  }
}
