// Stream handlers: exec (runc exec with piped stdio), attach (follows the
// container's CRI log, output only) and port-forward (a TCP relay run inside the
// pod's network namespace).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { promises as fs } from 'node:fs';
import type { WebSocket } from 'ws';
import { CLOSE, ERROR, errorStatus, exitStatus, frame, STDERR, STDIN, STDOUT } from './channel-protocol.js';

export interface ExecStreamOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

/**
 * Holds the messages a client sends before its session is wired up (kubectl sends
 * stdin and the terminal size right after connecting, while the exec is still starting).
 */
export function bufferMessages(ws: WebSocket): () => Buffer[] {
  const early: Buffer[] = [];
  const onMessage = (data: Buffer, isBinary: boolean): void => {
    early.push(isBinary ? Buffer.from(data) : Buffer.from(data.toString()));
  };
  ws.on('message', onMessage);
  return () => {
    ws.off('message', onMessage);
    return early;
  };
}

/** Wires a running exec child process to a channel-protocol websocket. */
export function serveExec(
  ws: WebSocket,
  child: ChildProcessWithoutNullStreams,
  o: ExecStreamOptions,
  cleanup: () => Promise<void>,
  early: Buffer[] = [],
): void {
  const send = (ch: number, data: Buffer | string): void => {
    if (ws.readyState === ws.OPEN) ws.send(frame(ch, data));
  };
  child.stdout.on('data', (b: Buffer) => o.stdout && send(STDOUT, b));
  child.stderr.on('data', (b: Buffer) => send(o.stderr ? STDERR : STDOUT, b));
  child.stdin.on('error', () => undefined);
  if (!o.stdin) child.stdin.end();
  const onMessage = (buf: Buffer): void => {
    if (buf.length === 0) return;
    if (buf[0] === STDIN && o.stdin) child.stdin.write(buf.subarray(1));
    else if (buf[0] === CLOSE && buf[1] === STDIN) child.stdin.end();
    // Resize (channel 4) has no terminal to act on: ignored.
  };
  for (const m of early) onMessage(m);
  ws.on('message', (data: Buffer, isBinary: boolean) => onMessage(isBinary ? data : Buffer.from(data.toString())));
  ws.on('close', () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  if (ws.readyState !== ws.OPEN) child.kill('SIGKILL'); // the client left while the exec was starting
  child.on('close', (code, signal) => {
    const exitCode = code ?? (signal ? 137 : 1);
    send(ERROR, exitStatus(exitCode));
    ws.close(1000);
    void cleanup();
  });
  child.on('error', (err) => {
    send(ERROR, errorStatus(String(err)));
    ws.close(1000);
  });
}

/**
 * Attach without stdin: streams what the container writes, from the point of
 * attaching, by following the CRI log conmon writes; ends when it exits.
 */
export function serveLogAttach(ws: WebSocket, logPath: string, o: ExecStreamOptions, exited: () => Promise<boolean>): void {
  let offset = -1;
  let partial = '';
  let stopped = false;
  const send = (ch: number, data: string): void => {
    if (ws.readyState === ws.OPEN) ws.send(frame(ch, data));
  };
  ws.on('close', () => (stopped = true));
  const poll = async (): Promise<void> => {
    while (!stopped) {
      const done = await exited();
      try {
        const st = await fs.stat(logPath);
        if (offset < 0) offset = st.size;
        if (st.size > offset) {
          const fh = await fs.open(logPath, 'r');
          const buf = Buffer.alloc(st.size - offset);
          await fh.read(buf, 0, buf.length, offset);
          await fh.close();
          offset = st.size;
          partial += buf.toString();
          const lines = partial.split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) {
            const m = /^\S+ (stdout|stderr) ([PF]) (.*)$/.exec(line);
            if (!m) continue;
            const text = m[2] === 'F' ? `${m[3]}\n` : (m[3] ?? '');
            if (m[1] === 'stdout' && o.stdout) send(STDOUT, text);
            if (m[1] === 'stderr' && o.stderr) send(STDERR, text);
          }
        }
      } catch {
        if (offset < 0) offset = 0;
      }
      if (done) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    send(ERROR, exitStatus(0));
    ws.close(1000);
  };
  void poll();
}

/**
 * Port-forward over the portforward.k8s.io websocket framing: for port i,
 * channel 2i carries data and 2i+1 errors; the first frame on each channel is
 * the port number (uint16 little endian). Connections are made from inside the
 * pod's network namespace by a relay process (nsenter + busybox nc).
 */
export function servePortForward(ws: WebSocket, netnsPath: string, ports: number[]): void {
  const relays: ChildProcessWithoutNullStreams[] = [];
  const send = (ch: number, data: Buffer): void => {
    if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([ch]), data]));
  };
  ports.forEach((port, i) => {
    const dataCh = 2 * i;
    const errCh = dataCh + 1;
    const portBytes = Buffer.alloc(2);
    portBytes.writeUInt16LE(port);
    send(dataCh, portBytes);
    send(errCh, portBytes);
    const relay = spawn('nsenter', [`--net=${netnsPath}`, 'busybox', 'nc', '127.0.0.1', String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
    relays[i] = relay;
    relay.stdout.on('data', (b: Buffer) => send(dataCh, b));
    relay.stdin.on('error', () => undefined);
    relay.on('close', (code) => {
      if (code) send(errCh, Buffer.from(`error forwarding port ${port}: relay exited ${code}`));
    });
  });
  ws.on('message', (data: Buffer) => {
    if (data.length === 0) return;
    const ch = data[0]!;
    const relay = ch % 2 === 0 ? relays[ch / 2] : undefined;
    relay?.stdin.write(data.subarray(1));
  });
  ws.on('close', () => relays.forEach((r) => r.exitCode === null && r.kill('SIGKILL')));
}
