/**
 * The cost of security on the create path: pod creates over plain HTTP without
 * authentication vs over HTTPS with client-certificate authentication and Node,RBAC
 * authorization, each against its own apiserver and etcd, in alternating rounds at the
 * same concurrency. The secure side writes as an ordinary user bound to the `edit` role
 * (not system:masters, whose requests skip authorization), so RBAC is evaluated.
 */
import { median, percentile } from '../stats.js';
import { createPods } from './create-phase.js';
import type { HttpClient } from './http-client.js';
import { BENCH_NAMESPACE } from './pod-fixture.js';

export const SECURE_BENCH_USER = 'tkube-bench-writer';

export interface SecureCreateOptions {
  concurrency: number;
  warmup: number;
  perRound: number;
  rounds: number;
}

export interface SecureCreateResult {
  plainRates: number[];
  secureRates: number[];
  plainLatencyMs: number[];
  secureLatencyMs: number[];
}

/**
 * Prepares the benchmark namespace as a cluster's controllers would (as the admin): its
 * `default` ServiceAccount, which service-account admission requires of every pod (no
 * controller-manager runs here), and the benchmark user bound to the `edit` ClusterRole.
 */
export async function bindBenchUser(admin: HttpClient): Promise<void> {
  await admin.ok(
    'POST',
    `/api/v1/namespaces/${BENCH_NAMESPACE}/serviceaccounts`,
    JSON.stringify({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: BENCH_NAMESPACE } }),
  );
  await admin.ok(
    'POST',
    `/apis/rbac.authorization.k8s.io/v1/namespaces/${BENCH_NAMESPACE}/rolebindings`,
    JSON.stringify({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'tkube-bench-writer-edit', namespace: BENCH_NAMESPACE },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: SECURE_BENCH_USER }],
    }),
  );
}

export async function measureSecureCreates(plain: HttpClient, secure: HttpClient, o: SecureCreateOptions): Promise<SecureCreateResult> {
  let plainNext = 0;
  let secureNext = 0;
  await createPods(plain, plainNext, o.warmup, o.concurrency);
  plainNext += o.warmup;
  await createPods(secure, secureNext, o.warmup, o.concurrency);
  secureNext += o.warmup;
  const r: SecureCreateResult = { plainRates: [], secureRates: [], plainLatencyMs: [], secureLatencyMs: [] };
  for (let round = 0; round < o.rounds; round++) {
    let t0 = performance.now();
    r.plainLatencyMs.push(...(await createPods(plain, plainNext, o.perRound, o.concurrency)));
    r.plainRates.push(o.perRound / ((performance.now() - t0) / 1000));
    plainNext += o.perRound;

    t0 = performance.now();
    r.secureLatencyMs.push(...(await createPods(secure, secureNext, o.perRound, o.concurrency)));
    r.secureRates.push(o.perRound / ((performance.now() - t0) / 1000));
    secureNext += o.perRound;
  }
  return r;
}

export function summarizeSecureCreates(r: SecureCreateResult) {
  const plain = median(r.plainRates);
  const secure = median(r.secureRates);
  return {
    plain,
    secure,
    ratio: secure / plain,
    plainP50: percentile(r.plainLatencyMs, 50),
    plainP99: percentile(r.plainLatencyMs, 99),
    secureP50: percentile(r.secureLatencyMs, 50),
    secureP99: percentile(r.secureLatencyMs, 99),
  };
}
