import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/meta/errors.js';
import { decodeProtobufObject } from './decode.js';
import { PROTOBUF_MAGIC, writeEnvelope } from './envelope.js';
import { messageTypeFor } from './schema.js';

/** Bodies recorded from kubectl v1.32 (`kubectl create ...` against a recording HTTP server). */
function fixture(name: string): Buffer {
  return readFileSync(new URL(`./testdata/${name}.bin`, import.meta.url));
}

/** Encodes an object the way client-go does: the message in the runtime.Unknown envelope. */
function encode(apiVersion: string, kind: string, fields: Record<string, unknown>): Buffer {
  const type = messageTypeFor(apiVersion, kind);
  if (!type) throw new Error(`no message for ${apiVersion} ${kind}`);
  return writeEnvelope(apiVersion, kind, type.encode(type.fromObject(fields)).finish());
}

function errorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

describe('decodeProtobufObject: bodies sent by kubectl', () => {
  it('decodes kubectl create namespace', () => {
    expect(decodeProtobufObject(fixture('kubectl-create-namespace'))).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'x' },
      spec: {},
      status: {},
    });
  });

  it('decodes kubectl create configmap --from-literal', () => {
    expect(decodeProtobufObject(fixture('kubectl-create-configmap'))).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'default' },
      data: { a: 'b', bin: 'x' },
    });
  });

  it('decodes secrets with their data base64-encoded, binary bytes included', () => {
    expect(decodeProtobufObject(fixture('kubectl-create-secret'))).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'default' },
      data: { k: Buffer.from('v').toString('base64') },
    });
    const binary = decodeProtobufObject(fixture('kubectl-create-secret-binary')) as { data: Record<string, string> };
    expect(Buffer.from(binary.data.blob!, 'base64')).toEqual(Buffer.from([0x00, 0xff, 0x01]));
  });

  it('decodes kubectl create deployment with the replicas, template and command', () => {
    expect(decodeProtobufObject(fixture('kubectl-create-deployment'))).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'busybox', image: 'busybox', command: ['sleep', '1000'], resources: {} }] },
        },
        strategy: {},
      },
      status: {},
    });
  });

  it('keeps an explicit replicas: 0 (a pointer field) and the container port', () => {
    const d = decodeProtobufObject(fixture('kubectl-create-deployment-zero')) as {
      spec: { replicas: number; template: { spec: { containers: { ports: unknown }[] } } };
    };
    expect(d.spec.replicas).toBe(0);
    expect(d.spec.template.spec.containers[0]!.ports).toEqual([{ containerPort: 8080 }]);
  });

  it('decodes kubectl create serviceaccount and service clusterip', () => {
    expect(decodeProtobufObject(fixture('kubectl-create-serviceaccount'))).toEqual({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'sa1', namespace: 'default' },
    });
    expect(decodeProtobufObject(fixture('kubectl-create-service'))).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'svc', namespace: 'default', labels: { app: 'svc' } },
      spec: {
        ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }],
        selector: { app: 'svc' },
        type: 'ClusterIP',
      },
      status: { loadBalancer: {} },
    });
  });
});

