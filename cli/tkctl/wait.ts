/** Polling helpers with a deadline (CLI waits are short and rare: polling keeps them simple). */
import { parseDuration } from '../durations.js';
import { CliError } from './io.js';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** "30s", "5m", "0" (never time out) or a bare number of seconds, into milliseconds; undefined = default. */
export function parseTimeout(text: string | undefined, defaultMs: number): number {
  if (text === undefined) return defaultMs;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  try {
    return parseDuration(text);
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err));
  }
}

/** Calls `check` until it returns true; throws `timeoutMessage` after timeoutMs (0 = never). */
export async function pollUntil(check: () => Promise<boolean>, timeoutMs: number, timeoutMessage: string, intervalMs = 250): Promise<void> {
  const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
  for (;;) {
    if (await check()) return;
    if (Date.now() >= deadline) throw new CliError(timeoutMessage);
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}
