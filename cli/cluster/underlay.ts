/**
 * The netns "machines" of `tkube up --nodes N`: a control-plane namespace holding a
 * bridge (the underlay L2 network, like a switch between VMs) and one namespace per node,
 * each wired to the bridge with a veth pair and given its own address. Nothing is put in
 * the root network namespace. See host-objects.ts for the names.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import {
  CP_NETNS,
  MAX_NODES,
  NODE_UNDERLAY_IF,
  UNDERLAY_BRIDGE,
  UNDERLAY_GATEWAY,
  UNDERLAY_PREFIX_LENGTH,
  nodeAddress,
  nodeNetns,
  underlayPort,
} from './host-objects.js';

const run = promisify(execFile);

async function ip(...args: string[]): Promise<void> {
  try {
    await run('ip', args);
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new Error(`ip ${args.join(' ')}: ${stderr || (err as Error).message}`);
  }
}

export interface UnderlayNode {
  index: number;
  netns: string;
  address: string;
  interface: string;
}

export interface Underlay {
  cpNetns: string;
  gateway: string;
  nodes: UnderlayNode[];
}

/** Names of existing network namespaces. */
export function listNetns(): string[] {
  try {
    return readdirSync('/run/netns');
  } catch {
    return [];
  }
}

/** Removes the namespaces of a previous run (their links go with them). Absent ones are fine. */
export async function removeUnderlay(): Promise<string[]> {
  const ours = new Set([CP_NETNS, ...Array.from({ length: MAX_NODES }, (_, i) => nodeNetns(i + 1))]);
  const removed: string[] = [];
  for (const ns of listNetns().filter((n) => ours.has(n))) {
    await run('ip', ['netns', 'del', ns]).catch(() => undefined);
    removed.push(ns);
  }
  return removed;
}

export async function createUnderlay(count: number): Promise<Underlay> {
  await removeUnderlay();
  await ip('netns', 'add', CP_NETNS);
  await ip('-n', CP_NETNS, 'link', 'set', 'lo', 'up');
  await ip('-n', CP_NETNS, 'link', 'add', UNDERLAY_BRIDGE, 'type', 'bridge');
  await ip('-n', CP_NETNS, 'addr', 'add', `${UNDERLAY_GATEWAY}/${UNDERLAY_PREFIX_LENGTH}`, 'dev', UNDERLAY_BRIDGE);
  await ip('-n', CP_NETNS, 'link', 'set', UNDERLAY_BRIDGE, 'up');
  const nodes: UnderlayNode[] = [];
  for (let i = 1; i <= count; i++) {
    const netns = nodeNetns(i);
    const address = nodeAddress(i);
    await ip('netns', 'add', netns);
    await ip('-n', netns, 'link', 'set', 'lo', 'up');
    await ip('-n', CP_NETNS, 'link', 'add', underlayPort(i), 'type', 'veth', 'peer', 'name', NODE_UNDERLAY_IF, 'netns', netns);
    await ip('-n', CP_NETNS, 'link', 'set', underlayPort(i), 'master', UNDERLAY_BRIDGE, 'up');
    await ip('-n', netns, 'addr', 'add', `${address}/${UNDERLAY_PREFIX_LENGTH}`, 'dev', NODE_UNDERLAY_IF);
    await ip('-n', netns, 'link', 'set', NODE_UNDERLAY_IF, 'up');
    nodes.push({ index: i, netns, address, interface: NODE_UNDERLAY_IF });
  }
  return { cpNetns: CP_NETNS, gateway: UNDERLAY_GATEWAY, nodes };
}
