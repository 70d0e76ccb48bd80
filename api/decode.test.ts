import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DecodeError, decode, decodeSchema, formatPath, validateObject } from './decode.js';
import { ApiError } from './meta/errors.js';
import { DeleteOptions } from './meta/meta-types.js';
import { deployments, findByKind, namespaces, pods, secrets, services } from './registry.js';
import type { Deployment } from './types/workloads.js';

const DEPLOYMENT_YAML = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
  labels:
    app.kubernetes.io/name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      initContainers:
        - name: migrate
          image: registry.example/migrate:1.2
          command: ["/bin/sh", "-c", "echo migrating"]
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - containerPort: 80
              name: http
          env:
            - name: MODE
              value: production
            - name: POD_IP
              valueFrom:
                fieldRef:
                  fieldPath: status.podIP
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: db
                  key: password
            - name: LOG_LEVEL
              valueFrom:
                configMapKeyRef:
                  name: web-config
                  key: logLevel
                  optional: true
            - name: MEM_LIMIT
              valueFrom:
                resourceFieldRef:
                  containerName: web
                  resource: limits.memory
          envFrom:
            - configMapRef:
                name: web-config
          resources:
            requests:
              cpu: 100m
              memory: 64Mi
            limits:
              cpu: 1
              memory: 128Mi
          volumeMounts:
            - name: data
              mountPath: /data
            - name: config
              mountPath: /etc/web
              readOnly: true
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            initialDelaySeconds: 5
          readinessProbe:
            tcpSocket:
              port: 80
            periodSeconds: 5
          startupProbe:
            exec:
              command: ["cat", "/tmp/ready"]
            failureThreshold: 30
          lifecycle:
            preStop:
              exec:
                command: ["sleep", "5"]
        - name: sidecar
          image: busybox
          args: ["sleep", "infinity"]
      volumes:
        - name: data
          emptyDir: {}
        - name: config
          configMap:
            name: web-config
      nodeSelector:
        kubernetes.io/os: linux
      tolerations:
        - key: node-role.kubernetes.io/control-plane
          operator: Exists
          effect: NoSchedule
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector:
                  matchLabels:
                    app: web
