/**
 * `tkctl exec [-i] [-t] POD -- COMMAND...`: a websocket to pods/<name>/exec. With -t the
 * local terminal goes raw and its size is sent on the resize channel; the remote exit
 * code becomes ours ("command terminated with exit code N").
 */
import type { ReadStream } from 'node:tty';
import WebSocket from 'ws';
import { objectPath } from '../../api/client/kube-client.js';
import { pods } from '../../api/registry.js';
import { CLOSE, ERROR, STDERR, STDIN, STDOUT, SUBPROTOCOLS, frame, outcomeOfStatus, resizeFrame, type ExecOutcome } from './exec-protocol.js';
import { connectionOptions, requestUrl } from './http.js';
import { CliError, ExitCode, type CliIO } from './io.js';
import { containerFor, podName } from './cmd-logs.js';
import type { Session } from './session.js';

export interface ExecOptions {
  container?: string;
  stdin?: boolean;
  tty?: boolean;
}

export function execUrl(session: Session, name: string, container: string, command: string[], o: ExecOptions): URL {
  const url = requestUrl(session.conn, objectPath(pods, session.namespace, name, 'exec'));
  const params = new URLSearchParams();
  for (const c of command) params.append('command', c);
  params.set('container', container);
  if (o.stdin) params.set('stdin', 'true');
  params.set('stdout', 'true');
  // With a TTY the terminal merges stderr into stdout.
  if (!o.tty) params.set('stderr', 'true');
  if (o.tty) params.set('tty', 'true');
  url.search = params.toString();
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url;
}

export async function runExec(session: Session, arg: string, command: string[], o: ExecOptions, io: CliIO): Promise<void> {
  if (command.length === 0) throw new CliError('you must specify at least one command for the container');
  const name = podName(arg);
  const container = await containerFor(session, name, o.container, io);
  const url = execUrl(session, name, container, command, o);
  const base = connectionOptions(session.conn);
  const ws = new WebSocket(url, SUBPROTOCOLS, { headers: base.headers as Record<string, string>, ca: base.ca, cert: base.cert, key: base.key, rejectUnauthorized: base.rejectUnauthorized });
  const tty = o.tty ? (io.stdin as ReadStream) : undefined;
  const outcome = await new Promise<ExecOutcome>((resolve, reject) => {
    let result: ExecOutcome | undefined;
    const cleanup: (() => void)[] = [];
    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let message = text.trim() || `the server responded with HTTP ${res.statusCode}`;
        try {
          message = (JSON.parse(text) as { message?: string }).message ?? message;
        } catch {
          // plain text body
        }
        reject(new CliError(message));
      });
    });
    ws.on('error', (err) => reject(err));
    ws.on('open', () => {
      if (o.stdin) {
        if (tty?.isTTY && typeof tty.setRawMode === 'function') {
          tty.setRawMode(true);
          cleanup.push(() => tty.setRawMode(false));
        }
        const onData = (chunk: Buffer | string) => ws.send(frame(STDIN, chunk));
        const onEnd = () => {
          if (ws.protocol === 'v5.channel.k8s.io') ws.send(Buffer.from([CLOSE, STDIN]));
        };
        io.stdin.on('data', onData);
        io.stdin.on('end', onEnd);
        cleanup.push(() => {
          io.stdin.off('data', onData);
          io.stdin.off('end', onEnd);
          io.stdin.pause();
        });
      }
      const out = io.stdout as NodeJS.WriteStream;
      if (o.tty && typeof out.columns === 'number') {
        const sendSize = () => ws.send(resizeFrame(out.columns, out.rows));
        sendSize();
        out.on('resize', sendSize);
        cleanup.push(() => out.off('resize', sendSize));
      }
    });
    ws.on('message', (data: Buffer) => {
      const channel = data[0];
      const body = data.subarray(1);
      if (channel === STDOUT) io.stdout.write(body);
      else if (channel === STDERR) io.stderr.write(body);
      else if (channel === ERROR) result = outcomeOfStatus(body.toString('utf8'));
    });
    ws.on('close', () => {
      for (const c of cleanup) c();
      resolve(result ?? { exitCode: 0 });
    });
  });
  if (outcome.error) throw new CliError(outcome.error);
  if (outcome.exitCode !== 0) {
    io.stderr.write(`command terminated with exit code ${outcome.exitCode}\n`);
    throw new ExitCode(outcome.exitCode);
  }
}
