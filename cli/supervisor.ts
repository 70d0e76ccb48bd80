/**
 * Runs a cluster's components as child processes, each logging to its own file, and
 * restarts one that dies (with a growing delay), saying so in the log.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';

export interface ComponentSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

interface Running {
  spec: ComponentSpec;
  child?: ChildProcess;
  restarts: number;
  startedAt: number;
  timer?: NodeJS.Timeout;
  stopped?: boolean;
  log: WriteStream;
}

/** SIGTERM, then SIGKILL after the grace period; resolves when the process has exited. */
async function stopChild(child: ChildProcess | undefined, graceMs: number): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export class Supervisor {
  private readonly running = new Map<string, Running>();
  private stopping = false;

  /**
   * @param env added to every component's environment (`up` marks its processes with
   *   it, so `tkube down` finds them after a crash).
   */
  constructor(
    private readonly logDir: string,
    private readonly log: Logger,
    private readonly env: NodeJS.ProcessEnv = {},
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  start(spec: ComponentSpec): void {
    const entry: Running = { spec, restarts: 0, startedAt: 0, log: createWriteStream(join(this.logDir, `${spec.name}.log`), { flags: 'a' }) };
    this.running.set(spec.name, entry);
    this.launch(entry);
  }

  private launch(entry: Running): void {
    const { spec } = entry;
    entry.startedAt = Date.now();
    // Own process group: a terminal's Ctrl-C reaches only the supervisor, which then
    // stops the components in order (the kubelet first, pods through the runtime).
    const child = spawn(spec.command, spec.args, { env: { ...process.env, ...this.env, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    entry.child = child;
    child.stdout?.pipe(entry.log, { end: false });
    child.stderr?.pipe(entry.log, { end: false });
    child.on('error', (err) => this.log.error({ component: spec.name, err: err.message }, 'component failed to start'));
    child.on('exit', (code, signal) => {
      entry.child = undefined;
      if (this.stopping || entry.stopped) return;
      // A component that ran for a while resets its back-off.
      if (Date.now() - entry.startedAt > 60_000) entry.restarts = 0;
      const delay = Math.min(500 * 2 ** entry.restarts, 30_000);
      entry.restarts++;
      this.log.warn({ component: spec.name, code, signal, restartInMs: delay, restarts: entry.restarts }, `component ${spec.name} exited; restarting it`);
      entry.timer = setTimeout(() => this.launch(entry), delay);
    });
  }

  pid(name: string): number | undefined {
    return this.running.get(name)?.child?.pid;
  }

  /** Stops one component (it is not restarted). */
  async stop(name: string, graceMs = 10_000): Promise<void> {
    const entry = this.running.get(name);
    if (!entry) return;
    this.running.delete(name);
    clearTimeout(entry.timer);
    entry.stopped = true;
    await stopChild(entry.child, graceMs);
    entry.log.end();
  }

  /** Stops every component (SIGTERM, then SIGKILL after the grace period), in reverse start order. */
  async stopAll(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    const entries = [...this.running.values()].reverse();
    for (const entry of entries) {
      clearTimeout(entry.timer);
      await stopChild(entry.child, graceMs);
    }
    for (const entry of entries) entry.log.end();
  }
}
