/**
 * Every controller the controller-manager can run, by the name `--controllers` uses.
 * Each controller folder exports a ControllerFactory; add yours here.
 */
import { bootstrapSignerController } from './bootstrapsigner/bootstrapsigner-controller.js';
import { csrApprovingController } from './certificates/approver.js';
import { csrSigningController } from './certificates/signer.js';
import { clusterRoleAggregationController } from './clusterroleaggregation/clusterrole-aggregation-controller.js';
import type { ControllerFactory } from './controller.js';
import { deploymentControllerFactory } from './deployment/deployment-controller.js';
import { garbageCollectorController } from './garbagecollector/garbage-collector.js';
import { namespaceController } from './namespace/namespace-controller.js';
import { nodeIpamController } from './nodeipam/node-ipam-controller.js';
import { nodeLifecycleController } from './nodelifecycle/node-lifecycle-controller.js';
import { replicaSetControllerFactory } from './replicaset/replicaset-controller.js';
import { serviceAccountsController } from './serviceaccount/serviceaccount-controller.js';
import { tokenCleanerController } from './tokencleaner/tokencleaner-controller.js';

export const CONTROLLERS: Record<string, ControllerFactory> = {
  replicaset: replicaSetControllerFactory,
  deployment: deploymentControllerFactory,
  garbagecollector: garbageCollectorController,
  namespace: namespaceController,
  nodelifecycle: nodeLifecycleController,
  nodeipam: nodeIpamController,
  csrapproving: csrApprovingController,
  csrsigning: csrSigningController,
  serviceaccount: serviceAccountsController,
  'clusterrole-aggregation': clusterRoleAggregationController,
  // Off by default in kube-controller-manager, on with kubeadm; tkube issues bootstrap tokens, so on here.
  tokencleaner: tokenCleanerController,
  // Off by default in kube-controller-manager, on with kubeadm: keeps cluster-info's token signatures current.
  bootstrapsigner: bootstrapSignerController,
};
