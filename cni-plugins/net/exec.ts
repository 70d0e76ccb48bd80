/**
 * Runs host tools (ip, iptables, nsenter) with argument arrays — never a shell — and
 * turns a non-zero exit into a CniError carrying the tool's stderr.
 */
import { spawn } from 'node:child_process';
import { CniError, CniErrorCode } from '../spec/errors.js';

export interface ExecOutput {
  code: number;
  stdout: string;
  stderr: string;
}

// Runtimes normally pass PATH through to plugins; if one does not, look in the usual places.
const TOOL_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: process.env['PATH'] || '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
};

/** Runs a command and reports its exit code and output, whatever the code. */
export function run(cmd: string, args: readonly string[], input?: string): Promise<ExecOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: TOOL_ENV });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new CniError(CniErrorCode.CommandFailed, `cannot run ${cmd}: ${e.message}`)));
    child.on('close', (code, signal) => {
      resolve({
        code: code ?? (signal !== null ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.on('error', () => undefined); // the tool may exit before reading all input
    child.stdin.end(input ?? '');
  });
}

/** Runs a command and returns its stdout; throws CniError on a non-zero exit. */
export async function runOk(cmd: string, args: readonly string[], input?: string): Promise<string> {
  const res = await run(cmd, args, input);
  if (res.code !== 0) {
    const what = [cmd, ...args].join(' ');
    const detail = (res.stderr.trim() || res.stdout.trim()).slice(0, 2000);
    throw new CniError(CniErrorCode.CommandFailed, `${what} failed (exit ${res.code})`, detail);
  }
  return res.stdout;
}
