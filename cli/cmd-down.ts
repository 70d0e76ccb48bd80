/**
 * `tkube down`: removes everything a local cluster put on the host, after a crash as
 * well as after a clean stop (then there is nothing to do). The cluster's objects in
 * etcd's data dir are kept, like `up`'s Ctrl-C keeps them.
 */
import { sweepHome } from './cleanup/sweep.js';
import { tkubeHome } from './cmd-up.js';

export interface DownFlags {
  home?: string;
}

export async function runDown(flags: DownFlags): Promise<void> {
  const home = tkubeHome(flags.home);
  if (process.getuid?.() !== 0) throw new Error('tkube down needs root (it removes network namespaces, mounts, iptables rules and cgroups); run it with sudo');
  console.log(`tkube: removing what the cluster in ${home} left on the host`);
  const warnings: string[] = [];
  const removed = await sweepHome(home, {
    onRemoved: (what) => console.log(`  removed ${what}`),
    onWarning: (what) => {
      warnings.push(what);
      console.log(`  warning: ${what}`);
    },
  });
  if (warnings.length > 0) throw new Error(`${warnings.length} thing(s) could not be removed (see the warnings above)`);
  console.log(removed.length === 0 ? 'tkube: nothing to remove' : `tkube: removed ${removed.length} thing(s); nothing is left`);
}
