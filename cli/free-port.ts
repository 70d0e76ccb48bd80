/**
 * Free TCP ports for processes we start ourselves (etcd, apiserver, registry, ...).
 *
 * Asking the kernel for port 0 and closing the socket is racy: the kernel hands out
 * ports from the same ephemeral range it uses for the source ports of outgoing
 * connections, so under load a client connection can take the port in the moment
 * between our probe and the child's bind ("port in use" at start-up). We therefore
 * pick ports below the ephemeral range, where no outgoing connection lands, probe
 * that each can be bound, and never hand out the same port twice in one process.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const LOWEST = 10_000;
const handedOut = new Set<number>();

/** The first port of the kernel's ephemeral range (32768 by default). */
function ephemeralStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const n = Number(low);
    return Number.isInteger(n) && n > LOWEST + 1_000 ? n : 32_768;
  } catch {
    return 32_768;
  }
}

function canBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** A port on `host` that nothing listens on, outside the kernel's ephemeral range. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const high = ephemeralStart();
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (high - LOWEST));
    if (handedOut.has(port)) continue;
    if (await canBind(port, host)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free TCP port on ${host} between ${LOWEST} and ${high} after 200 tries`);
}
