/**
 * Runs a real etcd (Debian's etcd-server) as a child process: used by `tkube up`
 * for a local cluster and by tests for a throwaway one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.js';

export interface EtcdOptions {
  dataDir: string;
  clientPort?: number; // 0 or absent: a free port
  peerPort?: number;
  host?: string;
  binary?: string;
  logFile?: string;
  /** Extra flags, e.g. ['--quota-backend-bytes=...']. */
  extraArgs?: string[];
  /** Added to etcd's environment. */
  env?: NodeJS.ProcessEnv;
  /** Own process group (a terminal's Ctrl-C does not reach it; its owner stops it). */
  detached?: boolean;
}

export interface EtcdProcess {
  endpoint: string;
  clientPort: number;
  dataDir: string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash. */
  kill(): Promise<void>;
  /** Start again on the same ports and data dir (after stop or kill). */
  restart(): Promise<void>;
  readonly child: ChildProcess;
}

/** Thrown when etcd exits before it is healthy, which is most often a port taken by someone else. */
class EtcdStartupExit extends Error {}

export async function startEtcd(opts: EtcdOptions): Promise<EtcdProcess> {
  const host = opts.host ?? '127.0.0.1';
  const portsChosenHere = !opts.clientPort || !opts.peerPort;
  const freshDataDir = !existsSync(opts.dataDir) || readdirSync(opts.dataDir).length === 0;
  // A free port can still be taken by another process before etcd binds it; with
  // ports of our own choosing, try again on fresh ones rather than fail.
  for (let attempt = 1; ; attempt++) {
    const clientPort = opts.clientPort || (await freePort(host));
    const peerPort = opts.peerPort || (await freePort(host));
    try {
      return await startEtcdOn(opts, host, clientPort, peerPort);
    } catch (err) {
      if (!(err instanceof EtcdStartupExit) || !portsChosenHere || attempt >= 3) throw err;
      // What a failed first start wrote would pin the member to the old peer URL.
      if (freshDataDir) rmSync(opts.dataDir, { recursive: true, force: true });
    }
  }
}

async function startEtcdOn(opts: EtcdOptions, host: string, clientPort: number, peerPort: number): Promise<EtcdProcess> {
  const endpoint = `http://${host}:${clientPort}`;
  mkdirSync(opts.dataDir, { recursive: true });
  const args = [
    '--name', 'tkube',
    '--data-dir', opts.dataDir,
    '--listen-client-urls', endpoint,
    '--advertise-client-urls', endpoint,
    '--listen-peer-urls', `http://${host}:${peerPort}`,
    '--initial-advertise-peer-urls', `http://${host}:${peerPort}`,
    '--initial-cluster', `tkube=http://${host}:${peerPort}`,
    '--max-request-bytes', String(10 * 1024 * 1024),
    '--log-level', 'warn',
    ...(opts.extraArgs ?? []),
  ];
  let child!: ChildProcess;
  let exited!: Promise<void>;

  const launch = async () => {
    const out = opts.logFile ? openSync(opts.logFile, 'a') : 'ignore';
    child = spawn(opts.binary ?? 'etcd', args, { stdio: ['ignore', out, out], env: { ...process.env, ...opts.env }, detached: opts.detached ?? false });
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
    let spawnError: Error | undefined;
    child.once('error', (err) => (spawnError = err));
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (spawnError) throw new Error(`cannot start etcd (${spawnError.message}): is Debian's etcd-server installed? (npm run setup)`);
      if (child.exitCode !== null) throw new EtcdStartupExit(`etcd exited with code ${child.exitCode} during start-up${opts.logFile ? `; see ${opts.logFile}` : ''} (port ${clientPort} in use?)`);
      if (await healthy(endpoint)) return;
      if (Date.now() > deadline) throw new Error(`etcd did not become healthy at ${endpoint} within 20 s`);
      await sleep(100);
    }
  };

  const waitExit = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  await launch();
  return {
    endpoint,
    clientPort,
    dataDir: opts.dataDir,
    get child() {
      return child;
    },
    stop: () => waitExit('SIGTERM'),
    kill: () => waitExit('SIGKILL'),
    restart: launch,
  };
}

async function healthy(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
    if (!res.ok) return false;
    const body = (await res.json()) as { health?: string };
    return body.health === 'true';
  } catch {
    return false;
  }
}
