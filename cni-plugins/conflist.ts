/**
 * Runs a CNI network configuration list (a "conflist") the way libcni does, for the
 * runtime and for tests. Contract:
 *
 *   parseConflist(json: unknown): Conflist            throws CniError code 7 when invalid
 *   execConflist({ conflist, command: 'ADD'|'DEL'|'CHECK', containerId, netns, ifName,
 *                  args?, capabilityArgs?, binDirs, cacheDir?, timeoutMs? })
 *     : Promise<CniResult | undefined>
 *   gcConflist({ conflist, validAttachments: {containerId, ifName}[], binDirs, cacheDir? })
 *     : Promise<void>      DEL of stale cached attachments, then plugin GC (>= 1.1.0)
 *   statusConflist({ conflist, binDirs }): Promise<void>   plugin STATUS (>= 1.1.0)
 *
 * - ADD runs the plugins in order, each receiving the previous one's result as
 *   `prevResult`; returns the last result and caches it in
 *   `<cacheDir>/results/<network>-<containerId>-<ifName>` (cacheDir default /var/lib/cni).
 *   A failed ADD is not rolled back: the caller must run DEL, as with libcni.
 * - DEL runs the plugins in reverse order with the cached result as prevResult (when
 *   cniVersion >= 0.4.0), then removes the cache entry; returns undefined.
 * - CHECK (cniVersion >= 0.4.0, skipped when `disableCheck`) runs the plugins in order
 *   with the cached result; it fails when nothing is cached; returns undefined.
 * - Each plugin gets the conflist's name and cniVersion, and `runtimeConfig` holding
 *   the capabilityArgs it declares in `capabilities` (e.g. portMappings).
 * - Plugins are looked up by `type` in binDirs; CNI_PATH is binDirs; CNI_ARGS is `args`
 *   as K=V;K=V. A plugin failure throws CniError with the plugin's code, msg and details
 *   (a plugin that is missing: code 5; one that prints no error JSON: code 5 with stderr).
 * CniError and the CniResult type are re-exported from here.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { CniError, CniErrorCode } from './spec/errors.js';
import { CniResultSchema, type CniResult } from './spec/result.js';
import type { PluginCommand } from './spec/skel.js';
import { compareVersions } from './spec/version.js';

export { CniError, CniErrorCode } from './spec/errors.js';
export type { CniResult } from './spec/result.js';

const PluginConfSchema = z.looseObject({
  type: z.string().min(1),
  capabilities: z.record(z.string(), z.boolean()).optional(),
});

export const ConflistSchema = z.looseObject({
  cniVersion: z.string().min(1),
  name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/),
  disableCheck: z.boolean().optional(),
  disableGC: z.boolean().optional(),
  plugins: z.array(PluginConfSchema).min(1),
});

export type Conflist = z.infer<typeof ConflistSchema>;
export type PluginConf = z.infer<typeof PluginConfSchema>;
export type ConflistCommand = 'ADD' | 'DEL' | 'CHECK';

export interface ExecConflistOptions {
  conflist: Conflist;
  command: ConflistCommand;
  containerId: string;
  netns: string;
  ifName: string;
  args?: Record<string, string>;
  capabilityArgs?: Record<string, unknown>;
  binDirs: string[];
  cacheDir?: string;
  /** Per plugin exec; default 60 s. */
  timeoutMs?: number;
}

export const DEFAULT_CACHE_DIR = '/var/lib/cni';

const CniErrorJsonSchema = z.looseObject({ code: z.number().int(), msg: z.string(), details: z.string().optional() });

export function parseConflist(json: unknown): Conflist {
  const parsed = ConflistSchema.safeParse(json);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new CniError(CniErrorCode.InvalidNetworkConfig, 'invalid CNI network configuration list', details);
  }
  return parsed.data;
}

function cachePath(o: ExecConflistOptions): string {
  return join(o.cacheDir ?? DEFAULT_CACHE_DIR, 'results', `${o.conflist.name}-${o.containerId}-${o.ifName}`);
}

async function readCachedResult(o: ExecConflistOptions): Promise<CniResult | undefined> {
  const text = await readFile(cachePath(o), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const parsed = CniResultSchema.safeParse((JSON.parse(text) as { result?: unknown }).result);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // a torn cache file is as good as none
  }
}

async function writeCachedResult(o: ExecConflistOptions, result: CniResult): Promise<void> {
  const path = cachePath(o);
  await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
  const entry = {
    kind: 'cniCacheV1',
    containerId: o.containerId,
    ifName: o.ifName,
    networkName: o.conflist.name,
    config: Buffer.from(JSON.stringify(o.conflist)).toString('base64'),
    cniArgs: Object.entries(o.args ?? {}),
    capabilityArgs: o.capabilityArgs ?? {},
    result,
  };
  // Write then rename, so a reader never sees a torn entry.
  await writeFile(`${path}.tmp`, JSON.stringify(entry), { mode: 0o600 });
  await rename(`${path}.tmp`, path);
}

