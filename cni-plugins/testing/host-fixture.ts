/**
 * Test fixture for the CNI tests (run as root): builds the plugins, creates network
 * namespaces and temp dirs with a `tkt` prefix, execs plugins, and removes everything it
 * made — namespaces, bridges, iptables rules and chains tagged with its network names,
 * top-level chains that did not exist before — even when a test failed.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, runOk } from '../net/exec.js';
import { splitRuleLine } from '../bridge/masq.js';
import { withFileLock } from '../ipam/lock.js';

/** The repository root, whether this runs from source (vitest) or from dist/. */
export const REPO_ROOT = ((up: string) => (basename(up) === 'dist' ? dirname(up) : up))(
  join(dirname(fileURLToPath(import.meta.url)), '..', '..'),
);
export const PLUGIN_BIN_DIR = join(REPO_ROOT, 'cni-plugins', 'bin');
export const REFERENCE_BIN_DIR = '/usr/lib/cni';

const IP_FORWARD = '/proc/sys/net/ipv4/ip_forward';
const IP_FORWARD_STATE = '/tmp/tkt-cni-ip-forward.json';
const TABLES = ['nat', 'filter'] as const;
const BUILTIN_CHAINS = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);

/**
 * Compiles cni-plugins/ into a private tree `dist/tkt-build-<id>/` laid out like the
 * repository (`dist/…` for the JavaScript, `cni-plugins/bin/` for a copy of the real
 * wrapper script) and returns that bin directory. Private, because a build into the
 * shared dist/ (another test file's, or anyone's `npm run build`) rewrites the modules
 * under plugins that are running. Under dist/, so that node_modules still resolves.
 */
async function buildPrivatePlugins(root: string): Promise<string> {
  const tsc = join(REPO_ROOT, 'node_modules', '.bin', 'tsc');
  await runOk(tsc, ['-p', join(REPO_ROOT, 'cni-plugins', 'tsconfig.build.json'), '--outDir', join(root, 'dist')]);
  const bin = join(root, 'cni-plugins', 'bin');
  await mkdir(bin, { recursive: true });
  for (const name of await readdir(PLUGIN_BIN_DIR)) {
    await copyFile(join(PLUGIN_BIN_DIR, name), join(bin, name));
    await chmod(join(bin, name), 0o755);
  }
  return bin;
}

export interface PluginRun {
  code: number;
  stdout: string;
  stderr: string;
  json: unknown;
}

export function execPlugin(path: string, env: Record<string, string>, stdin: string): Promise<PluginRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, [], { env: { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.stdin.on('error', () => undefined); // a plugin may exit without reading stdin
    child.on('close', (code) => {
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code: code ?? 1, stdout, stderr, json });
    });
    child.stdin.end(stdin);
  });
}

async function chainsOf(table: string): Promise<Set<string>> {
  const out = await runOk('iptables', ['-w', '-t', table, '-S']);
  return new Set(out.split('\n').filter((l) => l.startsWith('-N ')).map((l) => l.slice(3).trim()));
}

export class HostFixture {
  readonly suffix = randomBytes(3).toString('hex');
  readonly bridge = `tktbr${this.suffix}`;
  private readonly netnsNames: string[] = [];
  private readonly bridges = new Set<string>();
  private readonly networks = new Set<string>();
  private readonly dirs: string[] = [];
  private chainsBefore = new Map<string, Set<string>>();

  async setup(): Promise<void> {
    await ipForwardUsers(+1);
    for (const t of TABLES) this.chainsBefore.set(t, await chainsOf(t));
    this.bridges.add(this.bridge);
  }

  /** A network name the cleanup will search iptables comments for. */
  network(tag: string): string {
    const name = `tkt-${this.suffix}-${tag}`;
    this.networks.add(name);
    return name;
  }

  addBridge(name: string): string {
    this.bridges.add(name);
    return name;
  }

  /** Builds the plugins privately (see buildPrivatePlugins); returns their bin dir. */
  async buildPlugins(): Promise<string> {
    const root = join(REPO_ROOT, 'dist', `tkt-build-${this.suffix}`);
    this.dirs.push(root);
    return buildPrivatePlugins(root);
  }

