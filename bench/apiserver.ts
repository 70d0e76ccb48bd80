/**
 * `npm run bench -- apiserver`: the apiserver against raw etcd, in one run.
 *   1. create throughput of ~1.5 KB pods over REST vs the raw etcd create transaction (ratio ≥ 0.8);
 *   2. 500 watchers × 2,000 pod updates: all delivered in order, p99 latency < 250 ms, one etcd watch for pods;
 *   3. list of 10,000 pods from the cache (p50 < 300 ms) and from etcd, and the apiserver's RSS.
 * Flags: --creates-per-round N, --rounds N, --watchers N, --updates N, --update-rate N/s,
 * --pods N (total for the list), --cpu-prof DIR (profile the apiserver child).
 * --secure: instead, the create throughput over HTTPS with client-certificate authentication
 * and Node,RBAC authorization against plain HTTP without authentication (ratio ≥ 0.8; issue 8).
 */
import { Etcd3 } from 'etcd3';
import { resources } from '../api/registry.js';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatMarkdown, formatText, passed, type BenchReport, type BenchRow } from './report.js';
import { machineDescription, recordResult, sectionHeading } from './results-file.js';
import { round } from './stats.js';
import { createPods, measureCreates, summarizeCreates } from './apiserver/create-phase.js';
import { HttpClient } from './apiserver/http-client.js';
import { measureLists, summarizeLists } from './apiserver/list-phase.js';
import { cpuSeconds, rssBytes, startCluster, type BenchCluster } from './apiserver/processes.js';
import { latencyPercentile, measureWatch } from './apiserver/watch-phase.js';
import { bindBenchUser, measureSecureCreates, SECURE_BENCH_USER, summarizeSecureCreates } from './apiserver/secure-phase.js';

interface Flags {
  perRound: number;
  rounds: number;
  warmup: number;
  concurrency: number;
  watchers: number;
  updates: number;
  updateRate: number;
  pods: number;
  listRounds: number;
  cpuProf?: string;
  secure: boolean;
}

