/** Runs tkctl in-process against a test control plane and captures what it prints. */
import { PassThrough, Readable } from 'node:stream';
import { runTkctl } from '../../cli/tkctl/main.js';
/** What tkctl needs of a cluster: a kubeconfig and a working directory. */
export interface TkctlTarget {
  kubeconfig: string;
  dir: string;
}

export interface TkctlResult {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

export async function tkctl(cp: TkctlTarget, args: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<TkctlResult> {
  const out = sink();
  const err = sink();
  const code = await runTkctl(['--kubeconfig', cp.kubeconfig, ...args], {
    stdout: out.stream,
    stderr: err.stream,
    stdin: Readable.from([opts.stdin ?? '']),
    env: { ...process.env, ...opts.env },
    cwd: opts.cwd ?? cp.dir,
  });
  // Let the PassThrough streams deliver what was written.
  await new Promise((r) => setImmediate(r));
  return { code, stdout: out.text(), stderr: err.text() };
}
