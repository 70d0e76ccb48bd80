/**
 * iptables leftovers of tkube's pods: the per-attachment chains of tkube-bridge
 * (TKUBE-MASQ-*) and of the reference bridge's ipMasq and portmap (CNI-*), found by
 * the `id: "<sandbox id>"` comment the plugins put on every rule they add; and
 * portmap's shared CNI-HOSTPORT-* chains once no port mapping is left in them.
 * The plan is computed from `iptables-save` text (pure, tested), then applied with
 * one `iptables-restore --noflush` per table.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const TABLES = ['nat', 'filter', 'mangle'] as const;
const OWNED_CHAIN = /^(CNI-|TKUBE-)/;
const PORTMAP_SHARED = ['CNI-HOSTPORT-DNAT', 'CNI-HOSTPORT-SETMARK', 'CNI-HOSTPORT-MASQ'];

interface Rule {
  chain: string;
  line: string;
  target?: string;
}

function parseSave(text: string): { chains: string[]; rules: Rule[] } {
  const chains: string[] = [];
  const rules: Rule[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith(':')) chains.push(line.slice(1).split(' ')[0]!);
    else if (line.startsWith('-A ')) {
      const chain = line.split(' ')[1]!;
      const target = /\s-[jg] (\S+)/.exec(line)?.[1];
      rules.push({ chain, line, target });
    }
  }
  return { chains, rules };
}

export interface TablePlan {
  /** `-D ...` lines: rules to delete, verbatim from iptables-save. */
  deleteRules: string[];
  /** Chains to flush and delete. */
  deleteChains: string[];
}

/** What to remove from one table, given its `iptables-save -t <table>` and the ids of the home's sandboxes. */
export function planTable(saveText: string, ids: Set<string>): TablePlan {
  const { chains, rules } = parseSave(saveText);
  const tagged = (r: Rule): boolean => [...r.line.matchAll(/id: \\?"([0-9a-f]+)\\?"/g)].some((m) => ids.has(m[1]!));
  const doomed = new Set<string>();
  for (const r of rules) {
    if (!tagged(r)) continue;
    if (r.target && OWNED_CHAIN.test(r.target)) doomed.add(r.target);
    if (OWNED_CHAIN.test(r.chain) && !PORTMAP_SHARED.includes(r.chain) && rules.filter((x) => x.chain === r.chain).every(tagged)) doomed.add(r.chain);
  }
  for (const c of PORTMAP_SHARED) doomed.delete(c);
  // portmap's shared chains stay while any port mapping is left in its DNAT chain.
  const remainingDnat = rules.filter((r) => r.chain === 'CNI-HOSTPORT-DNAT' && !tagged(r) && !(r.target && doomed.has(r.target)));
  // Only when this home had pods: an idle set of them may be another CNI user's.
  if (ids.size > 0 && chains.includes('CNI-HOSTPORT-DNAT') && remainingDnat.length === 0) for (const c of PORTMAP_SHARED) if (chains.includes(c)) doomed.add(c);
  const deleteRules = rules
    .filter((r) => !doomed.has(r.chain) && (tagged(r) || (r.target !== undefined && doomed.has(r.target))))
    .map((r) => `-D ${r.line.slice(3)}`);
  return { deleteRules, deleteChains: chains.filter((c) => doomed.has(c)) };
}

function restore(input: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('iptables-restore', ['-w', '--noflush'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`iptables-restore: ${err.trim()}`))));
    child.stdin.end(input);
  });
}

/** Removes the home's rules and chains; returns "table/chain" of each chain removed and "table: rule" of each lone rule. */
export async function removeIptablesLeftovers(ids: Set<string>): Promise<string[]> {
  const removed: string[] = [];
  for (const table of TABLES) {
    const { stdout } = await run('iptables-save', ['-t', table]).catch(() => ({ stdout: '' }));
    const plan = planTable(stdout, ids);
    if (plan.deleteRules.length === 0 && plan.deleteChains.length === 0) continue;
    const lines = [`*${table}`, ...plan.deleteRules, ...plan.deleteChains.map((c) => `-F ${c}`), ...plan.deleteChains.map((c) => `-X ${c}`), 'COMMIT', ''];
    await restore(lines.join('\n'));
    removed.push(...plan.deleteChains.map((c) => `${table}/${c}`));
    if (plan.deleteChains.length === 0) removed.push(`${table}: ${plan.deleteRules.length} rule(s)`);
  }
  return removed;
}

/** Chain names (table/chain) that look like tkube's or the CNI plugins': for snapshots and reports. */
export async function ownedLookingChains(): Promise<string[]> {
  const out: string[] = [];
  for (const table of TABLES) {
    const { stdout } = await run('iptables-save', ['-t', table]).catch(() => ({ stdout: '' }));
    for (const c of parseSave(stdout).chains) if (OWNED_CHAIN.test(c)) out.push(`${table}/${c}`);
  }
  return out;
}