export function parseFlags(args: string[]): Flags {
  const f: Flags = { perRound: 2000, rounds: 3, warmup: 500, concurrency: 64, watchers: 500, updates: 2000, updateRate: 100, pods: 10_000, listRounds: 7, secure: false };
  const num = (name: string, v: string | undefined) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} needs a positive integer, got ${JSON.stringify(v)}`);
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const v = args[i + 1];
    switch (a) {
      case '--creates-per-round': f.perRound = num(a, v); i++; break;
      case '--rounds': f.rounds = num(a, v); i++; break;
      case '--warmup': f.warmup = num(a, v); i++; break;
      case '--concurrency': f.concurrency = num(a, v); i++; break;
      case '--watchers': f.watchers = num(a, v); i++; break;
      case '--updates': f.updates = num(a, v); i++; break;
      case '--update-rate': f.updateRate = num(a, v); i++; break;
      case '--pods': f.pods = num(a, v); i++; break;
      case '--list-rounds': f.listRounds = num(a, v); i++; break;
      case '--secure': f.secure = true; break;
      case '--cpu-prof':
        if (!v) throw new Error('--cpu-prof needs a directory');
        f.cpuProf = v;
        i++;
        break;
      default:
        throw new Error(`unknown flag ${a}`);
    }
  }
  return f;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;

async function etcdWatchers(endpoint: string): Promise<number> {
  const text = await (await fetch(`${endpoint}/metrics`)).text();
  const m = /^etcd_debugging_mvcc_watcher_total (\d+)/m.exec(text);
  if (!m) throw new Error('etcd /metrics has no etcd_debugging_mvcc_watcher_total');
  return Number(m[1]);
}

async function podWatchesServed(http: HttpClient): Promise<number> {
  const text = (await http.ok('GET', '/metrics')).body.toString('utf8');
  const m = /^apiserver_longrunning_requests\{[^}]*resource="pods"[^}]*\} (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}

function log(msg: string): void {
  console.log(`[bench apiserver ${new Date().toISOString().slice(11, 19)}] ${msg}`);
}

export async function runApiserverBench(args: string[]): Promise<BenchReport | void> {
  const f = parseFlags(args);
  if (f.secure) return recordSecureComparison(f, args);
  let cluster: BenchCluster | undefined;
  let etcd: Etcd3 | undefined;
  let http: HttpClient | undefined;
  const stopAll = async () => {
    http?.close();
    etcd?.close();
    await cluster?.stop();
  };
  const onSignal = () => void stopAll().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    log('starting etcd and the apiserver child process');
    cluster = await startCluster({ cpuProfDir: f.cpuProf });
    etcd = new Etcd3({ hosts: cluster.etcd.endpoint });
    http = new HttpClient(cluster.apiserverUrl, f.concurrency);
    const rows: BenchRow[] = [];
    const notes: string[] = [];

    log(`creates: warm-up ${f.warmup}, ${f.rounds} rounds × ${f.perRound} per side at concurrency ${f.concurrency}`);
    const etcdPid = cluster.etcd.child.pid!;
    const apiserverPid = cluster.apiserverPid;
    const cpu = () => ({ apiserver: cpuSeconds(apiserverPid), etcd: cpuSeconds(etcdPid) });
    const cr = await measureCreates(http, etcd, { concurrency: f.concurrency, warmup: f.warmup, perRound: f.perRound, rounds: f.rounds, cpu });
    const cs = summarizeCreates(cr);
    rows.push({ metric: `pod creates/s, REST (median of ${f.rounds})`, value: fmt(cs.rest), reference: `${fmt(cs.raw)} raw etcd txn/s`, ratio: cs.ratio, target: 'ratio ≥ 0.80', ok: cs.ratio >= 0.8 });
    rows.push({ metric: 'create latency p50 / p99', value: `${round(cs.restP50)} / ${round(cs.restP99)} ms`, reference: `${round(cs.rawP50)} / ${round(cs.rawP99)} ms raw` });
    rows.push({
      metric: 'CPU per create: apiserver + etcd',
      value: `${round(cr.apiserverCpuMsPerCreate)} + ${round(cr.etcdCpuMsPerRestCreate)} ms`,
      reference: `${round(cr.etcdCpuMsPerRawCreate)} ms etcd (raw)`,
    });
    notes.push(`create request body ${cr.requestBytes} B of JSON; stored value ${cr.storedBytes} B (the raw side writes the same stored bytes)`);

    if (cr.created < f.pods) {
      log(`topping up to ${f.pods} pods`);
      await createPods(http, cr.created, f.pods - cr.created, f.concurrency);
    }

    log(`lists of ${f.pods} pods, ${f.listRounds} rounds`);
    const lr = await measureLists(http, f.listRounds);
    const ls = summarizeLists(lr);
    rows.push({ metric: `list ${fmt(lr.items)} pods, cache (rv=0) p50`, value: `${round(ls.cachedP50)} ms`, target: '< 300 ms', ok: ls.cachedP50 < 300 && lr.items === f.pods });
    rows.push({ metric: 'list, consistent (etcd) p50', value: `${round(ls.consistentP50)} ms`, reference: `${round(ls.cachedP50)} ms cached`, ratio: ls.consistentP50 / ls.cachedP50 });
    notes.push(`a list response is ${mib(lr.bytes)}`);
    const rssAfterList = rssBytes(cluster.apiserverPid);
    rows.push({ metric: `apiserver RSS with ${fmt(f.pods)} pods`, value: mib(rssAfterList) });

    log(`watch: ${f.watchers} watchers, ${f.updates} updates at ${f.updateRate}/s`);
    const watchersBefore = await etcdWatchers(cluster.etcd.endpoint);
    const cpuBeforeWatch = { ...cpu(), client: process.cpuUsage() };
    const c = cluster;
    const h = http;
    const wr = await measureWatch(c.apiserverUrl, h, { watchers: f.watchers, updates: f.updates, rate: f.updateRate, pods: Math.min(f.pods, f.updates) }, async () => ({
      etcdWatchersDuring: await etcdWatchers(c.etcd.endpoint),
      serverSideWatches: await podWatchesServed(h),
    }));
    const clientCpu = process.cpuUsage(cpuBeforeWatch.client);
    const watchCpu = { apiserver: cpu().apiserver - cpuBeforeWatch.apiserver, client: (clientCpu.user + clientCpu.system) / 1e6 };
    const p50 = latencyPercentile(wr.afterResponseMs, 50);
    const p99 = latencyPercentile(wr.afterResponseMs, 99);
    const e2e50 = latencyPercentile(wr.latenciesMs, 50);
    const e2e99 = latencyPercentile(wr.latenciesMs, 99);
    const allInOrder = wr.inOrder === f.watchers && wr.updates === f.updates && wr.missing === 0 && wr.parseMismatches === 0;
    rows.push({ metric: `watchers that got all ${fmt(f.updates)} events in order`, value: `${wr.inOrder} / ${wr.watchers}`, target: 'all', ok: allInOrder });
    rows.push({ metric: 'watch delivery after the update response p50 / p99', value: `${round(p50)} / ${round(p99)} ms`, target: 'p99 < 250 ms', ok: p99 < 250 });
    rows.push({ metric: 'watch delivery from before the PATCH p50 / p99', value: `${round(e2e50)} / ${round(e2e99)} ms`, reference: `PATCH latency p50 ${round(latencyPercentile(Float64Array.from(wr.updateLatencyMs), 50))} ms` });
    const oneWatchPerType = wr.etcdWatchersDuring === watchersBefore && watchersBefore === resources.length;
    rows.push({
      metric: 'etcd watches (all types) with the client watches open',
      value: `${wr.etcdWatchersDuring ?? '?'}`,
      reference: `${watchersBefore} before, ${resources.length} resource types`,
      target: 'one per type (one for pods)',
      ok: oneWatchPerType,
    });
    notes.push(`CPU used during the watch phase: apiserver ${round(watchCpu.apiserver)} s, this benchmark client ${round(watchCpu.client)} s`);
    notes.push(`the apiserver reported ${wr.serverSideWatches ?? '?'} open pod watches during the updates; ${wr.missing} events missing; the watch phase took ${round(wr.durationMs / 1000)} s`);
    notes.push('watch delivery is measured two ways: from the arrival of the PATCH response to the event\'s arrival at each watcher (0 if the event came first), and from the timestamp written into the pod (an annotation) just before the PATCH was sent, which includes the whole write path');
    const rssEnd = rssBytes(cluster.apiserverPid);
    rows.push({ metric: `apiserver RSS after the watch phase`, value: mib(rssEnd) });
    if (f.cpuProf) notes.push(`CPU profile of the apiserver written to ${f.cpuProf}`);
    return { name: 'apiserver', title: 'apiserver benchmark', rows, notes };
  } catch (err) {
    if (cluster) console.error(`apiserver log: ${cluster.apiserverLog} (removed at exit)`);
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    log('stopping');
    await stopAll();
  }
}

/**
 * Runs the --secure comparison, prints it, and records it in RESULTS.md under its own
 * heading ("apiserver --secure"), so that it does not replace the day's full apiserver run.
 */
async function recordSecureComparison(f: Flags, args: string[]): Promise<void> {
  const started = new Date();
  const load = loadavg()[0]!;
  const report = await runSecureComparison(f);
  console.log(`\n${formatText(report)}`);
  const header = `Run ${started.toISOString().replace(/\.\d+Z$/, 'Z')} with \`${args.join(' ')}\`; machine: ${machineDescription()}; load average ${load.toFixed(1)} at the start (the machine is shared).`;
  const path = process.env.TKUBE_BENCH_RESULTS ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'RESULTS.md');
  recordResult(path, sectionHeading('apiserver --secure', started.toISOString().slice(0, 10)), `${header}\n\n${formatMarkdown(report)}`);
  if (!passed(report)) process.exitCode = 1;
}

