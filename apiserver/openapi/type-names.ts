/**
 * Kubernetes names for the nested schemas of tkube's API types (api/types/*), so the
 * OpenAPI documents share components like kube-apiserver's (io.k8s.api.core.v1.Container,
 * io.k8s.api.apps.v1.DeploymentSpec, ...) and `kubectl explain` prints `<[]Container>`
 * rather than `<[]Object>`. Each exported object schema is named after its export.
 */
import * as common from '../../api/types/common.js';
import * as affinity from '../../api/types/affinity.js';
import * as certificates from '../../api/types/certificates.js';
import * as config from '../../api/types/config.js';
import * as container from '../../api/types/container.js';
import * as event from '../../api/types/event.js';
import * as lease from '../../api/types/lease.js';
import * as namespace from '../../api/types/namespace.js';
import * as node from '../../api/types/node.js';
import * as pod from '../../api/types/pod.js';
import * as service from '../../api/types/service.js';
import * as subresources from '../../api/types/subresources.js';
import * as volume from '../../api/types/volume.js';
import * as workloads from '../../api/types/workloads.js';
import { META_V1, namesFromExports, type SchemaNames } from './schema-names.js';
import type { OpenApiOptions } from './v3.js';

export function kubernetesTypeNames(): SchemaNames {
  const names: SchemaNames = new Map();
  // The apimachinery types first: they live outside the core/v1 package.
  names.set(common.Quantity, 'io.k8s.apimachinery.pkg.api.resource.Quantity');
  names.set(common.IntOrString, 'io.k8s.apimachinery.pkg.util.intstr.IntOrString');
  names.set(common.Time, `${META_V1}.Time`);
  names.set(common.LabelSelector, `${META_V1}.LabelSelector`);
  names.set(common.LabelSelectorRequirement, `${META_V1}.LabelSelectorRequirement`);
  names.set(subresources.Scale, 'io.k8s.api.autoscaling.v1.Scale');
  for (const mod of [common, affinity, config, container, event, namespace, node, pod, service, subresources, volume]) {
    namesFromExports(mod, 'io.k8s.api.core.v1', names);
  }
  namesFromExports(workloads, 'io.k8s.api.apps.v1', names);
  namesFromExports(lease, 'io.k8s.api.coordination.v1', names);
  namesFromExports(certificates, 'io.k8s.api.certificates.v1', names);
  return names;
}

/** The options the apiserver serves its OpenAPI documents with. */
export function kubernetesOpenApiOptions(): OpenApiOptions {
  return { names: kubernetesTypeNames() };
}
