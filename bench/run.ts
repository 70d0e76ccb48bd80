/**
 * `npm run bench -- <name> [args]`: runs bench/<name>.ts, prints what it measured next to
 * the reference measured in the same run, and records a dated section in bench/RESULTS.md.
 *
 * A benchmark module exports `run<Name>Bench(args)` returning a BenchReport (a string is
 * accepted too and recorded as is). Modules are imported lazily so that one missing
 * benchmark does not break the others.
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { formatMarkdown, formatText, passed, type BenchReport } from './report.js';
import { machineDescription, recordResult, sectionHeading } from './results-file.js';

type BenchResult = BenchReport | string | void;
type BenchFn = (args: string[]) => Promise<BenchResult>;

const BENCHMARKS: Record<string, { module: string; export: string }> = {
  apiserver: { module: './apiserver.js', export: 'runApiserverBench' },
  scheduler: { module: './scheduler.js', export: 'runSchedulerBench' },
  runtime: { module: './runtime.js', export: 'runRuntimeBench' },
  controllers: { module: './controllers.js', export: 'runControllersBench' },
  kubelet: { module: './kubelet.js', export: 'runKubeletBench' },
  cluster: { module: './cluster.js', export: 'runClusterBench' },
};

/** bench/RESULTS.md in the source tree (this file runs from dist/bench/). */
function resultsPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return process.env.TKUBE_BENCH_RESULTS ?? join(here, '..', '..', 'bench', 'RESULTS.md');
}

async function load(name: string): Promise<BenchFn> {
  const entry = BENCHMARKS[name];
  if (!entry) throw new Error(`unknown benchmark "${name}"; known: ${Object.keys(BENCHMARKS).join(', ')}`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(entry.module)) as Record<string, unknown>;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_MODULE_NOT_FOUND' && e.message.includes(entry.module.slice(2))) {
      throw new Error(`benchmark "${name}" is not built: bench/${name}.ts is missing or was not compiled (npm run build)`);
    }
    throw err;
  }
  const fn = mod[entry.export];
  if (typeof fn !== 'function') throw new Error(`bench/${name}.ts does not export ${entry.export}(args)`);
  return fn as BenchFn;
}

function isReport(r: BenchResult): r is BenchReport {
  return typeof r === 'object' && r !== null && Array.isArray((r as BenchReport).rows);
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(`usage: npm run bench -- <name> [args]\nbenchmarks: ${Object.keys(BENCHMARKS).join(', ')}`);
    return name ? 0 : 2;
  }
  const fn = await load(name);
  const started = new Date();
  const loadAtStart = loadavg()[0]!;
  const result = await fn(args);
  const machine = machineDescription();
  const date = started.toISOString().slice(0, 10);
  let body: string;
  let ok = true;
  if (isReport(result)) {
    console.log(`\n${formatText(result)}`);
    body = formatMarkdown(result);
    ok = passed(result);
  } else if (typeof result === 'string') {
    console.log(result);
    body = result;
  } else {
    return 0; // the benchmark printed and recorded its own results
  }
  const header = `Run ${started.toISOString().replace(/\.\d+Z$/, 'Z')}${args.length ? ` with \`${args.join(' ')}\`` : ''}; machine: ${machine}; load average ${loadAtStart.toFixed(1)} at the start (the machine is shared).`;
  const path = resultsPath();
  recordResult(path, sectionHeading(name, date), `${header}\n\n${body}`);
  console.log(`\nrecorded in ${path}`);
  return ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
