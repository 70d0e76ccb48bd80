// A thin wrapper over the runc/crun command line (both accept the same verbs).
import { promises as fs } from 'node:fs';
import { spawn } from 'node:child_process';
import { z } from 'zod';
import { execFile, run } from '../util/exec.js';

const StateSchema = z.looseObject({ id: z.string(), pid: z.number(), status: z.string() });
export type OciState = z.infer<typeof StateSchema>;

export interface ExecProcess {
  args: string[];
  env: string[];
  cwd: string;
  user: { uid: number; gid: number; additionalGids?: number[] };
  terminal: boolean;
  capabilities?: unknown;
  noNewPrivileges?: boolean;
}

export interface ExecOutcome { exitCode: number; stdout: Buffer; stderr: Buffer; timedOut: boolean }

export class OciRuntime {
  /** `binary` is the runc/crun executable, `root` its state directory (--root). */
  constructor(
    readonly binary: string,
    readonly root: string,
    readonly globalArgs: string[] = [],
  ) {}

  private args(...rest: string[]): string[] {
    return ['--root', this.root, ...this.globalArgs, ...rest];
  }

  async state(id: string): Promise<OciState | undefined> {
    const r = await execFile(this.binary, this.args('state', id));
    if (r.code !== 0) return undefined;
    return StateSchema.parse(JSON.parse(r.stdout.toString()));
  }

  async start(id: string): Promise<void> {
    await run(this.binary, this.args('start', id));
  }

  /** Sends a signal to the container's init (or all its processes). Missing/stopped containers are not an error. */
  async kill(id: string, signal: string, all = false): Promise<void> {
    const r = await execFile(this.binary, this.args('kill', ...(all ? ['--all'] : []), id, signal));
    if (r.code !== 0) {
      const st = await this.state(id);
      if (st && st.status !== 'stopped') throw new Error(`${this.binary} kill ${id} ${signal}: ${r.stderr.toString().trim()}`);
    }
  }

  /** Deletes the container's runtime state (and its cgroup); idempotent. */
  async delete(id: string): Promise<void> {
    const r = await execFile(this.binary, this.args('delete', '--force', id));
    if (r.code !== 0 && (await this.state(id))) {
      throw new Error(`${this.binary} delete ${id}: ${r.stderr.toString().trim()}`);
    }
  }

  async update(id: string, resourcesFile: string): Promise<void> {
    await run(this.binary, this.args('update', '--resources', resourcesFile, id));
  }

  /** Writes the process spec to `processFile` and returns the spawned `exec` child with piped stdio. */
  async spawnExec(id: string, proc: ExecProcess, processFile: string, pidFile: string): Promise<import('node:child_process').ChildProcessWithoutNullStreams> {
    await fs.writeFile(processFile, JSON.stringify(proc));
    return spawn(this.binary, this.args('exec', '--process', processFile, '--pid-file', pidFile, id), {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  }

  /** Runs a process in the container to completion; on timeout the process is SIGKILLed. */
  async execSync(id: string, proc: ExecProcess, processFile: string, pidFile: string, timeoutMs: number): Promise<ExecOutcome> {
    const child = await this.spawnExec(id, proc, processFile, pidFile);
    child.stdin.end();
    const out = new CappedBuffer(EXEC_SYNC_OUTPUT_CAP);
    const err = new CappedBuffer(EXEC_SYNC_OUTPUT_CAP);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            void killPidFromFile(pidFile).finally(() => child.kill('SIGKILL'));
          }, timeoutMs)
        : undefined;
    const code = await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (c, sig) => resolve(c ?? (sig ? 137 : 1)));
    });
    if (timer) clearTimeout(timer);
    await fs.rm(processFile, { force: true });
    await fs.rm(pidFile, { force: true });
    return { exitCode: code, stdout: out.toBuffer(), stderr: err.toBuffer(), timedOut };
  }
}

/** CRI caps ExecSync output at 16 MiB per stream; the rest is discarded (CVE-2022-1708). */
export const EXEC_SYNC_OUTPUT_CAP = 16 * 1024 * 1024;

export class CappedBuffer {
  private readonly parts: Buffer[] = [];
  private size = 0;
  constructor(private readonly cap: number) {}
  push(b: Buffer): void {
    const room = this.cap - this.size;
    if (room <= 0) return;
    const part = b.length > room ? b.subarray(0, room) : b;
    this.parts.push(part);
    this.size += part.length;
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

async function killPidFromFile(pidFile: string): Promise<void> {
  try {
    const pid = Number((await fs.readFile(pidFile, 'utf8')).trim());
    if (pid > 0) process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}