/** `--secure`: plain vs secured apiserver, each with its own etcd, creates in alternating rounds. */
async function runSecureComparison(f: Flags): Promise<BenchReport> {
  let plain: BenchCluster | undefined;
  let secure: BenchCluster | undefined;
  const clients: HttpClient[] = [];
  const stopAll = async () => {
    for (const c of clients) c.close();
    await plain?.stop();
    await secure?.stop();
  };
  const onSignal = () => void stopAll().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    log('starting a plain and a secure apiserver, each with its own etcd');
    plain = await startCluster();
    secure = await startCluster({ secure: true });
    const access = secure.secure!;
    const admin = new HttpClient(secure.apiserverUrl, 1, { ca: access.ca, ...access.admin });
    clients.push(admin);
    await bindBenchUser(admin);
    const writer = await access.clientCertificate(SECURE_BENCH_USER);
    const plainHttp = new HttpClient(plain.apiserverUrl, f.concurrency);
    const secureHttp = new HttpClient(secure.apiserverUrl, f.concurrency, { ca: access.ca, ...writer });
    clients.push(plainHttp, secureHttp);

    log(`creates: warm-up ${f.warmup} each, ${f.rounds} rounds × ${f.perRound} per side at concurrency ${f.concurrency}`);
    const r = await measureSecureCreates(plainHttp, secureHttp, { concurrency: f.concurrency, warmup: f.warmup, perRound: f.perRound, rounds: f.rounds });
    const s = summarizeSecureCreates(r);
    const rows: BenchRow[] = [
      { metric: `pod creates/s, HTTPS + authn + Node,RBAC (median of ${f.rounds})`, value: fmt(s.secure), reference: `${fmt(s.plain)} plain HTTP, no auth`, ratio: s.ratio, target: 'ratio ≥ 0.80', ok: s.ratio >= 0.8 },
      { metric: 'create latency p50 / p99, secure', value: `${round(s.secureP50)} / ${round(s.secureP99)} ms`, reference: `${round(s.plainP50)} / ${round(s.plainP99)} ms plain` },
    ];
    const notes = [
      `the secure side authenticates with a client certificate (ECDSA P-256, keep-alive connections) as "${SECURE_BENCH_USER}", bound to the edit ClusterRole in the namespace; plain and secure rounds alternate`,
      `per-round rates: plain ${r.plainRates.map(fmt).join(', ')}; secure ${r.secureRates.map(fmt).join(', ')}`,
    ];
    return { name: 'apiserver', title: 'apiserver benchmark: security on vs off (creates)', rows, notes };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    log('stopping');
    await stopAll();
  }
}
