/**
 * tkube-bridge: a CNI plugin (spec 0.3.0-1.1.0) attaching a pod to a Linux bridge
 * with an address from the node's pod CIDR. Exec'd once per pod operation, so start-up
 * matters: only the module of the command at hand is loaded, and VERSION answers
 * before anything else (zod included) is.
 */
import type { PluginHandlers } from '../spec/skel.js';

const command = process.env['CNI_COMMAND'];
if (command === 'VERSION') {
  const { versionInfo } = await import('../spec/version.js');
  process.stdout.write(JSON.stringify(versionInfo()) + '\n');
} else {
  const notLoaded = async (): Promise<never> => {
    throw new Error(`handler for ${command ?? '(none)'} not loaded`);
  };
  const handlers: PluginHandlers = { add: notLoaded, del: notLoaded, check: notLoaded };
  if (command === 'ADD') handlers.add = (await import('./add.js')).cmdAdd;
  if (command === 'DEL') handlers.del = (await import('./del.js')).cmdDel;
  if (command === 'CHECK') handlers.check = (await import('./check.js')).cmdCheck;
  if (command === 'STATUS' || command === 'GC') {
    const m = await import('./status-gc.js');
    handlers.status = m.cmdStatus;
    handlers.gc = m.cmdGc;
  }
  const { runPlugin } = await import('../spec/skel.js');
  process.exitCode = await runPlugin(handlers);
}
