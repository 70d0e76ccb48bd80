/** Host network links tkube creates outside pod namespaces: the CNI bridge and the multi-node underlay veths. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function listLinks(): Promise<string[]> {
  const { stdout } = await run('ip', ['-o', 'link', 'show']);
  return stdout
    .split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined);
}

/** Links enslaved to a bridge: a bridge with none serves no pod. */
async function bridgePorts(bridge: string): Promise<string[]> {
  const { stdout } = await run('ip', ['-o', 'link', 'show', 'master', bridge]).catch(() => ({ stdout: '' }));
  return stdout.split('\n').filter((l) => l.trim() !== '');
}

export async function deleteBridgeIfUnused(bridge: string): Promise<boolean> {
  if (!(await listLinks()).includes(bridge)) return false;
  if ((await bridgePorts(bridge)).length > 0) return false; // another cluster's pods still use it
  await run('ip', ['link', 'delete', bridge]);
  return true;
}

export async function deleteLink(name: string): Promise<boolean> {
  if (!(await listLinks()).includes(name)) return false;
  await run('ip', ['link', 'delete', name]);
  return true;
}
