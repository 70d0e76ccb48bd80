/**
 * `tkube apiserver`: the API server process, until SIGINT/SIGTERM. Its security flags have
 * kube-apiserver's names; without --authorization-mode it serves without authentication
 * (plain HTTP unless --tls-cert-file is given), as tkube did before security.
 */
import { Command, InvalidArgumentError } from 'commander';
import { AUTHORIZATION_MODES, type AuthorizationMode } from '../apiserver/auth/authz/index.js';
import { startApiServer, type ApiServerOptions } from '../apiserver/server.js';
import { parseDuration } from './durations.js';
import { componentLogger } from './logger.js';

export interface ApiserverFlags {
  etcdServers: string[];
  bindAddress: string;
  port: number;
  compactionIntervalMs: number;
  eventTtlSeconds: number;
  /** Also serve on this unix socket (`tkube up --nodes` forwards the host's port to it). */
  unixSocket?: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  clientCaFile?: string;
  tokenAuthFile?: string;
  enableBootstrapTokenAuth?: boolean;
  authorizationModes?: AuthorizationMode[];
  serviceAccountSigningKeyFile?: string;
  serviceAccountKeyFiles?: string[];
  serviceAccountIssuer?: string;
  apiAudiences?: string[];
  kubeletClientCertificate?: string;
  kubeletClientKey?: string;
  kubeletCertificateAuthority?: string;
}

/** The apiserver options the flags ask for; throws on an incomplete combination. */
export function apiserverOptionsFromFlags(flags: ApiserverFlags): Omit<ApiServerOptions, 'logger'> {
  const opts: Omit<ApiServerOptions, 'logger'> = {
    etcdEndpoints: flags.etcdServers,
    host: flags.bindAddress,
    port: flags.port,
    compactionIntervalMs: flags.compactionIntervalMs,
    eventTtlSeconds: flags.eventTtlSeconds,
    unixSocket: flags.unixSocket,
  };
  if (flags.tlsCertFile || flags.tlsPrivateKeyFile) {
    if (!flags.tlsCertFile || !flags.tlsPrivateKeyFile) throw new Error('--tls-cert-file and --tls-private-key-file go together');
    opts.tls = { certFile: flags.tlsCertFile, keyFile: flags.tlsPrivateKeyFile, clientCAFile: flags.clientCaFile };
  } else if (flags.clientCaFile) {
    throw new Error('--client-ca-file needs --tls-cert-file and --tls-private-key-file');
  }
  if (flags.authorizationModes?.length) opts.authorizationModes = flags.authorizationModes;
  if (flags.tokenAuthFile) opts.tokenAuthFile = flags.tokenAuthFile;
  if (flags.enableBootstrapTokenAuth) opts.enableBootstrapTokenAuth = true;
  if (flags.serviceAccountSigningKeyFile) {
    if (!flags.serviceAccountIssuer) throw new Error('--service-account-signing-key-file needs --service-account-issuer');
    opts.serviceAccount = {
      signingKeyFile: flags.serviceAccountSigningKeyFile,
      // kube-apiserver verifies with the signing key's public half when no --service-account-key-file is given.
      publicKeyFiles: flags.serviceAccountKeyFiles?.length ? flags.serviceAccountKeyFiles : [flags.serviceAccountSigningKeyFile],
      issuer: flags.serviceAccountIssuer,
      audiences: flags.apiAudiences?.length ? flags.apiAudiences : undefined,
    };
  }
  if (flags.kubeletClientCertificate || flags.kubeletClientKey) {
    if (!flags.kubeletClientCertificate || !flags.kubeletClientKey) throw new Error('--kubelet-client-certificate and --kubelet-client-key go together');
    opts.kubeletClient = { certFile: flags.kubeletClientCertificate, keyFile: flags.kubeletClientKey, caFile: flags.kubeletCertificateAuthority };
  }
  return opts;
}

