/**
 * How to run `ip` inside a network namespace given as a path: `ip -n <name>` when the
 * path is one of iproute2's named namespaces (no extra exec), else via nsenter.
 */
import { basename, dirname } from 'node:path';
import { existsSync } from 'node:fs';

const NAMED_NETNS_DIRS = ['/var/run/netns', '/run/netns'];

/** The command and leading arguments that run `ip` in the namespace at `netnsPath`. */
export function ipInNetns(netnsPath: string): { cmd: string; args: string[] } {
  if (NAMED_NETNS_DIRS.includes(dirname(netnsPath))) {
    return { cmd: 'ip', args: ['-n', basename(netnsPath)] };
  }
  return { cmd: 'nsenter', args: [`--net=${netnsPath}`, '--', 'ip'] };
}

export function netnsExists(netnsPath: string): boolean {
  return netnsPath !== '' && existsSync(netnsPath);
}
