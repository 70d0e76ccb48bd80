/**
 * A cut-down apps/v1 Deployment schema for the patch tests: every field carries the
 * patch strategy the real Kubernetes type has (containers/env/volumes by name, ports by
 * containerPort, finalizers as a set, strategy with retainKeys, args/tolerations atomic).
 */
import { z } from 'zod';
import { ObjectMeta } from '../../api/meta/object-meta.js';
import { atomicList, mergeList } from '../../api/meta/patch-meta.js';

const ContainerPort = z.strictObject({
  containerPort: z.number().int(),
  protocol: z.string().optional(),
  name: z.string().optional(),
});
const EnvVar = z.strictObject({ name: z.string(), value: z.string().optional() });
const Container = z.strictObject({
  name: z.string(),
  image: z.string().optional(),
  args: atomicList(z.string()).optional(),
  command: z.array(z.string()).optional(),
  env: mergeList(EnvVar, 'name').optional(),
  ports: mergeList(ContainerPort, 'containerPort', ['containerPort', 'protocol']).optional(),
});
const Volume = z.strictObject({
  name: z.string(),
  emptyDir: z.strictObject({ medium: z.string().optional() }).optional(),
  configMap: z.strictObject({ name: z.string() }).optional(),
});
const PodSpec = z.strictObject({
  containers: mergeList(Container, 'name'),
  volumes: mergeList(Volume, 'name').optional(),
  nodeSelector: z.record(z.string(), z.string()).optional(),
  tolerations: z.array(z.strictObject({ key: z.string(), operator: z.string().optional(), effect: z.string().optional() })).optional(),
  imagePullSecrets: mergeList(z.strictObject({ name: z.string() }), 'name').optional(),
});
const Strategy = z
  .strictObject({
    type: z.string().optional(),
    rollingUpdate: z.strictObject({ maxSurge: z.number().optional(), maxUnavailable: z.number().optional() }).optional(),
  })
  .meta({ 'x-kubernetes-patch-strategy': 'retainKeys' });
export const Deployment = z.strictObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: ObjectMeta,
  spec: z.strictObject({
    replicas: z.number().int().optional(),
    selector: z
      .strictObject({
        matchLabels: z.record(z.string(), z.string()).optional(),
        matchExpressions: z.array(z.strictObject({ key: z.string(), operator: z.string(), values: z.array(z.string()).optional() })).optional(),
      })
      .optional(),
    strategy: Strategy.optional(),
    template: z.strictObject({ metadata: ObjectMeta.optional(), spec: PodSpec }),
  }),
});

