// Starts a container's "create" step under conmon. conmon double-forks and
// daemonizes, so the container and its monitor survive a restart of this process;
// it runs `<runtime> create`, reports the container pid on the sync pipe, copies
// the container's stdio to the log file in CRI format (k8s-file) and writes the
// exit code to <exitDir>/<id> when the container's init exits.
import { spawn } from 'node:child_process';
import { z } from 'zod';

export interface ConmonOptions {
  conmonBinary: string;
  runtimeBinary: string;
  runtimeRoot: string;
  runtimeArgs: string[];
  id: string;
  bundle: string;
  containerPidFile: string;
  conmonPidFile: string;
  logPath: string;
  exitDir: string;
  socketDir: string;
  /** When set, conmon kills the container after this many seconds. */
  timeoutSeconds?: number;
  /** conmon allocates the container's terminal (the spec must say process.terminal). */
  terminal?: boolean;
  /** conmon keeps a stdin pipe open for the container (ContainerConfig.stdin). */
  stdin?: boolean;
}

const SyncMessageSchema = z.object({ data: z.number(), message: z.string().optional() });

export function conmonArgs(o: ConmonOptions): string[] {
  const args = [
    '--api-version', '1',
    '-c', o.id,
    '-u', o.id,
    '-n', o.id,
    '-r', o.runtimeBinary,
    '-b', o.bundle,
    '-p', o.containerPidFile,
    '-P', o.conmonPidFile,
    '-l', `k8s-file:${o.logPath}`,
    '--exit-dir', o.exitDir,
    '--socket-dir-path', o.socketDir,
    '--runtime-arg', '--root',
    '--runtime-arg', o.runtimeRoot,
    ...o.runtimeArgs.flatMap((a) => ['--runtime-arg', a]),
  ];
  if (o.timeoutSeconds) args.push('-T', String(o.timeoutSeconds));
  if (o.terminal) args.push('-t');
  if (o.stdin) args.push('-i');
  return args;
}

/** Creates the container through conmon and resolves with its init pid. */
export function conmonCreate(o: ConmonOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(o.conmonBinary, conmonArgs(o), {
      // conmon writes an "oom" marker file into its working directory on an OOM kill.
      cwd: o.bundle,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      env: { ...process.env, _OCI_SYNCPIPE: '3' },
    });
    const sync = child.stdio[3] as NodeJS.ReadableStream | null;
    let buf = '';
    let stderr = '';
    let settled = false;
    const finish = (err: Error | undefined, pid?: number): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      (sync as unknown as { destroy?: () => void } | null)?.destroy?.();
      child.stderr?.destroy();
      if (err) reject(err);
      else resolve(pid ?? 0);
    };
    const timer = setTimeout(() => finish(new Error(`conmon for ${o.id}: no pid reported within 30s`)), 30_000);
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', (e) => finish(e));
    sync?.on('data', (b: Buffer | string) => {
      buf += b.toString();
      const nl = buf.indexOf('\n');
      const line = (nl >= 0 ? buf.slice(0, nl) : buf).trim();
      let msg: z.infer<typeof SyncMessageSchema>;
      try {
        msg = SyncMessageSchema.parse(JSON.parse(line));
      } catch {
        return; // incomplete JSON so far
      }
      if (msg.data < 0) finish(new Error(`creating container ${o.id}: ${msg.message ?? 'runtime create failed'}`));
      else finish(undefined, msg.data);
    });
    sync?.on('end', () => {
      if (!settled) finish(new Error(`conmon for ${o.id} exited without reporting a pid: ${stderr.trim()}`));
    });
    // The first conmon process exits right after forking; don't keep the event loop for it.
    child.unref();
  });
}
