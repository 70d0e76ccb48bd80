/**
 * Relays an HTTP upgrade (websocket) request to another server unchanged except for
 * its path: the handshake answer and every frame after it pass through as bytes, so
 * the channel protocol (v4/v5.channel.k8s.io) is spoken end to end by the client and
 * the runtime's streaming server.
 */
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';

export function relayUpgrade(req: IncomingMessage, client: Duplex, head: Buffer, target: URL, onError: (err: Error) => void): void {
  const upstream = net.connect({ host: target.hostname.replace(/^\[|\]$/g, ''), port: Number(target.port || 80) });
  upstream.on('connect', () => {
    const lines = [`${req.method ?? 'GET'} ${target.pathname}${target.search} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i]!;
      if (name.toLowerCase() === 'host') continue;
      lines.push(`${name}: ${req.rawHeaders[i + 1]}`);
    }
    lines.push(`Host: ${target.host}`);
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  const close = () => {
    upstream.destroy();
    client.destroy();
  };
  upstream.on('error', (err) => {
    onError(err);
    if (!client.destroyed) client.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\n');
    close();
  });
  client.on('error', close);
  upstream.on('close', () => client.end());
  client.on('close', () => upstream.destroy());
}
