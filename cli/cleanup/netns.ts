/** Named network namespaces (`ip netns`): listing and removal. */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);
const NETNS_DIR = '/run/netns';

export function listNetns(): string[] {
  return existsSync(NETNS_DIR) ? readdirSync(NETNS_DIR) : [];
}

/** The namespaces of `up --nodes N`: the control plane's and one per node. */
export function isMultiNodeNetns(name: string): boolean {
  return name === 'tkube-cp' || /^tkube-node-\d+$/.test(name);
}

export async function deleteNetns(name: string): Promise<boolean> {
  if (!listNetns().includes(name)) return false;
  await run('ip', ['netns', 'delete', name]);
  return true;
}
