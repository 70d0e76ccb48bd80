/** core/v1 Service and Endpoints. */
import { z } from 'zod';
import { ObjectMeta } from '../meta/object-meta.js';
import { mergeList } from '../meta/patch-meta.js';
import { IntOrString, ObjectReference, StringMap, Time, conditionList, listOf, typeMeta } from './common.js';
import { Protocol } from './container.js';

export const ServicePort = z.strictObject({
  name: z.string().optional().describe('Name of the port; required when there are several.'),
  protocol: Protocol.default('TCP'),
  appProtocol: z.string().optional(),
  port: z.number().int().describe('Port the service exposes.'),
  targetPort: IntOrString.optional().describe('Port number or name on the pods; the port by default.'),
  nodePort: z.number().int().optional().describe('Port on every node for NodePort and LoadBalancer services.'),
});
export type ServicePort = z.infer<typeof ServicePort>;

export const ServiceType = z.enum(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']);

export const ServiceSpec = z
  .strictObject({
    ports: mergeList(ServicePort, 'port', ['port', 'protocol']).optional().describe('Ports the service exposes.'),
    selector: StringMap.optional().describe('Pods with these labels back the service.'),
    clusterIP: z.string().optional().describe('Virtual IP; allocated by the server, or None for a headless service.'),
    clusterIPs: z.array(z.string()).optional(),
    type: ServiceType.default('ClusterIP').describe('ClusterIP, NodePort, LoadBalancer or ExternalName.'),
    externalIPs: z.array(z.string()).optional(),
    sessionAffinity: z.enum(['ClientIP', 'None']).default('None'),
    loadBalancerIP: z.string().optional(),
    loadBalancerSourceRanges: z.array(z.string()).optional(),
    externalName: z.string().optional(),
    externalTrafficPolicy: z.enum(['Cluster', 'Local']).optional(),
    healthCheckNodePort: z.number().int().optional(),
    publishNotReadyAddresses: z.boolean().optional(),
    sessionAffinityConfig: z
      .strictObject({ clientIP: z.strictObject({ timeoutSeconds: z.number().int().optional() }).optional() })
      .optional(),
    ipFamilies: z.array(z.enum(['IPv4', 'IPv6'])).optional(),
    ipFamilyPolicy: z.enum(['SingleStack', 'PreferDualStack', 'RequireDualStack']).optional(),
    allocateLoadBalancerNodePorts: z.boolean().optional(),
    loadBalancerClass: z.string().optional(),
    internalTrafficPolicy: z.enum(['Cluster', 'Local']).optional(),
    trafficDistribution: z.string().optional(),
  })
  .describe('Desired state of a service.');
export type ServiceSpec = z.infer<typeof ServiceSpec>;

export const ServiceCondition = z.strictObject({
  type: z.string(),
  status: z.enum(['True', 'False', 'Unknown']),
  observedGeneration: z.number().int().optional(),
  lastTransitionTime: Time,
  reason: z.string(),
  message: z.string(),
});

export const LoadBalancerIngress = z.strictObject({
  ip: z.string().optional(),
  hostname: z.string().optional(),
  ipMode: z.string().optional(),
  ports: z.array(z.strictObject({ port: z.number().int(), protocol: Protocol, error: z.string().optional() })).optional(),
});

export const Service = z
  .strictObject({
    ...typeMeta('v1', 'Service'),
    metadata: ObjectMeta,
    spec: ServiceSpec.default({ type: 'ClusterIP', sessionAffinity: 'None' }),
    status: z
      .strictObject({
        loadBalancer: z.strictObject({ ingress: z.array(LoadBalancerIngress).optional() }).optional(),
        conditions: conditionList(ServiceCondition).optional(),
      })
      .optional(),
  })
  .describe('A stable virtual IP and DNS name in front of a set of pods.');
export type Service = z.infer<typeof Service>;
export type ServiceInput = z.input<typeof Service>;
export const ServiceList = listOf('v1', 'Service', Service);

export const EndpointAddress = z.strictObject({
  ip: z.string(),
  hostname: z.string().optional(),
  nodeName: z.string().optional(),
  targetRef: ObjectReference.optional().describe('The pod behind the address.'),
});

export const EndpointPort = z.strictObject({
  name: z.string().optional(),
  port: z.number().int(),
  protocol: Protocol.default('TCP'),
  appProtocol: z.string().optional(),
});

export const EndpointSubset = z
  .strictObject({
    addresses: z.array(EndpointAddress).optional().describe('Ready addresses.'),
    notReadyAddresses: z.array(EndpointAddress).optional().describe('Addresses not ready yet.'),
    ports: z.array(EndpointPort).optional(),
  })
  .describe('Addresses that share a set of ports.');
export type EndpointSubset = z.infer<typeof EndpointSubset>;

export const Endpoints = z
  .strictObject({
    ...typeMeta('v1', 'Endpoints'),
    metadata: ObjectMeta,
    subsets: z.array(EndpointSubset).optional().describe('The addresses and ports of the service.'),
  })
  .describe('The pod addresses backing a service, named like the service.');
export type Endpoints = z.infer<typeof Endpoints>;
export type EndpointsInput = z.input<typeof Endpoints>;
export const EndpointsList = listOf('v1', 'Endpoints', Endpoints);

/** Defaults that depend on other fields: targetPort is the port, traffic policies by type. */
export function applyServiceDefaults(spec: ServiceSpec): void {
  for (const p of spec.ports ?? []) {
    // Kubernetes treats 0 and "" as "not given" here.
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (spec.type !== 'ExternalName') spec.internalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  if (spec.sessionAffinity === 'ClientIP') {
    const config = (spec.sessionAffinityConfig ??= {});
    const clientIP = (config.clientIP ??= {});
    clientIP.timeoutSeconds ??= 10800;
  }
}
