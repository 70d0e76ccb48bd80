// Invokes CNI plugins the way libcni does: each plugin of the list in order for ADD
// (chaining prevResult), in reverse for DEL, with the CNI_* environment and the
// runtimeConfig for the capabilities a plugin declares (portMappings for hostPort).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { execFile } from '../util/exec.js';
import type { NetworkConfList, PluginConf } from './cni-config.js';

export interface CniPortMapping { hostPort: number; containerPort: number; protocol: string; hostIP?: string }

export interface CniAttachment {
  containerId: string;
  netnsPath: string;
  ifName: string;
  /** K8S_POD_NAMESPACE etc., passed in CNI_ARGS. */
  args: Record<string, string>;
  portMappings: CniPortMapping[];
}

const CniResultSchema = z.looseObject({
  cniVersion: z.string().optional(),
  ips: z.array(z.looseObject({ address: z.string() })).optional(),
});
export type CniResult = z.infer<typeof CniResultSchema>;

const CniErrorSchema = z.looseObject({ code: z.number(), msg: z.string(), details: z.string().optional() });

export class CniError extends Error {}

export class CniInvoker {
  constructor(private readonly binDirs: string[]) {}

  private findPlugin(type: string): string {
    for (const d of this.binDirs) {
      const p = path.join(d, type);
      if (existsSync(p)) return p;
    }
    throw new CniError(`CNI plugin ${type} not found in ${this.binDirs.join(':')}`);
  }

  private pluginStdin(net: NetworkConfList, plugin: PluginConf, att: CniAttachment, prevResult: unknown): string {
    const conf: Record<string, unknown> = { ...plugin, cniVersion: net.cniVersion, name: net.name };
    delete conf.capabilities;
    if (plugin.capabilities?.portMappings && att.portMappings.length > 0) {
      conf.runtimeConfig = { portMappings: att.portMappings };
    }
    if (prevResult !== undefined) conf.prevResult = prevResult;
    return JSON.stringify(conf);
  }

  private async exec(
    command: 'ADD' | 'DEL' | 'CHECK',
    net: NetworkConfList,
    plugin: PluginConf,
    att: CniAttachment,
    prevResult: unknown,
  ): Promise<unknown> {
    const bin = this.findPlugin(plugin.type);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
      CNI_COMMAND: command,
      CNI_CONTAINERID: att.containerId,
      CNI_NETNS: att.netnsPath,
      CNI_IFNAME: att.ifName,
      CNI_ARGS: Object.entries(att.args)
        .map(([k, v]) => `${k}=${v}`)
        .join(';'),
      CNI_PATH: this.binDirs.join(':'),
    };
    const r = await execFile(bin, [], { env, input: this.pluginStdin(net, plugin, att, prevResult), timeoutMs: 60_000 });
    const out = r.stdout.toString().trim();
    if (r.code !== 0) {
      let msg = out || r.stderr.toString().trim();
      try {
        const e = CniErrorSchema.parse(JSON.parse(out));
        msg = `${e.msg}${e.details ? `: ${e.details}` : ''} (code ${e.code})`;
      } catch {
        /* not CNI error JSON; keep the raw text */
      }
      throw new CniError(`CNI ${command} ${plugin.type}: ${msg}`);
    }
    if (command !== 'ADD' || out === '') return prevResult;
    return JSON.parse(out) as unknown;
  }

  /** ADD through the chain; returns the final result (to be cached for DEL). */
  async add(net: NetworkConfList, att: CniAttachment): Promise<CniResult> {
    let prev: unknown = undefined;
    for (const plugin of net.plugins) {
      prev = await this.exec('ADD', net, plugin, att, prev);
    }
    return CniResultSchema.parse(prev ?? {});
  }

  /** DEL in reverse order; every plugin is tried, the first error is rethrown. */
  async del(net: NetworkConfList, att: CniAttachment, cached: unknown): Promise<void> {
    let first: unknown;
    for (const plugin of [...net.plugins].reverse()) {
      try {
        await this.exec('DEL', net, plugin, att, cached);
      } catch (e) {
        first ??= e;
      }
    }
    if (first) throw first;
  }
}

/** The pod's IPs (without prefix length) from a CNI result, IPv4 first. */
export function podIpsFromResult(result: CniResult): string[] {
  const ips = (result.ips ?? []).map((i) => i.address.split('/')[0] ?? '').filter((s) => s !== '');
  return ips.sort((a, b) => Number(a.includes(':')) - Number(b.includes(':')));
}
