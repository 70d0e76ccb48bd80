/**
 * logs and exec against a small fake apiserver endpoint (the kubelet side is not needed
 * to check what tkctl sends and how it prints what comes back).
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { writeKubeconfig } from '../../cli/kubeconfig.js';
import { tkctl, type TkctlTarget } from './run-tkctl.js';

const run = promisify(execFile);
let server: http.Server;
let target: TkctlTarget;
const requests: URL[] = [];

const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'main', image: 'busybox' }] } };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(url);
    if (url.pathname === '/api/v1/namespaces/default/pods/p') {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(pod));
    } else if (url.pathname === '/api/v1/namespaces/default/pods/p/log') {
      res.setHeader('Content-Type', 'text/plain');
      res.write('line 1\n');
      setTimeout(() => res.end('line 2\n'), 50);
    } else {
      res.statusCode = 404;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'pods "q" not found' }));
    }
  });
  const wss = new WebSocketServer({ server, handleProtocols: (protocols) => (protocols.has('v5.channel.k8s.io') ? 'v5.channel.k8s.io' : false) });
  wss.on('connection', (ws, req) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(url);
    const command = url.searchParams.getAll('command');
    let input = '';
    ws.on('message', (data: Buffer) => {
      if (data[0] === 0) input += data.subarray(1).toString();
      if (data[0] === 255 && data[1] === 0) {
        ws.send(Buffer.concat([Buffer.from([1]), Buffer.from(`got:${input}`)]));
        ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify({ status: 'Success' }))]));
        ws.close();
      }
    });
    if (command[0] === 'cat') return;
    if (command[0] === 'tty') {
      // Answer once the client has sent its terminal size (channel 4).
      ws.once('message', (data: Buffer) => {
        ws.send(Buffer.concat([Buffer.from([1]), Buffer.from(`tty=${url.searchParams.get('tty')} stderr=${url.searchParams.get('stderr')} resize=${data[0] === 4 ? data.subarray(1).toString() : 'none'}\r\n`)]));
        ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify({ status: 'Success' }))]));
        ws.close();
      });
      return;
    }
    ws.send(Buffer.concat([Buffer.from([1]), Buffer.from(`ran ${command.join(' ')}\n`)]));
    ws.send(Buffer.concat([Buffer.from([2]), Buffer.from('oops\n')]));
    const code = command[0] === 'false' ? 7 : 0;
    const status = code === 0 ? { status: 'Success' } : { status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(code) }] } };
    ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify(status))]));
    ws.close();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dir = mkdtempSync(join(tmpdir(), 'tkube-tkctl-fake-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeKubeconfig(kubeconfig, { server: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  target = { kubeconfig, dir };
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  if (target) rmSync(target.dir, { recursive: true, force: true });
});

describe('tkctl logs', () => {
  it('streams the log of the pod\'s only container with the flags as query parameters', async () => {
    const r = await tkctl(target, ['logs', 'p', '-f', '--tail=5', '--timestamps', '--previous']);
    expect(r).toMatchObject({ code: 0, stdout: 'line 1\nline 2\n' });
    const q = requests.filter((u) => u.pathname.endsWith('/log')).at(-1)!.searchParams;
    expect(Object.fromEntries(q)).toEqual({ container: 'main', follow: 'true', tailLines: '5', timestamps: 'true', previous: 'true' });
  });

  it('reports a missing pod in one line', async () => {
    const r = await tkctl(target, ['logs', 'q', '-c', 'x']);
    expect(r).toMatchObject({ code: 1, stderr: 'error: pods "q" not found\n' });
  });
});

describe('tkctl exec', () => {
  it('with -it on a terminal sends its size and asks for a TTY (built CLI under script(1))', async () => {
    const bin = join(import.meta.dirname, '..', '..', 'bin', 'tkctl');
    const cmd = `stty cols 101 rows 33; ${bin} --kubeconfig ${target.kubeconfig} exec -it p -c main -- tty`;
    const { stdout } = await run('script', ['-qec', cmd, '/dev/null'], { timeout: 15_000 });
    expect(stdout).toContain('tty=true stderr=null resize={"Width":101,"Height":33}');
  });

  it('prints stdout and stderr and exits 0 on success', async () => {
    const r = await tkctl(target, ['exec', 'p', '-c', 'main', '--', 'echo', 'hi there']);
    expect(r).toMatchObject({ code: 0, stdout: 'ran echo hi there\n', stderr: 'oops\n' });
    const q = requests.filter((u) => u.pathname.endsWith('/exec')).at(-1)!.searchParams;
    expect(q.getAll('command')).toEqual(['echo', 'hi there']);
    expect(q.get('stdout')).toBe('true');
    expect(q.get('stderr')).toBe('true');
  });

  it('takes the remote exit code', async () => {
    const r = await tkctl(target, ['exec', 'p', '--', 'false']);
    expect(r.code).toBe(7);
    expect(r.stderr).toBe('oops\ncommand terminated with exit code 7\n');
  });

  it('sends stdin with -i and closes it at the end (v5)', async () => {
    const r = await tkctl(target, ['exec', '-i', 'p', '--', 'cat'], { stdin: 'hello' });
    expect(r).toMatchObject({ code: 0, stdout: 'got:hello' });
  });
});
