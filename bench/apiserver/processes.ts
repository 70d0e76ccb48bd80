/**
 * The processes under test: a throwaway etcd and the apiserver as a child process
 * (`node dist/cli/tkube.js apiserver`), so the benchmark client never shares its event
 * loop. Everything lives under one tkube-bench-* temp dir, removed by stop().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { createClusterPki, issueCertificate } from '../../api/pki/index.js';
import { startEtcd, type EtcdProcess } from '../../cli/etcd-process.js';
import { freePort } from '../../cli/free-port.js';

export interface BenchCluster {
  etcd: EtcdProcess;
  apiserverUrl: string;
  apiserverPid: number;
  dir: string;
  apiserverLog: string;
  /** Set for a secure cluster. */
  secure?: SecureAccess;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** Write a V8 CPU profile of the apiserver into this directory (node --cpu-prof). */
  cpuProfDir?: string;
  /**
   * Serve HTTPS with authentication (client certificates) and Node,RBAC authorization, on a
   * PKI generated in the cluster's temp dir; `admin` is a client of system:masters.
   */
  secure?: boolean;
}

/** What a client of a secure cluster needs: the CA and the admin's client certificate. */
export interface SecureAccess {
  ca: string;
  /** Issues a client certificate for a user (CN) in groups (O). */
  clientCertificate(user: string, groups?: string[]): Promise<{ cert: string; key: string }>;
  admin: { cert: string; key: string };
}

const TKUBE_JS = fileURLToPath(new URL('../../cli/tkube.js', import.meta.url));

export async function startCluster(opts: ClusterOptions = {}): Promise<BenchCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'tkube-bench-'));
  let etcd: EtcdProcess | undefined;
  let child: ChildProcess | undefined;
  const stop = async () => {
    if (child) await stopChild(child);
    if (etcd) await etcd.kill();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    etcd = await startEtcd({ dataDir: join(dir, 'etcd'), logFile: join(dir, 'etcd.log'), extraArgs: ['--quota-backend-bytes=4294967296'] });
    const port = await freePort();
    const apiserverLog = join(dir, 'apiserver.log');
    const out = openSync(apiserverLog, 'a');
    const nodeArgs = opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [];
    let secureArgs: string[] = [];
    let secure: SecureAccess | undefined;
    if (opts.secure) {
      const pki = await createClusterPki(join(dir, 'pki'), { apiserverSans: {} });
      const f = pki.files;
      secureArgs = [
        '--tls-cert-file', f.apiserver.cert, '--tls-private-key-file', f.apiserver.key, '--client-ca-file', f.ca.cert,
        '--authorization-mode', 'Node,RBAC',
        '--service-account-signing-key-file', f.serviceAccount.key, '--service-account-issuer', 'https://kubernetes.default.svc.cluster.local',
      ];
      secure = {
        ca: pki.ca.cert,
        admin: { cert: readFileSync(f.admin.cert, 'utf8'), key: readFileSync(f.admin.key, 'utf8') },
        clientCertificate: (user, groups = []) => issueCertificate(pki.ca, { commonName: user, organizations: groups, usage: 'client' }),
      };
    }
    child = spawn(process.execPath, [...nodeArgs, TKUBE_JS, 'apiserver', '--etcd-servers', etcd.endpoint, '--port', String(port), '--etcd-compaction-interval', '0', ...secureArgs], {
      stdio: ['ignore', out, out],
      env: { ...process.env, TKUBE_LOG_LEVEL: process.env.TKUBE_LOG_LEVEL ?? 'warn' },
    });
    const apiserverUrl = `${secure ? 'https' : 'http'}://127.0.0.1:${port}`;
    await waitReady(apiserverUrl, child, apiserverLog, secure?.ca);
    return { etcd, apiserverUrl, apiserverPid: child.pid!, dir, apiserverLog, secure, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function waitReady(url: string, child: ChildProcess, log: string, ca?: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the apiserver exited with code ${child.exitCode}:\n${readFileSync(log, 'utf8').slice(-2000)}`);
    try {
      if ((await readyzStatus(url, ca)) === 200) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`the apiserver did not become ready within 30 s; see ${log}`);
    await sleep(100);
  }
}

/** GET /readyz (anonymous: health is public), trusting `ca` for https. */
function readyzStatus(url: string, ca?: string): Promise<number> {
  const send = url.startsWith('https:') ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    const req = send(`${url}/readyz`, { ca, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** SIGTERM (the apiserver shuts down cleanly and writes its CPU profile), SIGKILL after 10 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Resident memory of a process in bytes (VmRSS from /proc). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/** CPU time (user + system) a process has used so far, in seconds (/proc/<pid>/stat). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  return ticks / CLOCK_TICKS;
}

/** USER_HZ: 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;