describe('decodeProtobufObject: the Go JSON form of each field kind', () => {
  it('decodes a pod: inline volume sources and probe handlers, IntOrString, Quantity, times and int64', () => {
    const body = encode('v1', 'Pod', {
      metadata: {
        name: 'p',
        generateName: '',
        namespace: 'ns',
        generation: 0,
        creationTimestamp: { seconds: 1767323045, nanos: 999 },
        deletionGracePeriodSeconds: 0,
        labels: { app: 'p' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true }],
        finalizers: ['example.com/f'],
        managedFields: [
          { manager: 'kubectl', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { Raw: Buffer.from('{"f:metadata":{}}') }, time: { seconds: 0 } },
        ],
      },
      spec: {
        volumes: [
          { name: 'cfg', volumeSource: { configMap: { localObjectReference: { name: 'c' }, defaultMode: 420, items: [{ key: 'a', path: 'a.txt' }] } } },
          { name: 'scratch', volumeSource: { emptyDir: { sizeLimit: { string: '64Mi' } } } },
        ],
        containers: [
          {
            name: 'app',
            image: 'busybox:1.36',
            ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP', hostPort: 0 }],
            env: [
              { name: 'EMPTY', value: '' },
              { name: 'FROM', valueFrom: { secretKeyRef: { localObjectReference: { name: 's' }, key: 'k', optional: false } } },
            ],
            resources: { limits: { cpu: { string: '500m' }, memory: { string: '128Mi' } }, requests: { cpu: { string: '0' } } },
            livenessProbe: { handler: { httpGet: { path: '/healthz', port: { type: 1, strVal: 'http' } } }, periodSeconds: 5, timeoutSeconds: 0 },
            readinessProbe: { handler: { tcpSocket: { port: { type: 0, intVal: 8080 } } } },
            securityContext: { runAsUser: 0, privileged: false, capabilities: { drop: ['ALL'] } },
            stdin: false,
          },
        ],
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 0,
        dnsPolicy: 'ClusterFirst',
        hostNetwork: false,
        enableServiceLinks: false,
        tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }],
            },
          },
        },
      },
      status: {
        phase: 'Running',
        startTime: { seconds: 1767323045 },
        conditions: [{ type: 'Ready', status: 'True', lastProbeTime: {}, lastTransitionTime: { seconds: 1767323045 } }],
        containerStatuses: [
          {
            name: 'app',
            ready: false,
            restartCount: 0,
            image: 'busybox:1.36',
            imageID: '',
            state: { terminated: { exitCode: 0, reason: 'Completed', finishedAt: { seconds: 1767323046 } } },
          },
        ],
      },
    });

    expect(decodeProtobufObject(body)).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'p',
        namespace: 'ns',
        creationTimestamp: '2026-01-02T03:04:05Z',
        deletionGracePeriodSeconds: 0,
        labels: { app: 'p' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true }],
        finalizers: ['example.com/f'],
        managedFields: [
          { manager: 'kubectl', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': {} }, time: '1970-01-01T00:00:00Z' },
        ],
      },
      spec: {
        volumes: [
          { name: 'cfg', configMap: { name: 'c', defaultMode: 420, items: [{ key: 'a', path: 'a.txt' }] } },
          { name: 'scratch', emptyDir: { sizeLimit: '64Mi' } },
        ],
        containers: [
          {
            name: 'app',
            image: 'busybox:1.36',
            ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
            env: [{ name: 'EMPTY' }, { name: 'FROM', valueFrom: { secretKeyRef: { name: 's', key: 'k', optional: false } } }],
            resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '0' } },
            livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5 },
            readinessProbe: { tcpSocket: { port: 8080 } },
            securityContext: { runAsUser: 0, privileged: false, capabilities: { drop: ['ALL'] } },
          },
        ],
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 0,
        dnsPolicy: 'ClusterFirst',
        enableServiceLinks: false,
        tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }],
            },
          },
        },
      },
      status: {
        phase: 'Running',
        startTime: '2026-01-02T03:04:05Z',
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-02T03:04:05Z' }],
        containerStatuses: [
          {
            name: 'app',
            ready: false,
            restartCount: 0,
            image: 'busybox:1.36',
            imageID: '',
            state: { terminated: { exitCode: 0, reason: 'Completed', finishedAt: '2026-01-02T03:04:06Z' } },
          },
        ],
      },
    });
  });

  it('writes MicroTime with microseconds (Lease, Event)', () => {
    const lease = decodeProtobufObject(
      encode('coordination.k8s.io/v1', 'Lease', {
        metadata: { name: 'node-1', namespace: 'kube-node-lease' },
        spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40, renewTime: { seconds: 1767323045, nanos: 123456789 }, leaseTransitions: 0 },
      }),
    );
    expect(lease).toEqual({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'node-1', namespace: 'kube-node-lease' },
      spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40, renewTime: '2026-01-02T03:04:05.123456Z', leaseTransitions: 0 },
    });
    const event = decodeProtobufObject(
      encode('v1', 'Event', {
        metadata: { name: 'e1', namespace: 'default' },
        involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' },
        reason: 'Started',
        source: {},
        count: 0,
        eventTime: { seconds: 1767323045, nanos: 5000 },
        reportingComponent: '',
        reportingInstance: 'kubelet-1',
      }),
    );
    expect(event).toEqual({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e1', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' },
      reason: 'Started',
      source: {},
      eventTime: '2026-01-02T03:04:05.000005Z',
      reportingComponent: '',
      reportingInstance: 'kubelet-1',
    });
  });

  it('decodes ConfigMap binaryData, rolling-update IntOrStrings, Scale, Binding and DeleteOptions', () => {
    const cm = decodeProtobufObject(encode('v1', 'ConfigMap', { metadata: { name: 'b' }, binaryData: { raw: Buffer.from([1, 2, 3]) }, immutable: false }));
    expect(cm).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' }, binaryData: { raw: 'AQID' }, immutable: false });

    const d = decodeProtobufObject(
      encode('apps/v1', 'Deployment', {
        metadata: { name: 'd' },
        spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: { type: 0, intVal: 0 }, maxSurge: { type: 1, strVal: '25%' } } } },
      }),
    ) as { spec: unknown };
    expect(d.spec).toEqual({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } } });

    expect(decodeProtobufObject(encode('autoscaling/v1', 'Scale', { metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 3 }, status: { replicas: 0 } }))).toEqual({
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name: 'web', namespace: 'default' },
      spec: { replicas: 3 },
      status: { replicas: 0 },
    });

    expect(decodeProtobufObject(encode('v1', 'Binding', { metadata: { name: 'p' }, target: { kind: 'Node', name: 'n1', apiVersion: 'v1' } }))).toEqual({
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'p' },
      target: { kind: 'Node', name: 'n1', apiVersion: 'v1' },
    });

    // client-go sends DeleteOptions under the version of the resource it deletes.
    expect(decodeProtobufObject(encode('apps/v1', 'DeleteOptions', { gracePeriodSeconds: 0, propagationPolicy: 'Foreground', dryRun: ['All'] }))).toEqual({
      apiVersion: 'apps/v1',
      kind: 'DeleteOptions',
      gracePeriodSeconds: 0,
      propagationPolicy: 'Foreground',
      dryRun: ['All'],
    });
  });
});

describe('decodeProtobufObject: bad bodies', () => {
  it('answers 400 without the k8s magic prefix, for an empty body and for garbage', () => {
    expect(errorOf(() => decodeProtobufObject(Buffer.from('{"kind":"Namespace"}'))).code).toBe(400);
    expect(errorOf(() => decodeProtobufObject(Buffer.alloc(0))).code).toBe(400);
    const garbage = errorOf(() => decodeProtobufObject(Buffer.concat([PROTOBUF_MAGIC, Buffer.from([0x0a, 0xff, 0xff, 0xff])])));
    expect(garbage.code).toBe(400);
    expect(garbage.reason).toBe('BadRequest');
  });

  it('answers 400 for a kind it has no definition for, or without type metadata', () => {
    const unknown = errorOf(() => decodeProtobufObject(writeEnvelope('batch/v1', 'Job', Buffer.alloc(0))));
    expect(unknown.code).toBe(400);
    expect(unknown.message).toContain('Job');
    expect(errorOf(() => decodeProtobufObject(writeEnvelope('', '', Buffer.alloc(0)))).code).toBe(400);
    expect(errorOf(() => decodeProtobufObject(writeEnvelope('example.com/v1', 'Widget', Buffer.alloc(0)))).code).toBe(400);
  });
});
