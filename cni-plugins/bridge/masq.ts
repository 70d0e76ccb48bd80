/**
 * IP masquerade like the reference bridge plugin: one nat chain per attachment,
 * reached from POSTROUTING by `-s <pod ip>`, that ACCEPTs traffic to the pod subnet
 * and MASQUERADEs everything else except multicast. ADD creates it, DEL removes the
 * jump and the chain, so nothing is left per network once its pods are gone.
 * Both sides are batched into one iptables-restore --noflush call.
 */
import { run, runOk } from '../net/exec.js';

const MULTICAST = '224.0.0.0/4';

export interface MasqSpec {
  chain: string;
  comment: string;
  podIp: string;
  /** The pod subnet in CIDR form. */
  subnet: string;
}

function jumpRule(spec: MasqSpec): string[] {
  return ['-s', `${spec.podIp}/32`, '-j', spec.chain, '-m', 'comment', '--comment', spec.comment];
}

/** Quotes one iptables-restore token (the comment holds spaces and quotes). */
function restoreToken(t: string): string {
  return /^[A-Za-z0-9_./:!-]+$/.test(t) ? t : `"${t.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function restoreLine(args: string[]): string {
  return args.map(restoreToken).join(' ');
}

export async function setupMasq(spec: MasqSpec): Promise<void> {
  // Declaring the chain in a --noflush restore creates it, or flushes it when it
  // exists, so the chain's rules are rewritten idempotently.
  const lines = [
    '*nat',
    `:${spec.chain} - [0:0]`,
    restoreLine(['-A', spec.chain, '-d', spec.subnet, '-j', 'ACCEPT', '-m', 'comment', '--comment', spec.comment]),
    restoreLine(['-A', spec.chain, '!', '-d', MULTICAST, '-j', 'MASQUERADE', '-m', 'comment', '--comment', spec.comment]),
  ];
  const present = await run('iptables', ['-w', '-t', 'nat', '-C', 'POSTROUTING', ...jumpRule(spec)]);
  if (present.code !== 0) lines.push(restoreLine(['-A', 'POSTROUTING', ...jumpRule(spec)]));
  lines.push('COMMIT', '');
  await runOk('iptables-restore', ['-w', '--noflush'], lines.join('\n'));
}

/** Tokenises one `iptables -S` line, honouring the double quotes around comments. */
export function splitRuleLine(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) {
    out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? ''));
  }
  return out;
}

/**
 * Removes the chain and every POSTROUTING jump to it; a no-op when absent. Only
 * POSTROUTING is listed (the nat table may be large); declaring the chain in the restore
 * creates or flushes it, so the `-X` that follows succeeds whether it existed or not.
 */
export async function teardownMasq(chain: string): Promise<void> {
  const rules = (await runOk('iptables', ['-w', '-t', 'nat', '-S', 'POSTROUTING'])).split('\n');
  const lines = ['*nat', `:${chain} - [0:0]`];
  for (const rule of rules) {
    const toks = splitRuleLine(rule);
    if (toks[0] === '-A' && toks.includes('-j') && toks[toks.indexOf('-j') + 1] === chain) {
      lines.push(restoreLine(['-D', ...toks.slice(1)]));
    }
  }
  lines.push(`-X ${chain}`, 'COMMIT', '');
  await runOk('iptables-restore', ['-w', '--noflush'], lines.join('\n'));
}

/** Every TKUBE-MASQ chain whose rules carry this network's comment (for GC). */
export async function masqChainsOfNetwork(network: string): Promise<Map<string, string>> {
  const rules = (await runOk('iptables', ['-w', '-t', 'nat', '-S'])).split('\n');
  const byChain = new Map<string, string>(); // chain -> container id
  const prefix = `name: "${network}" id: "`;
  for (const rule of rules) {
    const toks = splitRuleLine(rule);
    if (toks[0] !== '-A' || !(toks[1] ?? '').startsWith('TKUBE-MASQ-')) continue;
    const comment = toks[toks.indexOf('--comment') + 1] ?? '';
    if (comment.startsWith(prefix)) byChain.set(toks[1] ?? '', comment.slice(prefix.length, -1));
  }
  return byChain;
}