  async tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'tkt-cni-'));
    this.dirs.push(dir);
    return dir;
  }

  /** Creates netns (loopback up unless told otherwise) `tkt<suffix><tag>` and returns its path. */
  async netns(tag: string, opts: { loUp?: boolean } = {}): Promise<string> {
    const name = `tkt${this.suffix}${tag}`;
    this.netnsNames.push(name);
    await runOk('ip', ['netns', 'add', name]);
    if (opts.loUp !== false) await runOk('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    return `/var/run/netns/${name}`;
  }

  async cleanup(): Promise<void> {
    const errors: string[] = [];
    const attempt = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (err) {
        errors.push(`${what}: ${String(err)}`);
      }
    };
    for (const name of this.netnsNames) await attempt(`netns ${name}`, () => run('ip', ['netns', 'del', name]));
    for (const br of this.bridges) await attempt(`bridge ${br}`, () => run('ip', ['link', 'del', br]));
    for (const t of TABLES) await attempt(`iptables ${t}`, () => this.cleanIptables(t));
    await attempt('ip_forward', () => ipForwardUsers(-1));
    for (const dir of this.dirs) await attempt(`dir ${dir}`, () => rm(dir, { recursive: true, force: true }));
    if (errors.length > 0) throw new Error(`cleanup incomplete: ${errors.join('; ')}`);
  }

  /**
   * Deletes rules whose comment names one of our networks, the non-builtin chains
   * those rules live in or jump to, and chains that appeared during the test with
   * names of the plugins' families (TKUBE-, CNI-) and are now empty of other users.
   */
  private async cleanIptables(table: string): Promise<void> {
    const lines = (await runOk('iptables', ['-w', '-t', table, '-S'])).split('\n');
    const before = this.chainsBefore.get(table) ?? new Set<string>();
    const rules = lines.map(splitRuleLine).filter((t) => t[0] === '-A');
    const target = (t: string[]) => (t.includes('-j') ? t[t.indexOf('-j') + 1] : undefined);
    const doomed = new Set<string>();
    const ours = (t: string[]) => {
      const c = t.includes('--comment') ? (t[t.indexOf('--comment') + 1] ?? '') : '';
      return [...this.networks].some((n) => c.includes(`"${n}"`));
    };
    for (const t of rules) {
      if (!ours(t)) continue;
      const chain = t[1] ?? '';
      if (!BUILTIN_CHAINS.has(chain) && !before.has(chain) && !chain.startsWith('CNI-HOSTPORT-')) doomed.add(chain);
      const j = target(t);
      if (j !== undefined && /^(TKUBE-|CNI-)/.test(j) && !j.startsWith('CNI-HOSTPORT-')) doomed.add(j);
    }
    // Top-level chains (portmap's CNI-HOSTPORT-*) that did not exist before the test,
    // unless someone else's pods have port mappings in them by now.
    const shared = rules.some((t) => t[1] === 'CNI-HOSTPORT-DNAT' && !ours(t));
    for (const l of shared ? [] : lines) {
      if (l.startsWith('-N ')) {
        const chain = l.slice(3).trim();
        if (!before.has(chain) && chain.startsWith('CNI-HOSTPORT-')) doomed.add(chain);
      }
    }
    const script = [`*${table}`];
    for (const t of rules) {
      const j = target(t);
      if (doomed.has(t[1] ?? '')) continue; // flushed below
      if (ours(t) || (j !== undefined && doomed.has(j))) script.push(['-D', ...t.slice(1)].map(quote).join(' '));
    }
    for (const c of doomed) script.push(`-F ${c}`);
    for (const c of doomed) script.push(`-X ${c}`);
    script.push('COMMIT', '');
    if (script.length > 3) await runOk('iptables-restore', ['-w', '--noflush'], script.join('\n'));
  }
}

/**
 * Gateway bridges turn on net.ipv4.ip_forward (host-wide). Test files run in parallel,
 * so the value from before the first fixture is kept in a shared file with the pids
 * using it, and restored by the last fixture to finish — unless namespaces we did not
 * create exist then (someone else's pods, which may rely on forwarding).
 */
async function ipForwardUsers(delta: 1 | -1): Promise<void> {
  await withFileLock(`${IP_FORWARD_STATE}.lock`, async () => {
    const saved = await readFile(IP_FORWARD_STATE, 'utf8').then(
      (t) => JSON.parse(t) as { value: string; pids: number[] },
      () => undefined,
    );
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const pids = (saved?.pids ?? []).filter((p) => p !== process.pid && alive(p));
    // A state file left by a crashed run still holds the value from before it.
    const value = saved?.value ?? (await readFile(IP_FORWARD, 'utf8')).trim();
    if (delta > 0) {
      await writeFile(IP_FORWARD_STATE, JSON.stringify({ value, pids: [...pids, process.pid] }));
    } else if (pids.length > 0) {
      await writeFile(IP_FORWARD_STATE, JSON.stringify({ value, pids }));
    } else {
      // Other engineers' pods (namespaces we did not make) may need forwarding on.
      const foreign = (await runOk('ip', ['netns', 'list'])).trim() !== '';
      if (!foreign) await writeFile(IP_FORWARD, value);
      await rm(IP_FORWARD_STATE, { force: true });
    }
  });
}

function quote(t: string): string {
  return /^[A-Za-z0-9_./:!-]+$/.test(t) ? t : `"${t.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
