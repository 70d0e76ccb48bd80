/**
 * Host TCP 127.0.0.1:<port> → the apiserver's unix socket: how kubectl on the host reaches
 * an apiserver that lives in a network namespace. Bytes are piped unchanged (TLS included,
 * once the API serves it).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface Forwarder {
  port: number;
  close(): Promise<void>;
}

export async function forwardTcpToUnix(host: string, port: number, socketPath: string): Promise<Forwarder> {
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(socketPath);
    open.add(client);
    open.add(upstream);
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', closeBoth).on('close', closeBoth);
    upstream.on('error', closeBoth).on('close', closeBoth);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: Error & { code?: string }) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`port ${port} on ${host} is in use: stop what listens there or pass --port`) : err),
    );
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
