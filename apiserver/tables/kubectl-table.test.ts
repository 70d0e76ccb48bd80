/**
 * Drives the real kubectl against a minimal HTTP server that answers discovery and
 * serves lists as Tables built by buildTable: the tables must decode in kubectl and
 * print the columns kubectl users know (including -o wide, -A and --show-labels, which
 * rely on the PartialObjectMetadata carried by each row).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/object-meta.js';
import { buildTable } from './build-table.js';
import { parseIncludeObject, wantsTable } from './table-request.js';

const KUBECTL = '/usr/bin/kubectl';

// Ages chosen so that the printed value does not change while the test runs
// ("20m" holds from 20m00s to 20m59s; "3h" from 3h00m to 3h00m59s).
const ago = (seconds: number): string => new Date(Date.now() - seconds * 1000).toISOString();
const created20m = ago(20 * 60);

interface Served {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  items: KubeObject[];
}

const served: Served[] = [
  {
    group: '',
    version: 'v1',
    plural: 'pods',
    kind: 'Pod',
    namespaced: true,
    items: [
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web-1', namespace: 'default', labels: { app: 'web' }, creationTimestamp: created20m, resourceVersion: '10' },
        spec: { nodeName: 'node-a', containers: [{ name: 'app', image: 'nginx' }] },
        status: { phase: 'Running', podIPs: [{ ip: '10.244.0.5' }], conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: {} } }] },
      },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'crashy', namespace: 'shop', labels: { app: 'crashy', tier: 'api' }, creationTimestamp: ago(3 * 3600), resourceVersion: '11' },
        spec: { nodeName: 'node-b', containers: [{ name: 'app', image: 'busybox' }] },
        status: {
          phase: 'Running',
          podIPs: [{ ip: '10.244.1.7' }],
          containerStatuses: [
            { name: 'app', ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: created20m } } },
          ],
        },
      },
    ],
  },
  {
    group: '',
    version: 'v1',
    plural: 'nodes',
    kind: 'Node',
    namespaced: false,
    items: [
      {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'node-a', labels: { 'node-role.kubernetes.io/control-plane': '' }, creationTimestamp: created20m, resourceVersion: '13' },
        spec: { unschedulable: true },
        status: {
          conditions: [{ type: 'Ready', status: 'True' }],
          addresses: [{ type: 'InternalIP', address: '192.168.56.10' }],
          nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0-28-amd64', containerRuntimeVersion: 'tkube://0.1.0' },
        },
      },
    ],
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'deployments',
    kind: 'Deployment',
    namespaced: true,
    items: [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'default', creationTimestamp: created20m, resourceVersion: '12' },
        spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } },
        status: { replicas: 3, updatedReplicas: 1, readyReplicas: 2, availableReplicas: 2 },
      },
    ],
  },
];

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function groupVersion(s: Served): string {
  return s.group ? `${s.group}/${s.version}` : s.version;
}

function resourceList(gv: string): unknown {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: gv,
    resources: served
      .filter((s) => groupVersion(s) === gv)
      .map((s) => ({ name: s.plural, singularName: s.kind.toLowerCase(), namespaced: s.namespaced, kind: s.kind, verbs: ['get', 'list'] })),
  };
}

/** Only what kubectl get needs: legacy discovery and namespaced/all-namespace lists. */
function handle(req: IncomingMessage, res: ServerResponse, port: number): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  if (path === '/api') {
    return send(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${port}` }] });
  }
  if (path === '/apis') {
    const groups = [...new Set(served.filter((s) => s.group).map((s) => s.group))];
    return send(res, 200, {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: groups.map((g) => ({ name: g, versions: [{ groupVersion: `${g}/v1`, version: 'v1' }], preferredVersion: { groupVersion: `${g}/v1`, version: 'v1' } })),
    });
  }
  if (path === '/api/v1') return send(res, 200, resourceList('v1'));
  const groupMatch = /^\/apis\/([^/]+)\/v1$/.exec(path);
  if (groupMatch) return send(res, 200, resourceList(`${groupMatch[1]}/v1`));

  const match = /^\/(?:api\/v1|apis\/([^/]+)\/v1)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/.exec(path);
  const def = match && served.find((s) => s.group === (match[1] ?? '') && s.plural === match[3]);
  const notFound = { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, metadata: {} };
  if (!match || !def) return send(res, 404, notFound);
  const [, , namespace, , name] = match;
  const includeObject = parseIncludeObject(url.searchParams.get('includeObject'));
  const items = def.items.filter((i) => (!namespace || i.metadata.namespace === namespace) && (!name || i.metadata.name === name));
  if (name) {
    // A single object: its table carries no list metadata.
    if (items.length === 0) return send(res, 404, notFound);
    return send(res, 200, wantsTable(req.headers.accept) ? buildTable(def, items, { includeObject }) : items[0]);
  }
  if (url.searchParams.get('watch') === '1' || url.searchParams.get('watch') === 'true') {
    // Each item is reported deleted-in-progress, as a headerless Table; then the stream ends.
    res.writeHead(200, { 'Content-Type': 'application/json' });
    for (const item of items) {
      const deleting = { ...item, metadata: { ...item.metadata, deletionTimestamp: new Date().toISOString() } };
      res.write(`${JSON.stringify({ type: 'MODIFIED', object: buildTable(def, [deleting], { includeObject, noHeaders: true }) })}\n`);
    }
    return void res.end();
  }
  if (!wantsTable(req.headers.accept)) {
    return send(res, 200, { kind: `${def.kind}List`, apiVersion: groupVersion(def), metadata: { resourceVersion: '20' }, items });
  }
  send(res, 200, buildTable(def, items, { includeObject, listMeta: { resourceVersion: '20' } }));
}

let server: Server;
let port = 0;
let home = '';

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'tkube-tables-kubectl-'));
  server = createServer((req, res) => handle(req, res, port));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (home) await rm(home, { recursive: true, force: true });
});

function kubectl(...args: string[]): Promise<string> {
  const flags = [`--server=http://127.0.0.1:${port}`, `--cache-dir=${join(home, 'cache')}`, '--request-timeout=10s'];
  return new Promise((resolve, reject) => {
    execFile(KUBECTL, [...flags, ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home }, timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`kubectl ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

describe('kubectl get prints server-side tables', () => {
  it('prints pods in a namespace', async () => {
    expect(await kubectl('get', 'pods', '-n', 'default')).toBe(
      ['NAME    READY   STATUS    RESTARTS   AGE', 'web-1   1/1     Running   0          20m', ''].join('\n'),
    );
  });

  it('prints the wide columns with -o wide', async () => {
    expect(await kubectl('get', 'pods', '-n', 'shop', '-o', 'wide')).toBe(
      [
        'NAME     READY   STATUS             RESTARTS      AGE   IP           NODE     NOMINATED NODE   READINESS GATES',
        'crashy   0/1     CrashLoopBackOff   5 (20m ago)   3h    10.244.1.7   node-b   <none>           <none>',
        '',
      ].join('\n'),
    );
  });

  it('adds NAMESPACE with -A and LABELS with --show-labels from the row metadata', async () => {
    expect(await kubectl('get', 'pods', '-A', '--show-labels')).toBe(
      [
        'NAMESPACE   NAME     READY   STATUS             RESTARTS      AGE   LABELS',
        'default     web-1    1/1     Running            0             20m   app=web',
        'shop        crashy   0/1     CrashLoopBackOff   5 (20m ago)   3h    app=crashy,tier=api',
        '',
      ].join('\n'),
    );
  });

  it('prints a single pod fetched by name', async () => {
    expect(await kubectl('get', 'pod', 'crashy', '-n', 'shop')).toBe(
      ['NAME     READY   STATUS             RESTARTS      AGE', 'crashy   0/1     CrashLoopBackOff   5 (20m ago)   3h', ''].join('\n'),
    );
  });

  it('prefixes names with the kind when several types are listed (the name-format column)', async () => {
    expect(await kubectl('get', 'pods,deployments', '-n', 'default')).toBe(
      [
        'NAME        READY   STATUS    RESTARTS   AGE',
        'pod/web-1   1/1     Running   0          20m',
        '',
        'NAME                  READY   UP-TO-DATE   AVAILABLE   AGE',
        'deployment.apps/web   2/3     1            2           20m',
        '',
      ].join('\n'),
    );
  });

  it('prints nodes with -o wide', async () => {
    expect(await kubectl('get', 'nodes', '-o', 'wide')).toBe(
      [
        'NAME     STATUS                     ROLES           AGE   VERSION   INTERNAL-IP     EXTERNAL-IP   OS-IMAGE                         KERNEL-VERSION   CONTAINER-RUNTIME',
        'node-a   Ready,SchedulingDisabled   control-plane   20m   v1.32.0   192.168.56.10   <none>        Debian GNU/Linux 12 (bookworm)   6.1.0-28-amd64   tkube://0.1.0',
        '',
      ].join('\n'),
    );
  });

  it('prints deployments with -o wide', async () => {
    expect(await kubectl('get', 'deployments', '-n', 'default', '-o', 'wide')).toBe(
      ['NAME   READY   UP-TO-DATE   AVAILABLE   AGE   CONTAINERS   IMAGES       SELECTOR', 'web    2/3     1            2           20m   app          nginx:1.27   app=web', ''].join('\n'),
    );
  });
});

describe('kubectl get --watch', () => {
  it('prints headerless watch tables under the headers of the initial list', async () => {
    // The server's watch stream ends after its events, and kubectl then exits.
    expect(await kubectl('get', 'pods', '-n', 'default', '--watch')).toBe(
      // kubectl aligns the initial list on its own, then each watch row as it arrives.
      ['NAME    READY   STATUS    RESTARTS   AGE', 'web-1   1/1     Running   0          20m', 'web-1   1/1     Terminating   0          20m', ''].join('\n'),
    );
  });
});
