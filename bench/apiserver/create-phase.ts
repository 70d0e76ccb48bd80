/**
 * Create throughput: pods over REST vs the raw etcd create transaction (compare
 * create_revision == 0, then put) of the same stored bytes, both at the same concurrency
 * from this process, in alternating rounds so both sides see the same machine noise.
 */
import type { Etcd3 } from 'etcd3';
import { median, percentile } from '../stats.js';
import type { HttpClient } from './http-client.js';
import { runPool } from './http-client.js';
import { BENCH_NAMESPACE, benchPod } from './pod-fixture.js';

export interface CreateOptions {
  concurrency: number;
  warmup: number;
  /** CPU seconds used so far by the apiserver and by etcd (to report CPU per create). */
  cpu: () => { apiserver: number; etcd: number };
  perRound: number;
  rounds: number;
}

export interface CreateResult {
  restRates: number[];
  etcdRates: number[];
  restLatencyMs: number[];
  etcdLatencyMs: number[];
  requestBytes: number;
  storedBytes: number;
  /** CPU ms per create: the apiserver's on the REST side; etcd's on each side. */
  apiserverCpuMsPerCreate: number;
  etcdCpuMsPerRestCreate: number;
  etcdCpuMsPerRawCreate: number;
  /** Pods created over REST, named podName(0..created-1). */
  created: number;
}

export const podName = (i: number): string => `bench-pod-${String(i).padStart(6, '0')}`;
const PODS_PATH = `/api/v1/namespaces/${BENCH_NAMESPACE}/pods`;

export async function createPods(http: HttpClient, from: number, count: number, concurrency: number): Promise<number[]> {
  return runPool(count, concurrency, async (i) => {
    await http.ok('POST', PODS_PATH, JSON.stringify(benchPod(podName(from + i))));
  });
}

export async function measureCreates(http: HttpClient, etcd: Etcd3, o: CreateOptions): Promise<CreateResult> {
  let next = 0;
  await createPods(http, next, o.warmup, o.concurrency);
  next += o.warmup;

  // The raw side writes exactly what the apiserver stores for a pod (defaults, uid, timestamps).
  const sample = JSON.parse((await http.ok('GET', `${PODS_PATH}/${podName(0)}`)).body.toString('utf8')) as { metadata: Record<string, unknown> };
  delete sample.metadata.resourceVersion;
  const storedValue = (name: string) => JSON.stringify({ ...sample, metadata: { ...sample.metadata, name } });
  let rawNext = 0;
  const rawCreate = async (count: number) =>
    runPool(count, o.concurrency, async () => {
      const name = podName(rawNext++);
      const key = Buffer.from(`/tkube-bench/raw/pods/${BENCH_NAMESPACE}/${name}`);
      const res = await etcd.kv.txn({
        compare: [{ key, target: 'Create', result: 'Equal', create_revision: 0 }],
        success: [{ request_put: { key, value: Buffer.from(storedValue(name)) } }],
        failure: [],
      });
      if (!res.succeeded) throw new Error(`raw create of ${name} found the key already there`);
    });
  await rawCreate(o.warmup);

  const result: CreateResult = {
    restRates: [],
    etcdRates: [],
    restLatencyMs: [],
    etcdLatencyMs: [],
    requestBytes: JSON.stringify(benchPod(podName(0))).length,
    storedBytes: storedValue(podName(0)).length,
    apiserverCpuMsPerCreate: 0,
    etcdCpuMsPerRestCreate: 0,
    etcdCpuMsPerRawCreate: 0,
    created: 0,
  };
  let restCpu = { apiserver: 0, etcd: 0 };
  let rawEtcdCpu = 0;
  for (let r = 0; r < o.rounds; r++) {
    let c0 = o.cpu();
    let t0 = performance.now();
    const raw = await rawCreate(o.perRound);
    result.etcdRates.push(o.perRound / ((performance.now() - t0) / 1000));
    result.etcdLatencyMs.push(...raw);
    rawEtcdCpu += o.cpu().etcd - c0.etcd;

    c0 = o.cpu();
    t0 = performance.now();
    const rest = await createPods(http, next, o.perRound, o.concurrency);
    result.restRates.push(o.perRound / ((performance.now() - t0) / 1000));
    const c1 = o.cpu();
    restCpu = { apiserver: restCpu.apiserver + c1.apiserver - c0.apiserver, etcd: restCpu.etcd + c1.etcd - c0.etcd };
    result.restLatencyMs.push(...rest);
    next += o.perRound;
  }
  result.created = next;
  const perCreate = (seconds: number) => (seconds * 1000) / (o.perRound * o.rounds);
  result.apiserverCpuMsPerCreate = perCreate(restCpu.apiserver);
  result.etcdCpuMsPerRestCreate = perCreate(restCpu.etcd);
  result.etcdCpuMsPerRawCreate = perCreate(rawEtcdCpu);
  return result;
}

export function summarizeCreates(r: CreateResult) {
  const rest = median(r.restRates);
  const raw = median(r.etcdRates);
  return {
    rest,
    raw,
    ratio: rest / raw,
    restP50: percentile(r.restLatencyMs, 50),
    restP99: percentile(r.restLatencyMs, 99),
    rawP50: percentile(r.etcdLatencyMs, 50),
    rawP99: percentile(r.etcdLatencyMs, 99),
  };
}
