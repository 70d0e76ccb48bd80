/**
 * Slow start: call `fn` `count` times in batches of 1, 2, 4, 8, ... running each batch
 * in parallel. The first batch with a failure stops everything after it, so a call that
 * fails every time (quota exceeded, namespace terminating) costs a handful of requests
 * instead of hundreds. An aborted `signal` (the controller lost its leader lease or is
 * stopping) starts no further batch either. Returns how many calls succeeded and the
 * first error, if any.
 */
export interface SlowStartResult {
  successes: number;
  error?: unknown;
}

export async function slowStartBatch(
  count: number,
  initialBatchSize: number,
  fn: () => Promise<void>,
  signal?: AbortSignal,
): Promise<SlowStartResult> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    if (signal?.aborted) return { successes };
    const outcomes = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failures = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    successes += batch - failures.length;
    if (failures.length > 0) return { successes, error: failures[0]!.reason };
    remaining -= batch;
  }
  return { successes };
}
