/**
 * Watch fan-out: N client watches on the pods of one namespace from a resourceVersion,
 * then M pod updates (merge patches writing a send timestamp into an annotation) at a
 * steady rate. Every watcher must see every update, in resourceVersion order; delivery
 * latency is event arrival minus the timestamp written in the update.
 *
 * Watch lines are not fully parsed (500 watchers × 2,000 events would be 2 GB of JSON for
 * this one process): the type, resourceVersion and timestamp are cut out of the line,
 * and one watcher parses every line in full to prove the cutting right.
 */
import { request, Agent, type ClientRequest } from 'node:http';
import type { HttpClient } from './http-client.js';
import { BENCH_NAMESPACE } from './pod-fixture.js';
import { podName } from './create-phase.js';

export const SENT_AT = 'bench.tkube.io/sent-at';

export interface WatchOptions {
  watchers: number;
  updates: number;
  /** Updates per second. */
  rate: number;
  /** Pods named podName(0..pods-1) exist; updates go round-robin over them. */
  pods: number;
}

export interface WatchResult {
  watchers: number;
  updates: number;
  /** Watchers that saw exactly the updates' resourceVersions, in order. */
  inOrder: number;
  missing: number;
  /** Event arrival minus the timestamp written into the pod just before its PATCH was sent. */
  latenciesMs: Float64Array;
  /** Event arrival minus the arrival of the PATCH's response (0 when the event came first). */
  afterResponseMs: Float64Array;
  updateLatencyMs: number[];
  /** Checks of the line cutter against a full JSON parse. */
  parseMismatches: number;
  durationMs: number;
  /** apiserver_longrunning_requests for pods while the watches were open. */
  serverSideWatches?: number;
  /** etcd's watcher gauge while all client watches were open. */
  etcdWatchersDuring?: number;
}

const now = () => performance.timeOrigin + performance.now();

interface Watcher {
  rvs: number[];
  arrivals: number[];
  req: ClientRequest;
  done: boolean;
}

const RV_MARK = Buffer.from('"resourceVersion":"');
const SENT_MARK = Buffer.from(`"${SENT_AT}":"`);
const MODIFIED_PREFIX = Buffer.from('{"type":"MODIFIED"');

/** The string value after `mark` inside buf[start, end), as latin1 (digits and dots only here). */
function cutValue(buf: Buffer, mark: Buffer, start: number, end: number): string | undefined {
  const i = buf.indexOf(mark, start);
  if (i < 0 || i >= end) return undefined;
  const from = i + mark.length;
  const to = buf.indexOf(0x22, from); // closing quote
  return buf.toString('latin1', from, to);
}

