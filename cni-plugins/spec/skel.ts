/**
 * The plugin side of the CNI protocol: read CNI_* from the environment and the
 * network configuration from stdin, dispatch to the plugin's handlers, and print the
 * result or a spec error JSON (non-zero exit) on stdout.
 */
import { CniError, CniErrorCode, toCniError } from './errors.js';
import { formatResult, type CniResult } from './result.js';
import { compareVersions, requireSupportedVersion, versionInfo } from './version.js';

export type PluginCommand = 'ADD' | 'DEL' | 'CHECK' | 'STATUS' | 'GC';

export interface CmdArgs {
  command: PluginCommand;
  /** '' for STATUS and GC, which are not about one container. */
  containerId: string;
  /** '' when the runtime gave none (allowed for DEL). */
  netns: string;
  ifName: string;
  /** CNI_ARGS parsed from `K=V;K2=V2`. */
  args: Record<string, string>;
  cniPath: string[];
  /** The network configuration as parsed JSON (validated by the plugin). */
  config: Record<string, unknown>;
  cniVersion: string;
}

export interface PluginHandlers {
  add(args: CmdArgs): Promise<CniResult>;
  del(args: CmdArgs): Promise<void>;
  check(args: CmdArgs): Promise<void>;
  status?(args: CmdArgs): Promise<void>;
  gc?(args: CmdArgs): Promise<void>;
}

const CONTAINER_ID_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const COMMANDS: readonly string[] = ['ADD', 'DEL', 'CHECK', 'STATUS', 'GC', 'VERSION'];

export function parseCniArgs(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw === undefined || raw === '') return out;
  for (const pair of raw.split(';')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CniError(CniErrorCode.InvalidEnvironment, `invalid CNI_ARGS pair "${pair}"`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** Checks an interface name the way the kernel would accept it. */
export function validateIfName(name: string): void {
  if (name.length === 0 || name.length > 15 || name === '.' || name === '..' || /[/:\s]/.test(name)) {
    throw new CniError(CniErrorCode.InvalidEnvironment, `invalid CNI_IFNAME "${name}"`);
  }
}

function needEnv(env: NodeJS.ProcessEnv, key: string): string {
  const v = env[key];
  if (v === undefined || v === '') {
    throw new CniError(CniErrorCode.InvalidEnvironment, `required environment variable ${key} is missing`);
  }
  return v;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseConfig(stdin: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdin);
  } catch (err) {
    throw new CniError(CniErrorCode.DecodeFailure, 'network configuration on stdin is not valid JSON', String(err));
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CniError(CniErrorCode.DecodeFailure, 'network configuration on stdin is not a JSON object');
  }
  return parsed as Record<string, unknown>;
}

function configVersion(config: Record<string, unknown>): string {
  const v = config['cniVersion'];
  if (typeof v !== 'string' || v === '') {
    throw new CniError(CniErrorCode.InvalidNetworkConfig, 'network configuration has no cniVersion');
  }
  return v;
}

/** Runs one protocol exchange; returns the process exit code. Never throws. */
export async function runPlugin(
  handlers: PluginHandlers,
  env: NodeJS.ProcessEnv = process.env,
  readInput: () => Promise<string> = readStdin,
  write: (s: string) => void = (s) => process.stdout.write(s),
): Promise<number> {
  let cniVersion = '1.0.0';
  try {
    const command = needEnv(env, 'CNI_COMMAND');
    if (!COMMANDS.includes(command)) {
      throw new CniError(CniErrorCode.InvalidEnvironment, `unknown CNI_COMMAND "${command}"`);
    }
    if (command === 'VERSION') {
      write(JSON.stringify(versionInfo()) + '\n');
      return 0;
    }
    const config = parseConfig(await readInput());
    cniVersion = configVersion(config);
    requireSupportedVersion(cniVersion);
    const cmd = command as PluginCommand;
    const perContainer = cmd === 'ADD' || cmd === 'DEL' || cmd === 'CHECK';
    const args: CmdArgs = {
      command: cmd,
      containerId: perContainer ? needEnv(env, 'CNI_CONTAINERID') : (env['CNI_CONTAINERID'] ?? ''),
      netns: cmd === 'ADD' || cmd === 'CHECK' ? needEnv(env, 'CNI_NETNS') : (env['CNI_NETNS'] ?? ''),
      ifName: perContainer ? needEnv(env, 'CNI_IFNAME') : (env['CNI_IFNAME'] ?? ''),
      args: parseCniArgs(env['CNI_ARGS']),
      cniPath: (env['CNI_PATH'] ?? '').split(':').filter((p) => p !== ''),
      config,
      cniVersion,
    };
    if (perContainer) {
      if (!CONTAINER_ID_RE.test(args.containerId)) {
        throw new CniError(CniErrorCode.InvalidEnvironment, `invalid CNI_CONTAINERID "${args.containerId}"`);
      }
      validateIfName(args.ifName);
    }
    switch (cmd) {
      case 'ADD': {
        const result = await handlers.add(args);
        write(JSON.stringify(formatResult(result, cniVersion)) + '\n');
        return 0;
      }
      case 'DEL':
        await handlers.del(args);
        return 0;
      case 'CHECK':
        if (compareVersions(cniVersion, '0.4.0') < 0) {
          throw new CniError(CniErrorCode.IncompatibleVersion, `CHECK is not defined for cniVersion ${cniVersion}`);
        }
        await handlers.check(args);
        return 0;
      case 'STATUS':
      case 'GC': {
        const handler = cmd === 'STATUS' ? handlers.status : handlers.gc;
        if (compareVersions(cniVersion, '1.1.0') < 0 || handler === undefined) {
          throw new CniError(CniErrorCode.IncompatibleVersion, `${cmd} is not supported for cniVersion ${cniVersion}`);
        }
        await handler.call(handlers, args);
        return 0;
      }
    }
  } catch (err) {
    write(JSON.stringify(toCniError(err).toJSON(cniVersion)) + '\n');
    return 1;
  }
}
