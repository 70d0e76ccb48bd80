/**
 * The csrapproving controller: approves kubelet client certificate requests
 * (signer kubernetes.io/kube-apiserver-client-kubelet, CN=system:node:<name>,
 * O=system:nodes, client usages only) when the requester may create them — a new node
 * through certificatesigningrequests/nodeclient (bootstrap tokens), a node renewing its
 * own through certificatesigningrequests/selfnodeclient — as Kubernetes' SubjectAccessReview
 * approver does. It also approves a node's kubelet-serving request when every DNS name and
 * IP address in it is one of that Node's own. Anything else stays pending for a person
 * (`kubectl certificate approve`); this controller never denies.
 */
import type { Logger } from 'pino';
import type { SharedInformer } from '../../api/informer/informer.js';
import { parseCsr, type ParsedCsr } from '../../api/pki/index.js';
import { runController, type ReconcileResult } from '../../api/reconcile/controller.js';
import { certificateSigningRequests, nodes } from '../../api/registry.js';
import { type CertificateSigningRequest, isApproved, isDenied, requestPem } from '../../api/types/certificates.js';
import type { Node } from '../../api/types/node.js';
import { RateLimitingQueue } from '../../api/workqueue/rate-limiting-queue.js';
import type { Controller, ControllerDeps, ControllerFactory } from '../controller.js';
import { subjectAccessCheck, type AccessCheck } from '../../api/client/subject-access-review.js';
import { approveCsr } from './csr-writes.js';
import { isNodeClientRequest, isSelfNodeClientRequest, isSelfNodeServingRequest, NODE_USER_PREFIX, NODES_GROUP } from './csr-rules.js';

export const NAME = 'csrapproving';
const BOOTSTRAPPERS_GROUP = 'system:bootstrappers';
const MASTERS_GROUP = 'system:masters';
/** A serving request whose Node is not registered yet is looked at again after this. */
const NODE_WAIT_MS = 5_000;

export type ApprovalDecision = { approve: true; message: string } | { approve: false; why: string; retryAfterMs?: number };

const csrUser = (csr: CertificateSigningRequest) => ({ username: csr.spec.username ?? '', uid: csr.spec.uid, groups: csr.spec.groups ?? [], extra: csr.spec.extra });

/** The Node's DNS names and IP addresses, as its status reports them. */
export function nodeNames(node: Node): { dns: Set<string>; ips: Set<string> } {
  const dns = new Set<string>([node.metadata.name!]);
  const ips = new Set<string>();
  for (const a of node.status?.addresses ?? []) {
    if (a.type === 'Hostname' || a.type === 'InternalDNS' || a.type === 'ExternalDNS') dns.add(a.address);
    else if (a.type === 'InternalIP' || a.type === 'ExternalIP') ips.add(a.address);
  }
  return { dns, ips };
}

/** Whether to approve a parsed request (pure apart from the access check and node lookup). */
export async function decide(
  csr: CertificateSigningRequest,
  req: ParsedCsr,
  check: AccessCheck,
  nodeByName: (name: string) => Node | undefined,
): Promise<ApprovalDecision> {
  const user = csrUser(csr);
  const groups = new Set(user.groups);
  const may = (subresource: string, fallback: () => boolean) =>
    check(user, { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', verb: 'create', subresource }, fallback);
  if (isNodeClientRequest(csr, req)) {
    if (isSelfNodeClientRequest(csr, req) && (await may('selfnodeclient', () => groups.has(NODES_GROUP)))) {
      return { approve: true, message: 'Auto approving self kubelet client certificate after SubjectAccessReview.' };
    }
    if (await may('nodeclient', () => groups.has(BOOTSTRAPPERS_GROUP) || groups.has(MASTERS_GROUP))) {
      return { approve: true, message: 'Auto approving kubelet client certificate after SubjectAccessReview.' };
    }
    return { approve: false, why: `${user.username} may not request a kubelet client certificate for ${req.commonName}` };
  }
  if (isSelfNodeServingRequest(csr, req)) {
    const node = nodeByName(req.commonName.slice(NODE_USER_PREFIX.length));
    if (!node) return { approve: false, why: `node of ${req.commonName} is not registered yet`, retryAfterMs: NODE_WAIT_MS };
    const own = nodeNames(node);
    const foreign = [...req.dnsNames.filter((n) => !own.dns.has(n)), ...req.ipAddresses.filter((ip) => !own.ips.has(ip))];
    if (foreign.length) return { approve: false, why: `names not reported by the node: ${foreign.join(', ')}`, retryAfterMs: NODE_WAIT_MS };
    return { approve: true, message: 'Auto approving kubelet serving certificate for the node\'s own names and addresses.' };
  }
  return { approve: false, why: 'not a request this controller approves' };
}

export class CsrApprovingController implements Controller {
  readonly name = NAME;
  private readonly queue = new RateLimitingQueue<string>();
  private readonly csrs: SharedInformer<CertificateSigningRequest>;
  private readonly nodes: SharedInformer<Node>;
  private readonly log: Logger;

  constructor(
    private readonly deps: ControllerDeps,
    private readonly check: AccessCheck = subjectAccessCheck(deps.client, deps.logger),
  ) {
    this.log = deps.logger.child({ controller: NAME });
    this.csrs = deps.informers.informerFor(certificateSigningRequests);
    this.nodes = deps.informers.informerFor(nodes);
    const enqueue = (csr: CertificateSigningRequest) => {
      if (!isApproved(csr) && !isDenied(csr)) this.queue.add(csr.metadata.name!);
    };
    this.csrs.addEventHandler({ onAdd: enqueue, onUpdate: (_old, csr) => enqueue(csr) });
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    this.deps.informers.start();
    if (!(await this.deps.informers.waitForCacheSync(signal))) return;
    await runController({ name: NAME, queue: this.queue, workers, logger: this.deps.logger, signal, reconcile: (key) => this.reconcile(key) }).done;
  }

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const csr = this.csrs.store.getByName(undefined, name);
    if (!csr || isApproved(csr) || isDenied(csr)) return;
    let req: ParsedCsr;
    try {
      req = await parseCsr(requestPem(csr));
    } catch (err) {
      this.log.debug({ csr: name, err: (err as Error).message }, 'request does not parse; leaving it to a person');
      return;
    }
    const decision = await decide(csr, req, this.check, (n) => this.nodes.store.getByName(undefined, n));
    if (!decision.approve) {
      this.log.debug({ csr: name, why: decision.why }, 'not approving');
      return decision.retryAfterMs ? { requeueAfter: decision.retryAfterMs } : undefined;
    }
    await approveCsr(this.deps.client, csr, 'AutoApproved', decision.message);
    this.log.info({ csr: name, requester: csr.spec.username, subject: req.commonName }, 'approved certificate signing request');
  }
}

export const csrApprovingController: ControllerFactory = (deps) => new CsrApprovingController(deps);