export async function measureWatch(baseUrl: string, http: HttpClient, o: WatchOptions, during: () => Promise<Partial<WatchResult>>): Promise<WatchResult> {
  const list = JSON.parse((await http.ok('GET', `/api/v1/namespaces/${BENCH_NAMESPACE}/pods?limit=1`)).body.toString('utf8')) as { metadata: { resourceVersion: string } };
  const fromRv = list.metadata.resourceVersion;
  const u = new URL(baseUrl);
  const agent = new Agent({ keepAlive: false, maxSockets: o.watchers + 10 });
  const latencies = new Float64Array(o.watchers * o.updates);
  let nLat = 0;
  let mismatches = 0;
  let received = 0;
  const expectedTotal = o.watchers * o.updates;
  let allReceived!: () => void;
  const allIn = new Promise<void>((r) => (allReceived = r));
  const watchers: Watcher[] = [];

  const open = (index: number) =>
    new Promise<Watcher>((resolve, reject) => {
      const path = `/api/v1/namespaces/${BENCH_NAMESPACE}/pods?watch=true&resourceVersion=${fromRv}`;
      const w: Watcher = { rvs: [], arrivals: [], req: undefined as unknown as ClientRequest, done: false };
      w.req = request({ host: u.hostname, port: Number(u.port), path, agent }, (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`watch answered HTTP ${res.statusCode}`));
          return;
        }
        let pending: Buffer | undefined;
        res.on('data', (chunk: Buffer) => {
          const arrived = now();
          const buf = pending ? Buffer.concat([pending, chunk]) : chunk;
          let start = 0;
          let nl: number;
          while ((nl = buf.indexOf(0x0a, start)) >= 0) {
            const lineStart = start;
            start = nl + 1;
            if (buf.compare(MODIFIED_PREFIX, 0, MODIFIED_PREFIX.length, lineStart, lineStart + MODIFIED_PREFIX.length) !== 0) continue;
            const rv = Number(cutValue(buf, RV_MARK, lineStart, nl));
            const sent = Number(cutValue(buf, SENT_MARK, lineStart, nl));
            if (index === 0) {
              const ev = JSON.parse(buf.toString('utf8', lineStart, nl)) as { object: { metadata: { resourceVersion: string; annotations?: Record<string, string> } } };
              if (Number(ev.object.metadata.resourceVersion) !== rv || Number(ev.object.metadata.annotations?.[SENT_AT]) !== sent) mismatches++;
            }
            w.rvs.push(rv);
            w.arrivals.push(arrived);
            latencies[nLat++] = arrived - sent;
            if (++received === expectedTotal) allReceived();
          }
          pending = start < buf.length ? buf.subarray(start) : undefined;
        });
        res.on('error', () => undefined);
        resolve(w);
      });
      w.req.on('error', (err) => (w.done ? undefined : reject(err)));
      w.req.end();
    });

  try {
    for (let i = 0; i < o.watchers; i += 50) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, o.watchers - i) }, (_, j) => open(i + j)));
      watchers.push(...batch);
    }

    // Steady-rate updates: update k is sent at t0 + k/rate (or later, if the server is slower).
    const updateRvs: number[] = [];
    const updateLatencyMs: number[] = [];
    const responseAt = new Map<number, number>();
    const t0 = performance.now();
    let nextUpdate = 0;
    const updater = async () => {
      for (;;) {
        const k = nextUpdate++;
        if (k >= o.updates) return;
        const due = t0 + (k * 1000) / o.rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const sent = now();
        const patch = JSON.stringify({ metadata: { annotations: { [SENT_AT]: sent.toFixed(3) } } });
        const res = await http.ok('PATCH', `/api/v1/namespaces/${BENCH_NAMESPACE}/pods/${podName(k % o.pods)}`, patch, 'application/merge-patch+json');
        const answered = now();
        updateLatencyMs.push(answered - sent);
        const obj = JSON.parse(res.body.toString('utf8')) as { metadata: { resourceVersion: string } };
        const rv = Number(obj.metadata.resourceVersion);
        updateRvs.push(rv);
        responseAt.set(rv, answered);
      }
    };
    await Promise.all(Array.from({ length: 16 }, updater));
    const extra = await during();
    const timeout = new Promise<void>((r) => setTimeout(r, 30_000).unref());
    await Promise.race([allIn, timeout]);
    const durationMs = performance.now() - t0;

    updateRvs.sort((a, b) => a - b);
    let inOrder = 0;
    const afterResponse = new Float64Array(received);
    let nAfter = 0;
    for (const w of watchers) {
      if (w.rvs.length === updateRvs.length && w.rvs.every((rv, i) => rv === updateRvs[i])) inOrder++;
      for (let i = 0; i < w.rvs.length; i++) {
        const answered = responseAt.get(w.rvs[i]!);
        if (answered !== undefined) afterResponse[nAfter++] = Math.max(0, w.arrivals[i]! - answered);
      }
    }
    return {
      watchers: watchers.length,
      updates: updateRvs.length,
      inOrder,
      missing: expectedTotal - received,
      latenciesMs: latencies.subarray(0, nLat),
      afterResponseMs: afterResponse.subarray(0, nAfter),
      updateLatencyMs,
      parseMismatches: mismatches,
      durationMs,
      ...extra,
    };
  } finally {
    for (const w of watchers) {
      w.done = true;
      w.req.destroy();
    }
    agent.destroy();
  }
}

/** Nearest-rank percentile of a large typed sample (sorted as numbers, in place on a copy). */
export function latencyPercentile(samples: Float64Array, p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = Float64Array.from(samples).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
