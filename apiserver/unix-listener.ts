/**
 * A second listener for the apiserver on a unix socket: its connections are handed to
 * the same HTTP(S) server, so both listeners serve the same API. `tkube up --nodes` uses it
 * to reach an apiserver that runs in another network namespace.
 */
import { rmSync } from 'node:fs';
import { createServer, type Server as NetServer } from 'node:net';
import type { Server } from 'node:http';

export async function listenOnUnixSocket(server: Server, path: string): Promise<NetServer> {
  rmSync(path, { force: true }); // a stale socket from a crashed run
  const listener = createServer((socket) => server.emit('connection', socket));
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(path, () => resolve());
  });
  return listener;
}
