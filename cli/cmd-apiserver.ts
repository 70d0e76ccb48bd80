/** `tkube apiserver`: the API server process, until SIGINT/SIGTERM. */
import { startApiServer } from '../apiserver/server.js';
import { componentLogger } from './logger.js';

export interface ApiserverFlags {
  etcdServers: string[];
  bindAddress: string;
  port: number;
  compactionIntervalMs: number;
  eventTtlSeconds: number;
}

export async function runApiserver(flags: ApiserverFlags): Promise<void> {
  const log = componentLogger('apiserver');
  const server = await startApiServer({
    etcdEndpoints: flags.etcdServers,
    host: flags.bindAddress,
    port: flags.port,
    logger: log,
    compactionIntervalMs: flags.compactionIntervalMs,
    eventTtlSeconds: flags.eventTtlSeconds,
  }).catch((err: Error & { code?: string }) => {
    if (err.code === 'EADDRINUSE') throw new Error(`port ${flags.port} on ${flags.bindAddress} is in use: stop what listens there or pass --port`);
    throw err;
  });
  await onShutdownSignal();
  log.info('shutting down');
  await server.close();
  process.exit(0);
}

export function onShutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}
