/**
 * The network agent's view of one network namespace: runs `ip`, `bridge`, `iptables`
 * and `sysctl` there (argument arrays, never a shell). `netns` is an iproute2 named
 * namespace (`ip -n <name>`); undefined means the namespace this process runs in, which
 * is how `tkube network-agent` runs on a node. Tests give a name so that in-process
 * agents program several "nodes" at once.
 */
import { writeFile } from 'node:fs/promises';
import { run } from '../net/exec.js';

export class HostCommandError extends Error {
  constructor(
    readonly command: string,
    readonly code: number,
    readonly stderr: string,
  ) {
    super(`${command} failed (exit ${code}): ${stderr.trim().slice(0, 500)}`);
    this.name = 'HostCommandError';
  }
}

export class NetnsHost {
  constructor(readonly netns?: string) {}

  /** `ip [-n ns] <args>`; returns stdout. */
  ip(args: readonly string[]): Promise<string> {
    return this.exec('ip', [...this.nsFlag(), ...args]);
  }

  /** `ip -j [-n ns] <args>` parsed; iproute2 prints nothing (not `[]`) for an empty answer. */
  async ipJson<T>(args: readonly string[]): Promise<T[]> {
    return parseJsonArray<T>(await this.ip(['-j', ...args]));
  }

  bridgeJson<T>(args: readonly string[]): Promise<T[]> {
    return this.exec('bridge', [...this.nsFlag(), '-j', ...args]).then((out) => parseJsonArray<T>(out));
  }

  bridge(args: readonly string[]): Promise<string> {
    return this.exec('bridge', [...this.nsFlag(), ...args]);
  }

  /** iptables with the xtables lock wait (other tools, e.g. CNI plugins, write concurrently). */
  iptables(args: readonly string[]): Promise<string> {
    return this.inNetns('iptables', ['-w', ...args]);
  }

  /** iptables without throwing: the exit code (for `-C` checks). */
  async iptablesCode(args: readonly string[]): Promise<number> {
    const cmd = this.wrap('iptables', ['-w', ...args]);
    return (await run(cmd.cmd, cmd.args)).code;
  }

  iptablesRestore(script: string): Promise<string> {
    return this.inNetns('iptables-restore', ['-w', '--noflush'], script);
  }

  /** Sets a sysctl of this namespace (net.* sysctls are per network namespace). */
  async setSysctl(key: string, value: string): Promise<void> {
    if (this.netns === undefined) {
      await writeFile(`/proc/sys/${key.replace(/\./g, '/')}`, value);
      return;
    }
    await this.inNetns('sysctl', ['-q', '-w', `${key}=${value}`]);
  }

  private nsFlag(): string[] {
    return this.netns === undefined ? [] : ['-n', this.netns];
  }

  private wrap(cmd: string, args: readonly string[]): { cmd: string; args: string[] } {
    return this.netns === undefined ? { cmd, args: [...args] } : { cmd: 'ip', args: ['netns', 'exec', this.netns, cmd, ...args] };
  }

  private inNetns(cmd: string, args: readonly string[], input?: string): Promise<string> {
    const w = this.wrap(cmd, args);
    return this.exec(w.cmd, w.args, input);
  }

  private async exec(cmd: string, args: readonly string[], input?: string): Promise<string> {
    const res = await run(cmd, args, input);
    if (res.code !== 0) throw new HostCommandError([cmd, ...args].join(' '), res.code, res.stderr || res.stdout);
    return res.stdout;
  }
}

export function parseJsonArray<T>(out: string): T[] {
  const text = out.trim();
  if (text === '') return [];
  const parsed: unknown = JSON.parse(text);
  return Array.isArray(parsed) ? (parsed as T[]) : [];
}

/** True when an `ip` error says the thing to delete is already gone. */
export function isAlreadyGone(err: unknown): boolean {
  return (
    err instanceof HostCommandError &&
    /No such process|Cannot find device|does not exist|No such file or directory|ENOENT|Cannot assign requested address|No such device/i.test(err.stderr)
  );
}