async function findPlugin(type: string, binDirs: string[]): Promise<string> {
  if (type.includes('/')) throw new CniError(CniErrorCode.InvalidNetworkConfig, `invalid plugin type "${type}"`);
  for (const dir of binDirs) {
    const path = join(dir, type);
    try {
      await access(path, constants.X_OK);
      return path;
    } catch {
      // next directory
    }
  }
  throw new CniError(CniErrorCode.IoFailure, `CNI plugin ${type} not found in ${binDirs.join(':')}`);
}

/** The stdin configuration one plugin of the list receives. */
export function pluginNetConf(
  conflist: Conflist,
  plugin: PluginConf,
  prevResult: CniResult | undefined,
  capabilityArgs: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const conf: Record<string, unknown> = { ...plugin, name: conflist.name, cniVersion: conflist.cniVersion };
  const runtimeConfig: Record<string, unknown> = {};
  for (const [cap, enabled] of Object.entries(plugin.capabilities ?? {})) {
    if (enabled && capabilityArgs !== undefined && cap in capabilityArgs) runtimeConfig[cap] = capabilityArgs[cap];
  }
  if (Object.keys(runtimeConfig).length > 0) conf['runtimeConfig'] = runtimeConfig;
  if (prevResult !== undefined) conf['prevResult'] = prevResult;
  return conf;
}

interface PluginRun {
  code: number;
  stdout: string;
  stderr: string;
}

function spawnPlugin(path: string, env: NodeJS.ProcessEnv, stdin: string, timeoutMs: number): Promise<PluginRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, [], { env, stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new CniError(CniErrorCode.IoFailure, `cannot exec ${path}: ${e.message}`)));
    child.on('close', (code, signal) =>
      resolve({
        code: code ?? (signal !== null ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + (signal !== null ? ` (killed by ${signal})` : ''),
      }),
    );
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin);
  });
}

interface Invocation {
  conflist: Conflist;
  binDirs: string[];
  timeoutMs: number | undefined;
  command: PluginCommand;
  plugin: PluginConf;
  /** CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS when the command has them. */
  env: Record<string, string>;
  netConf: Record<string, unknown>;
}

/** Execs one plugin; returns its parsed result for ADD, undefined otherwise. */
async function invokePlugin(inv: Invocation): Promise<CniResult | undefined> {
  const path = await findPlugin(inv.plugin.type, inv.binDirs);
  const env: NodeJS.ProcessEnv = { ...process.env, CNI_COMMAND: inv.command, CNI_PATH: inv.binDirs.join(':'), ...inv.env };
  const res = await spawnPlugin(path, env, JSON.stringify(inv.netConf), inv.timeoutMs ?? 60_000);
  const where = `plugin type="${inv.plugin.type}" name="${inv.conflist.name}" failed (${inv.command.toLowerCase()})`;
  if (res.code !== 0) {
    let body: unknown;
    try {
      body = JSON.parse(res.stdout);
    } catch {
      body = undefined;
    }
    const e = CniErrorJsonSchema.safeParse(body);
    if (e.success) throw new CniError(e.data.code, `${where}: ${e.data.msg}`, e.data.details);
    throw new CniError(CniErrorCode.IoFailure, `${where}: exit ${res.code}`, (res.stderr || res.stdout).trim());
  }
  if (inv.command !== 'ADD') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(res.stdout);
  } catch {
    throw new CniError(CniErrorCode.DecodeFailure, `${where}: result is not JSON`, res.stdout.slice(0, 500));
  }
  const parsed = CniResultSchema.safeParse(json);
  if (!parsed.success) throw new CniError(CniErrorCode.DecodeFailure, `${where}: invalid result`, parsed.error.message);
  return parsed.data;
}

