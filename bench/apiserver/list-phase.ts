/** List latency of every pod in the namespace: from the watch cache (resourceVersion=0) and consistent (from etcd). */
import { median, percentile } from '../stats.js';
import type { HttpClient } from './http-client.js';
import { BENCH_NAMESPACE } from './pod-fixture.js';

export interface ListResult {
  items: number;
  bytes: number;
  cachedMs: number[];
  consistentMs: number[];
}

async function timedList(http: HttpClient, query: string): Promise<{ ms: number; items: number; bytes: number }> {
  const t0 = performance.now();
  const res = await http.ok('GET', `/api/v1/namespaces/${BENCH_NAMESPACE}/pods${query}`);
  const ms = performance.now() - t0;
  // Count items without a full parse: every pod has exactly one "uid" (the fixture has no ownerReferences).
  const body = res.body.toString('utf8');
  let items = 0;
  for (let i = body.indexOf('"uid":"'); i >= 0; i = body.indexOf('"uid":"', i + 1)) items++;
  return { ms, items, bytes: res.body.length };
}

export async function measureLists(http: HttpClient, rounds: number): Promise<ListResult> {
  const out: ListResult = { items: 0, bytes: 0, cachedMs: [], consistentMs: [] };
  await timedList(http, '?resourceVersion=0'); // warm-up
  for (let i = 0; i < rounds; i++) {
    const cached = await timedList(http, '?resourceVersion=0');
    out.cachedMs.push(cached.ms);
    out.items = cached.items;
    out.bytes = cached.bytes;
    const consistent = await timedList(http, '');
    out.consistentMs.push(consistent.ms);
    if (consistent.items !== cached.items) throw new Error(`consistent list has ${consistent.items} pods, cached list ${cached.items}`);
  }
  return out;
}

export function summarizeLists(r: ListResult) {
  return { cachedP50: median(r.cachedMs), cachedP99: percentile(r.cachedMs, 99), consistentP50: median(r.consistentMs) };
}
