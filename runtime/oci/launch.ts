// Writes a bundle and creates the container under conmon (not yet started).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { RuntimeContext } from '../context.js';
import { conmonCreate } from './conmon.js';
import type { OciSpec } from './spec.js';

export async function createUnderConmon(
  ctx: RuntimeContext,
  id: string,
  bundle: string,
  spec: OciSpec,
  logPath: string,
  stdio: { stdin?: boolean } = {},
): Promise<number> {
  await fs.mkdir(bundle, { recursive: true });
  await fs.mkdir(path.dirname(logPath), { recursive: true });
  await fs.writeFile(path.join(bundle, 'config.json'), JSON.stringify(spec, null, 2));
  await fs.rm(ctx.paths.exitFile(id), { force: true });
  return conmonCreate({
    conmonBinary: ctx.conmon,
    runtimeBinary: ctx.oci.binary,
    runtimeRoot: ctx.oci.root,
    runtimeArgs: ctx.oci.globalArgs,
    id,
    bundle,
    containerPidFile: path.join(bundle, 'container.pid'),
    conmonPidFile: path.join(bundle, 'conmon.pid'),
    logPath,
    exitDir: ctx.paths.exitDir,
    socketDir: ctx.paths.socketDir,
    terminal: spec.process.terminal,
    stdin: stdio.stdin ?? false,
  });
}

/** The exit code conmon recorded and when, or undefined while the container runs. */
export async function readExitFile(ctx: RuntimeContext, id: string): Promise<{ code: number; at: number } | undefined> {
  const file = ctx.paths.exitFile(id);
  try {
    const [text, st] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)]);
    const code = Number(text.trim());
    if (text.trim() === '' || Number.isNaN(code)) return undefined;
    return { code, at: st.mtimeMs };
  } catch {
    return undefined;
  }
}

/** Polls for the exit file until `timeoutMs`; true when the container has exited. */
export async function waitForExit(ctx: RuntimeContext, id: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await readExitFile(ctx, id)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Asks conmon to reopen the container's log file (after the kubelet rotated it),
 * through the control fifo conmon keeps in the bundle: "<event> <a> <b>\n",
 * event 2 = reopen logs.
 */
export async function reopenLog(bundle: string): Promise<void> {
  const { constants } = await import('node:fs');
  const fh = await fs.open(path.join(bundle, 'ctl'), constants.O_WRONLY | constants.O_NONBLOCK);
  try {
    await fh.write('2 0 0\n');
  } finally {
    await fh.close();
  }
}

/** conmon leaves a <socketDir>/<id> symlink to the bundle behind; remove it with the container. */
export async function removeConmonLeftovers(ctx: RuntimeContext, id: string): Promise<void> {
  await fs.rm(path.join(ctx.paths.socketDir, id), { force: true });
  await fs.rm(ctx.paths.exitFile(id), { force: true });
}
