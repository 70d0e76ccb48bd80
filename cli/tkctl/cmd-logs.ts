/** `tkctl logs`: streams GET pods/<name>/log to stdout (-f, -c, --previous, --tail, --timestamps). */
import { objectPath } from '../../api/client/kube-client.js';
import { pods } from '../../api/registry.js';
import { openStream } from './http.js';
import { CliError, type CliIO } from './io.js';
import type { Session } from './session.js';

export interface LogsOptions {
  container?: string;
  follow?: boolean;
  previous?: boolean;
  tail?: number;
  timestamps?: boolean;
}

/** "web", "pod/web" or "pods/web" into a pod name. */
export function podName(arg: string): string {
  const m = /^(?:(po|pod|pods)\/)?([^/]+)$/.exec(arg);
  if (!m) throw new CliError(`cannot get the logs of "${arg}": only pods are supported (POD or pod/POD)`);
  return m[2]!;
}

/** Picks the container: the one asked for, the only one, or the default-container annotation. */
export async function containerFor(session: Session, name: string, asked: string | undefined, io: CliIO): Promise<string> {
  if (asked) return asked;
  const pod = await session.client.resource(pods, session.namespace).get(name);
  const annotated = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
  if (annotated) return annotated;
  const containers = pod.spec.containers.map((c) => c.name);
  if (containers.length > 1) {
    // kubectl picks the first and says so on stderr; we do the same.
    io.stderr.write(`Defaulted container "${containers[0]}" out of: ${containers.join(', ')}\n`);
    return containers[0]!;
  }
  return containers[0] ?? '';
}

export async function runLogs(session: Session, arg: string, o: LogsOptions, io: CliIO): Promise<void> {
  const name = podName(arg);
  const container = await containerFor(session, name, o.container, io);
  const res = await openStream(session.conn, {
    path: objectPath(pods, session.namespace, name, 'log'),
    query: { container, follow: o.follow || undefined, previous: o.previous || undefined, tailLines: o.tail !== undefined && o.tail >= 0 ? o.tail : undefined, timestamps: o.timestamps || undefined },
    accept: '*/*',
  });
  for await (const chunk of res) io.stdout.write(chunk as Buffer);
}