function execPlugin(
  o: ExecConflistOptions,
  command: ConflistCommand,
  plugin: PluginConf,
  prevResult: CniResult | undefined,
): Promise<CniResult | undefined> {
  return invokePlugin({
    conflist: o.conflist,
    binDirs: o.binDirs,
    timeoutMs: o.timeoutMs,
    command,
    plugin,
    env: {
      CNI_CONTAINERID: o.containerId,
      CNI_NETNS: o.netns,
      CNI_IFNAME: o.ifName,
      CNI_ARGS: Object.entries(o.args ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(';'),
    },
    netConf: pluginNetConf(o.conflist, plugin, prevResult, o.capabilityArgs),
  });
}

export async function execConflist(o: ExecConflistOptions): Promise<CniResult | undefined> {
  const { conflist } = o;
  const hasCheckAndPrev = compareVersions(conflist.cniVersion, '0.4.0') >= 0;
  switch (o.command) {
    case 'ADD': {
      let result: CniResult | undefined;
      for (const plugin of conflist.plugins) result = await execPlugin(o, 'ADD', plugin, result);
      if (result !== undefined) await writeCachedResult(o, result);
      return result;
    }
    case 'DEL': {
      const cached = hasCheckAndPrev ? await readCachedResult(o) : undefined;
      for (const plugin of [...conflist.plugins].reverse()) await execPlugin(o, 'DEL', plugin, cached);
      await rm(cachePath(o), { force: true });
      return undefined;
    }
    case 'CHECK': {
      if (!hasCheckAndPrev) {
        throw new CniError(CniErrorCode.IncompatibleVersion, `CHECK needs cniVersion >= 0.4.0, not ${conflist.cniVersion}`);
      }
      if (conflist.disableCheck === true) return undefined;
      const cached = await readCachedResult(o);
      if (cached === undefined) {
        throw new CniError(CniErrorCode.UnknownContainer, `no cached result for ${o.containerId}/${o.ifName} in ${conflist.name}`);
      }
      for (const plugin of conflist.plugins) await execPlugin(o, 'CHECK', plugin, cached);
      return undefined;
    }
  }
}

export interface Attachment {
  containerId: string;
  ifName: string;
}

export interface GcConflistOptions {
  conflist: Conflist;
  /** Every attachment of this network that must stay. */
  validAttachments: Attachment[];
  binDirs: string[];
  cacheDir?: string;
  timeoutMs?: number;
}

const CacheEntrySchema = z.looseObject({
  containerId: z.string(),
  ifName: z.string(),
  networkName: z.string(),
  cniArgs: z.array(z.tuple([z.string(), z.string()])).optional(),
  capabilityArgs: z.record(z.string(), z.unknown()).optional(),
});

export interface CachedAttachment extends Attachment {
  args: Record<string, string>;
  capabilityArgs: Record<string, unknown>;
}

/** The attachments of this network that have a cached ADD result. */
export async function cachedAttachments(conflist: Conflist, cacheDir = DEFAULT_CACHE_DIR): Promise<CachedAttachment[]> {
  const dir = join(cacheDir, 'results');
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: CachedAttachment[] = [];
  for (const name of names.filter((n) => n.startsWith(`${conflist.name}-`) && !n.endsWith('.tmp'))) {
    const text = await readFile(join(dir, name), 'utf8').catch(() => undefined);
    let entry: z.infer<typeof CacheEntrySchema> | undefined;
    try {
      const parsed = CacheEntrySchema.safeParse(JSON.parse(text ?? ''));
      entry = parsed.success ? parsed.data : undefined;
    } catch {
      entry = undefined;
    }
    if (entry === undefined || entry.networkName !== conflist.name) continue;
    out.push({
      containerId: entry.containerId,
      ifName: entry.ifName,
      args: Object.fromEntries(entry.cniArgs ?? []),
      capabilityArgs: entry.capabilityArgs ?? {},
    });
  }
  return out;
}

/**
 * GC like libcni: DEL every cached attachment of this network that is not valid (the
 * netns is unknown by then, so CNI_NETNS is empty), then, from cniVersion 1.1.0, run
 * each plugin's GC with `cni.dev/valid-attachments`. DEL failures do not stop the rest;
 * the first is rethrown at the end.
 */
export async function gcConflist(o: GcConflistOptions): Promise<void> {
  const valid = new Set(o.validAttachments.map((a) => `${a.containerId}/${a.ifName}`));
  const errors: unknown[] = [];
  for (const a of await cachedAttachments(o.conflist, o.cacheDir)) {
    if (valid.has(`${a.containerId}/${a.ifName}`)) continue;
    await execConflist({ ...o, ...a, command: 'DEL', netns: '' }).catch((err: unknown) => errors.push(err));
  }
  if (compareVersions(o.conflist.cniVersion, '1.1.0') >= 0 && o.conflist.disableGC !== true) {
    const attachments = o.validAttachments.map((a) => ({ containerID: a.containerId, ifname: a.ifName }));
    for (const plugin of o.conflist.plugins) {
      const netConf = { ...pluginNetConf(o.conflist, plugin, undefined, undefined), 'cni.dev/valid-attachments': attachments };
      await invokePlugin({ conflist: o.conflist, binDirs: o.binDirs, timeoutMs: o.timeoutMs, command: 'GC', plugin, env: {}, netConf }).catch(
        (err: unknown) => errors.push(err),
      );
    }
  }
  if (errors.length > 0) throw errors[0];
}

/** STATUS (cniVersion >= 1.1.0; a no-op before): throws the first plugin's failure. */
export async function statusConflist(o: { conflist: Conflist; binDirs: string[]; timeoutMs?: number }): Promise<void> {
  if (compareVersions(o.conflist.cniVersion, '1.1.0') < 0) return;
  for (const plugin of o.conflist.plugins) {
    const netConf = pluginNetConf(o.conflist, plugin, undefined, undefined);
    await invokePlugin({ conflist: o.conflist, binDirs: o.binDirs, timeoutMs: o.timeoutMs, command: 'STATUS', plugin, env: {}, netConf });
  }
}
