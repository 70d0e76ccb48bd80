/**
 * The agent's iptables rules, in chains it owns and reaches by one jump placed first in
 * the built-in chain:
 *
 * filter TKUBE-FORWARD (from FORWARD): accept traffic from and to the cluster CIDR, so a
 *   host whose FORWARD policy is DROP (Docker sets it) still routes pod traffic.
 * nat TKUBE-POSTROUTING (from POSTROUTING): pod → pod (anywhere in the cluster CIDR)
 *   leaves unchanged — ACCEPT, not RETURN, because the bridge CNI plugin's per-pod
 *   masquerade chains further down POSTROUTING would otherwise masquerade traffic to
 *   other nodes' pods; pod → multicast too; pod → anything else is masqueraded.
 */
import type { NetnsHost } from './host.js';

export const FORWARD_CHAIN = 'TKUBE-FORWARD';
export const POSTROUTING_CHAIN = 'TKUBE-POSTROUTING';
const JUMP_COMMENT = 'tkube network-agent';

interface ChainSpec {
  table: 'filter' | 'nat';
  builtin: 'FORWARD' | 'POSTROUTING';
  chain: string;
  /** Rules as `iptables -S` prints them (without the leading `-A <chain>`). */
  rules: string[][];
}

export function chainSpecs(clusterCidr: string): ChainSpec[] {
  return [
    {
      table: 'filter',
      builtin: 'FORWARD',
      chain: FORWARD_CHAIN,
      rules: [
        ['-s', clusterCidr, '-j', 'ACCEPT'],
        ['-d', clusterCidr, '-j', 'ACCEPT'],
      ],
    },
    {
      table: 'nat',
      builtin: 'POSTROUTING',
      chain: POSTROUTING_CHAIN,
      rules: [
        ['-s', clusterCidr, '-d', clusterCidr, '-j', 'ACCEPT'],
        ['-s', clusterCidr, '-d', '224.0.0.0/4', '-j', 'ACCEPT'],
        ['-s', clusterCidr, '!', '-d', clusterCidr, '-j', 'MASQUERADE', '--random-fully'],
      ],
    },
  ];
}

function jumpArgs(spec: ChainSpec): string[] {
  return ['-m', 'comment', '--comment', JUMP_COMMENT, '-j', spec.chain];
}

/** The iptables-restore script that (re)writes a chain: declaring it flushes it. */
export function chainScript(spec: ChainSpec, withJump: boolean): string {
  const lines = [`*${spec.table}`, `:${spec.chain} - [0:0]`];
  for (const r of spec.rules) lines.push(['-A', spec.chain, ...r].join(' '));
  if (withJump) lines.push(['-I', spec.builtin, '1', ...jumpArgs(spec)].map(quoteRestore).join(' '));
  lines.push('COMMIT', '');
  return lines.join('\n');
}

function quoteRestore(t: string): string {
  return /^[A-Za-z0-9_./:!-]+$/.test(t) ? t : `"${t}"`;
}

/** Writes both chains and their jumps, touching nothing that is already right. */
export async function ensureIptablesRules(host: NetnsHost, clusterCidr: string): Promise<void> {
  for (const spec of chainSpecs(clusterCidr)) {
    const hasJump = (await host.iptablesCode(['-t', spec.table, '-C', spec.builtin, ...jumpArgs(spec)])) === 0;
    const current = await host.iptables(['-t', spec.table, '-S', spec.chain]).catch(() => undefined);
    const wanted = spec.rules.map((r) => ['-A', spec.chain, ...r].join(' '));
    const currentRules = current?.split('\n').filter((l) => l.startsWith('-A ')) ?? undefined;
    if (hasJump && currentRules !== undefined && sameLines(currentRules, wanted)) continue;
    await host.iptablesRestore(chainScript(spec, !hasJump));
  }
}

function sameLines(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((l, i) => l.trim() === b[i]);
}

/** Removes the jumps (every copy) and the chains; missing ones are fine. */
export async function removeIptablesRules(host: NetnsHost): Promise<void> {
  for (const spec of chainSpecs('0.0.0.0/0')) {
    for (let i = 0; i < 10; i++) {
      if ((await host.iptablesCode(['-t', spec.table, '-D', spec.builtin, ...jumpArgs(spec)])) !== 0) break;
    }
    if ((await host.iptablesCode(['-t', spec.table, '-F', spec.chain])) === 0) {
      await host.iptablesCode(['-t', spec.table, '-X', spec.chain]);
    }
  }
}
