/**
 * bench/RESULTS.md: one dated section per benchmark and day. Running a benchmark again
 * on the same day replaces its section; other sections are kept as they are.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

export const RESULTS_HEADER = '# Benchmark results\n\nWritten by `npm run bench -- <name>`; one section per benchmark and day (a rerun on the same day replaces it). Medians and ratios; these machines are noisy.\n';

export function sectionHeading(name: string, date: string): string {
  return `## ${name} — ${date}`;
}

/** Replaces the section that starts with `heading` (up to the next `## `), or appends it. */
export function upsertSection(document: string, heading: string, body: string): string {
  const section = `${heading}\n\n${body.trim()}\n`;
  const doc = document.trim() ? document : RESULTS_HEADER;
  const lines = doc.split('\n');
  const start = lines.findIndex((l) => l === heading);
  if (start < 0) return `${doc.trimEnd()}\n\n${section}`;
  let end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  if (end < 0) end = lines.length;
  const before = lines.slice(0, start).join('\n').trimEnd();
  const after = lines.slice(end).join('\n').trim();
  return `${before}\n\n${section}${after ? `\n${after}\n` : ''}`;
}

export function recordResult(path: string, heading: string, body: string): void {
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
  writeFileSync(path, upsertSection(current, heading, body));
}

/** The machine, as RESULTS.md quotes it. */
export function machineDescription(): string {
  const gib = totalmem() / 1024 ** 3;
  const model = cpus()[0]?.model?.trim() ?? 'unknown CPU';
  return `${cpus().length} cores (${model}), ${gib.toFixed(1)} GiB memory, Node ${process.version}`;
}
