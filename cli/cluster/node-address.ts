/** The address this machine uses to reach the control plane: the default --node-ip of `tkube join`. */
import { execFile } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { promisify } from 'node:util';
import { defaultNodeIP } from '../cmd-kubelet.js';

const run = promisify(execFile);

/** The `src` of `ip route get` output ("10.213.0.1 dev eth0 src 10.213.0.11 uid 0"). */
export function routeSource(output: string): string | undefined {
  return / src (\d+\.\d+\.\d+\.\d+)/.exec(output)?.[1];
}

export async function addressTowards(server: string): Promise<string> {
  try {
    const host = new URL(server).hostname;
    const { address } = await lookup(host, { family: 4 });
    const { stdout } = await run('ip', ['-4', 'route', 'get', address]);
    return routeSource(stdout) ?? defaultNodeIP();
  } catch {
    return defaultNodeIP();
  }
}