export async function runApiserver(flags: ApiserverFlags): Promise<void> {
  const log = componentLogger('apiserver');
  const server = await startApiServer({ ...apiserverOptionsFromFlags(flags), logger: log }).catch((err: Error & { code?: string }) => {
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

function portArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`"${value}" is not a port number (0-65535)`);
  return n;
}

function durationArg(value: string): number {
  try {
    return parseDuration(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function listArg(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

function modesArg(value: string): AuthorizationMode[] {
  const modes = listArg(value);
  for (const m of modes) {
    if (!(AUTHORIZATION_MODES as readonly string[]).includes(m)) throw new InvalidArgumentError(`unknown authorization mode "${m}": use ${AUTHORIZATION_MODES.join(', ')}`);
  }
  return modes as AuthorizationMode[];
}

interface ApiserverCommandOptions {
  etcdServers: string;
  bindAddress: string;
  port: number;
  securePort?: number;
  etcdCompactionInterval: number;
  eventTtl: number;
  unixSocket?: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  clientCaFile?: string;
  tokenAuthFile?: string;
  enableBootstrapTokenAuth?: boolean;
  authorizationMode?: AuthorizationMode[];
  serviceAccountSigningKeyFile?: string;
  serviceAccountKeyFile?: string[];
  serviceAccountIssuer?: string;
  apiAudiences?: string[];
  kubeletClientCertificate?: string;
  kubeletClientKey?: string;
  kubeletCertificateAuthority?: string;
}

export function apiserverCommand(): Command {
  return new Command('apiserver')
    .description('serve the Kubernetes API on etcd')
    .requiredOption('--etcd-servers <urls>', 'comma-separated etcd client URLs', 'http://127.0.0.1:2379')
    .option('--bind-address <ip>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on', portArg, 6443)
    .option('--secure-port <port>', 'port to serve HTTPS on (same as --port; kube-apiserver\'s name)', portArg)
    .option('--etcd-compaction-interval <duration>', 'how often etcd is compacted (0 disables)', durationArg, 5 * 60_000)
    .option('--event-ttl <duration>', 'how long events are kept', durationArg, 3_600_000)
    .option('--unix-socket <path>', 'also serve the API on this unix socket')
    .option('--tls-cert-file <file>', 'serve HTTPS with this certificate (PEM)')
    .option('--tls-private-key-file <file>', 'the private key of --tls-cert-file (PEM)')
    .option('--client-ca-file <file>', 'client certificates signed by this CA authenticate (CN = user, O = groups)')
    .option('--token-auth-file <file>', 'static bearer tokens, CSV: token,user,uid,"group1,group2"')
    .option('--enable-bootstrap-token-auth', 'accept bootstrap tokens (kube-system Secrets of type bootstrap.kubernetes.io/token)')
    .option('--authorization-mode <modes>', `comma-separated, in order: ${AUTHORIZATION_MODES.join(', ')} (unset: no authentication nor authorization)`, modesArg)
    .option('--service-account-signing-key-file <file>', 'private key that signs service-account tokens')
    .option('--service-account-key-file <file>', 'public key that verifies service-account tokens (repeatable)', listArg)
    .option('--service-account-issuer <url>', 'issuer (iss) of service-account tokens')
    .option('--api-audiences <list>', 'audiences a token must name (default: the issuer)', listArg)
    .option('--kubelet-client-certificate <file>', 'client certificate presented to kubelets')
    .option('--kubelet-client-key <file>', 'key of --kubelet-client-certificate')
    .option('--kubelet-certificate-authority <file>', 'CA that kubelet serving certificates must chain to')
    .action(async (o: ApiserverCommandOptions) => {
      await runApiserver({
        etcdServers: o.etcdServers.split(',').map((s) => s.trim()).filter(Boolean),
        bindAddress: o.bindAddress,
        port: o.securePort ?? o.port,
        compactionIntervalMs: o.etcdCompactionInterval,
        eventTtlSeconds: Math.round(o.eventTtl / 1000),
        unixSocket: o.unixSocket,
        tlsCertFile: o.tlsCertFile,
        tlsPrivateKeyFile: o.tlsPrivateKeyFile,
        clientCaFile: o.clientCaFile,
        tokenAuthFile: o.tokenAuthFile,
        enableBootstrapTokenAuth: o.enableBootstrapTokenAuth,
        authorizationModes: o.authorizationMode,
        serviceAccountSigningKeyFile: o.serviceAccountSigningKeyFile,
        serviceAccountKeyFiles: o.serviceAccountKeyFile,
        serviceAccountIssuer: o.serviceAccountIssuer,
        apiAudiences: o.apiAudiences,
        kubeletClientCertificate: o.kubeletClientCertificate,
        kubeletClientKey: o.kubeletClientKey,
        kubeletCertificateAuthority: o.kubeletCertificateAuthority,
      });
    });
}