`;

function decodeAndValidate(yamlText: string) {
  const { object, unknownFields } = decode(deployments, parse(yamlText));
  validateObject(deployments, object);
  return { object, unknownFields };
}

function thrown(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

describe('decode a real Deployment manifest', () => {
  const { object: d, unknownFields } = decodeAndValidate(DEPLOYMENT_YAML);
  const pod = d.spec.template.spec;
  const web = pod.containers[0]!;

  it('keeps what the manifest says', () => {
    expect(unknownFields).toEqual([]);
    expect(d.spec.replicas).toBe(3);
    expect(web.env?.[1]?.valueFrom?.fieldRef?.fieldPath).toBe('status.podIP');
    expect(web.resources?.limits).toEqual({ cpu: 1, memory: '128Mi' });
    expect(web.livenessProbe?.httpGet?.port).toBe('http');
    expect(pod.volumes?.[1]?.configMap?.name).toBe('web-config');
  });

  it('applies Deployment defaults', () => {
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    expect(d.spec.revisionHistoryLimit).toBe(10);
    expect(d.spec.progressDeadlineSeconds).toBe(600);
  });

  it('applies pod template defaults', () => {
    expect(pod.restartPolicy).toBe('Always');
    expect(pod.dnsPolicy).toBe('ClusterFirst');
    expect(pod.schedulerName).toBe('default-scheduler');
    expect(pod.terminationGracePeriodSeconds).toBe(30);
    expect(pod.securityContext).toEqual({});
    expect(web.terminationMessagePath).toBe('/dev/termination-log');
    expect(web.terminationMessagePolicy).toBe('File');
    expect(web.imagePullPolicy).toBe('IfNotPresent');
    expect(pod.containers[1]!.imagePullPolicy).toBe('Always');
    expect(pod.initContainers?.[0]?.imagePullPolicy).toBe('IfNotPresent');
    expect(web.ports?.[0]?.protocol).toBe('TCP');
    expect(web.livenessProbe).toMatchObject({ timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    expect(web.livenessProbe?.httpGet?.scheme).toBe('HTTP');
    expect(web.readinessProbe?.periodSeconds).toBe(5);
    expect(pod.volumes?.[1]?.configMap?.defaultMode).toBe(0o644);
  });

  it('does not invent a status', () => {
    expect(d.status).toBeUndefined();
  });

  it('fills in apiVersion and kind when the body leaves them out', () => {
    const raw = parse(DEPLOYMENT_YAML) as Record<string, unknown>;
    delete raw['apiVersion'];
    delete raw['kind'];
    const { object } = decode(deployments, raw);
    expect([object.apiVersion, object.kind]).toEqual(['apps/v1', 'Deployment']);
  });
});

describe('bodies kubectl sends', () => {
  // What `kubectl create deployment|run|expose|create namespace|create secret` put on the wire.
  const bodies: [typeof deployments | typeof pods | typeof services | typeof namespaces | typeof secrets, unknown][] = [
    [deployments, { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'web', creationTimestamp: null, labels: { app: 'web' } }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { creationTimestamp: null, labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx', resources: {} }] } }, strategy: {} }, status: {} }],
    [pods, { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'web', creationTimestamp: null, labels: { run: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx', resources: {} }], restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' }, status: {} }],
    [services, { kind: 'Service', apiVersion: 'v1', metadata: { name: 'web', creationTimestamp: null, labels: { app: 'web' } }, spec: { ports: [{ protocol: 'TCP', port: 80, targetPort: 80 }], selector: { app: 'web' } }, status: { loadBalancer: {} } }],
    [namespaces, { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'team-a', creationTimestamp: null }, spec: {}, status: {} }],
    [secrets, { kind: 'Secret', apiVersion: 'v1', metadata: { name: 'db', creationTimestamp: null }, data: { password: 'czNjcjN0' } }],
  ];

  it('decode with no unknown fields and validate once placed in a namespace', () => {
    for (const [def, body] of bodies) {
      const { object, unknownFields } = decode(def as typeof pods, body);
      expect(unknownFields).toEqual([]);
      if (def.namespaced) object.metadata.namespace = 'default';
      expect(() => validateObject(def as typeof pods, object)).not.toThrow();
    }
  });
});

describe('unknown fields', () => {
  it('are reported with their paths and stripped', () => {
    const raw = parse(DEPLOYMENT_YAML) as { spec: Record<string, unknown> & { template: { spec: { containers: Record<string, unknown>[] } } } };
    raw.spec['replica'] = 2;
    raw.spec.template.spec.containers[0]!['imagePolicy'] = 'Always';
    const { object, unknownFields } = decode(deployments, raw);
    expect(unknownFields.sort()).toEqual(['spec.replica', 'spec.template.spec.containers[0].imagePolicy']);
    expect(object.spec).not.toHaveProperty('replica');
    expect(object.spec.template.spec.containers[0]).not.toHaveProperty('imagePolicy');
  });

  it('travel with a decode failure so Strict mode can report them', () => {
    const err = thrown(() => decode(pods, { metadata: { name: 'p' }, spec: { foo: 1 } }));
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as DecodeError).unknownFields).toEqual(['spec.foo']);
  });
});

describe('decode errors', () => {
  it('answers a wrong JSON type with 400 BadRequest naming the field and type', () => {
    const err = thrown(() =>
      decode(pods, { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: '80' }] }] } }),
    );
    expect(err.code).toBe(400);
    expect(err.reason).toBe('BadRequest');
    expect(err.message).toBe(
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field spec.containers[0].ports[0].containerPort of type int32',
    );
  });

  it('answers a body that is not an object with 400', () => {
    expect(thrown(() => decode(pods, [1, 2])).code).toBe(400);
  });

  it('answers a missing required field with 422 Required value', () => {
    const err = thrown(() => decode(deployments, { metadata: { name: 'web' }, spec: { template: { spec: { containers: [] } } } }));
    expect(err.code).toBe(422);
    expect(err.message).toBe('Deployment.apps "web" is invalid: spec.selector: Required value');
    expect(err.details?.causes).toEqual([{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.selector' }]);
  });

  it('answers an unknown enum value with 422 Unsupported value', () => {
    const err = thrown(() => decode(pods, { metadata: { name: 'p' }, spec: { restartPolicy: 'Sometimes', containers: [{ name: 'c' }] } }));
    expect(err.code).toBe(422);
    expect(err.details?.causes).toEqual([
      {
        reason: 'FieldValueNotSupported',
        message: 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
        field: 'spec.restartPolicy',
      },
    ]);
  });

  it('treats a missing enum as required and a non-string enum as a type error', () => {
    const nodes = findByKind('v1', 'Node')!;
    const missing = thrown(() => decode(nodes, { metadata: { name: 'n' }, spec: { taints: [{ key: 'k' }] } }));
    expect(missing.code).toBe(422);
    expect(missing.details?.causes).toEqual([{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.taints[0].effect' }]);
    const wrongType = thrown(() => decode(pods, { metadata: { name: 'p' }, spec: { restartPolicy: 1, containers: [{ name: 'c' }] } }));
    expect(wrongType.code).toBe(400);
    expect(wrongType.message).toContain('json: cannot unmarshal number into Go struct field spec.restartPolicy of type string');
  });

  it('reads null as not set, like the Go decoder', () => {
    const { object } = decode(pods, {
      metadata: { name: 'p', creationTimestamp: null },
      spec: { containers: [{ name: 'c', image: 'x', resources: null }], nodeSelector: null },
      status: null,
    });
    expect(object.spec.containers[0]).not.toHaveProperty('resources');
    expect(object).not.toHaveProperty('status');
  });

  it('decodes DeleteOptions bodies', () => {
    const target = { kind: 'DeleteOptions', group: '', version: 'v1' };
    const { object } = decodeSchema(DeleteOptions, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground', gracePeriodSeconds: 0 }, target);
    expect(object.propagationPolicy).toBe('Foreground');
    expect(thrown(() => decodeSchema(DeleteOptions, { gracePeriodSeconds: 'now' }, target)).code).toBe(400);
  });

  it('formats paths like Kubernetes', () => {
    expect(formatPath(['spec', 'containers', 0, 'ports', 1, 'name'])).toBe('spec.containers[0].ports[1].name');
  });
});

describe('validateObject', () => {
  it('throws 422 Invalid with all causes', () => {
    const raw = parse(DEPLOYMENT_YAML) as { spec: { replicas: number } };
    raw.spec.replicas = -1;
    const { object } = decode(deployments, raw);
    const err = thrown(() => validateObject(deployments, object));
    expect(err.code).toBe(422);
    expect(err.message).toBe('Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
  });

  it('runs metadata validation', () => {
    const { object } = decode(services, { metadata: { name: 'Web', namespace: 'default' }, spec: { ports: [{ port: 80 }] } });
    const err = thrown(() => validateObject(services, object));
    expect(err.details?.causes?.[0]?.field).toBe('metadata.name');
    expect(err.details?.causes?.[0]?.message).toMatch(/^Invalid value: "Web": a DNS-1035 label must consist of/);
  });

  it('runs update rules with the old object', () => {
    const { object: old } = decode(deployments, parse(DEPLOYMENT_YAML));
    validateObject(deployments, old);
    const next = structuredClone(old) as Deployment;
    next.spec.selector = { matchLabels: { app: 'web', tier: 'front' } };
    next.spec.template.metadata.labels = { app: 'web', tier: 'front' };
    const err = thrown(() => validateObject(deployments, next, old));
    expect(err.details?.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: {"matchLabels":{"app":"web","tier":"front"}}: field is immutable',
        field: 'spec.selector',
      },
    ]);
  });

  it('applies server-side defaults: namespace finalizer, secret stringData, service targetPort', () => {
    const { object: ns } = decode(namespaces, { metadata: { name: 'team-a' } });
    validateObject(namespaces, ns);
    expect(ns.spec?.finalizers).toEqual(['kubernetes']);
    expect(ns.status?.phase).toBe('Active');

    const { object: secret } = decode(secrets, { metadata: { name: 's', namespace: 'default' }, stringData: { user: 'admin' } });
    validateObject(secrets, secret);
    expect(secret.type).toBe('Opaque');
    expect(secret.data).toEqual({ user: Buffer.from('admin').toString('base64') });
    expect(secret).not.toHaveProperty('stringData');

    const { object: svc } = decode(services, { metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
    validateObject(services, svc);
    expect(svc.spec).toMatchObject({ type: 'ClusterIP', sessionAffinity: 'None' });
    expect(svc.spec.ports?.[0]).toEqual({ port: 80, protocol: 'TCP', targetPort: 80 });
  });
});
