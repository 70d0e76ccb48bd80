/**
 * `tkctl describe` for pods, deployments, replica sets and nodes (other types print
 * their metadata and spec), each followed by its Events (fieldSelector involvedObject.uid).
 */
import { stringify } from 'yaml';
import type { KubeObject } from '../../api/meta/object-meta.js';
import { deployments, events, nodes, pods, replicaSets } from '../../api/registry.js';
import type { ResourceDef } from '../../api/resource.js';
import type { Event } from '../../api/types/event.js';
import type { Node } from '../../api/types/node.js';
import type { Pod } from '../../api/types/pod.js';
import type { Deployment, ReplicaSet } from '../../api/types/workloads.js';
import { formatLabelSelector } from '../../apiserver/tables/format.js';
import { timestampSince } from '../../apiserver/tables/duration.js';
import { DescribeWriter } from './describe-writer.js';
import { errorLine } from './errors.js';
import { CliError, type CliIO } from './io.js';
import { parseTypeAndNames } from './resource-types.js';
import type { Session } from './session.js';

type PodSpec = Pod['spec'];
type Container = PodSpec['containers'][number];

function header(w: DescribeWriter, obj: KubeObject, namespaced: boolean): void {
  w.field(0, 'Name', obj.metadata.name);
  if (namespaced) w.field(0, 'Namespace', obj.metadata.namespace);
}

function controlledBy(obj: KubeObject): string | undefined {
  const ref = (obj.metadata.ownerReferences ?? []).find((o) => o.controller);
  return ref ? `${ref.kind}/${ref.name}` : undefined;
}

function describeContainers(w: DescribeWriter, indent: number, containers: Container[], statuses: NonNullable<Pod['status']>['containerStatuses'] = []): void {
  for (const c of containers) {
    const st = (statuses ?? []).find((s) => s.name === c.name);
    w.field(indent, c.name);
    if (st?.containerID) w.field(indent + 1, 'Container ID', st.containerID);
    w.field(indent + 1, 'Image', c.image);
    if (st) w.field(indent + 1, 'Image ID', st.imageID ?? '');
    const ports = (c.ports ?? []).map((p) => `${p.containerPort}/${p.protocol ?? 'TCP'}`);
    w.field(indent + 1, ports.length > 1 ? 'Ports' : 'Port', ports.join(', ') || '<none>');
    const hostPorts = (c.ports ?? []).map((p) => `${p.hostPort ?? 0}/${p.protocol ?? 'TCP'}`);
    w.field(indent + 1, hostPorts.length > 1 ? 'Host Ports' : 'Host Port', hostPorts.join(', ') || '<none>');
    if (c.command) w.field(indent + 1, 'Command', c.command.join(' '));
    if (c.args) w.field(indent + 1, 'Args', c.args.join(' '));
    if (st) {
      const state = st.state ?? {};
      if (state.running) {
        w.field(indent + 1, 'State', 'Running');
        w.field(indent + 2, 'Started', state.running.startedAt ?? '');
      } else if (state.waiting) {
        w.field(indent + 1, 'State', 'Waiting');
        w.field(indent + 2, 'Reason', state.waiting.reason ?? '');
      } else if (state.terminated) {
        w.field(indent + 1, 'State', 'Terminated');
        w.field(indent + 2, 'Reason', state.terminated.reason ?? '');
        w.field(indent + 2, 'Exit Code', state.terminated.exitCode);
      }
      w.field(indent + 1, 'Ready', st.ready ? 'True' : 'False');
      w.field(indent + 1, 'Restart Count', st.restartCount ?? 0);
    }
    const env = (c.env ?? []).map((e) => `${e.name}:  ${e.value ?? (e.valueFrom ? '(from a reference)' : '')}`);
    if (env.length === 0) w.field(indent + 1, 'Environment', '<none>');
    else {
      w.field(indent + 1, 'Environment');
      for (const e of env) w.raw(indent + 2, e);
    }
    const mounts = (c.volumeMounts ?? []).map((m) => `${m.mountPath} from ${m.name} (${m.readOnly ? 'ro' : 'rw'})`);
    w.field(indent + 1, 'Mounts', mounts.length === 0 ? '<none>' : undefined);
    for (const m of mounts) w.raw(indent + 2, m);
  }
}

function describePod(w: DescribeWriter, pod: Pod): void {
  header(w, pod, true);
  if (pod.spec.priority !== undefined) w.field(0, 'Priority', pod.spec.priority);
  w.field(0, 'Service Account', pod.spec.serviceAccountName ?? 'default');
  w.field(0, 'Node', pod.spec.nodeName ? `${pod.spec.nodeName}/${pod.status?.hostIP ?? ''}` : '<none>');
  if (pod.status?.startTime) w.field(0, 'Start Time', new Date(pod.status.startTime).toUTCString());
  w.map(0, 'Labels', pod.metadata.labels);
  w.map(0, 'Annotations', pod.metadata.annotations, ': ');
  w.field(0, 'Status', pod.metadata.deletionTimestamp ? 'Terminating' : (pod.status?.phase ?? 'Pending'));
  if (pod.status?.reason) w.field(0, 'Reason', pod.status.reason);
  if (pod.status?.message) w.field(0, 'Message', pod.status.message);
  w.raw(0, `IP:${' '.repeat(16)}${pod.status?.podIP ?? ''}`.trimEnd());
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip);
  w.field(0, 'IPs', ips.length === 0 ? '<none>' : undefined);
  for (const ip of ips) w.field(1, 'IP', ip);
  const owner = controlledBy(pod);
  if (owner) w.field(0, 'Controlled By', owner);
  if (pod.spec.initContainers?.length) {
    w.field(0, 'Init Containers');
    describeContainers(w, 1, pod.spec.initContainers, pod.status?.initContainerStatuses);
  }
  w.field(0, 'Containers');
  describeContainers(w, 1, pod.spec.containers, pod.status?.containerStatuses);
  const conditions = pod.status?.conditions ?? [];
  if (conditions.length > 0) {
    w.field(0, 'Conditions');
    w.table(1, ['Type', 'Status'], conditions.map((c) => [c.type, c.status]));
  }
  w.field(0, 'Volumes', (pod.spec.volumes ?? []).length === 0 ? '<none>' : undefined);
  for (const v of pod.spec.volumes ?? []) w.raw(1, `${v.name}:`);
  w.field(0, 'QoS Class', pod.status?.qosClass ?? '');
  w.map(0, 'Node-Selectors', pod.spec.nodeSelector);
  const tolerations = (pod.spec.tolerations ?? []).map(
    (t) =>
      `${t.key ?? ''}${t.value ? `=${t.value}` : ''}${t.effect ? `:${t.effect}` : ''}${t.operator === 'Exists' ? ' op=Exists' : ''}${t.tolerationSeconds !== undefined && t.tolerationSeconds !== null ? ` for ${t.tolerationSeconds}s` : ''}`,
  );
  w.field(0, 'Tolerations', tolerations[0] ?? '<none>');
  for (const t of tolerations.slice(1)) w.field(0, '', t);
}

function describeTemplate(w: DescribeWriter, template: Deployment['spec']['template']): void {
  w.field(0, 'Pod Template');
  w.map(1, 'Labels', template.metadata?.labels);
  if (template.metadata?.annotations) w.map(1, 'Annotations', template.metadata.annotations, ': ');
  w.field(1, 'Containers');
  describeContainers(w, 2, template.spec.containers);
}

function replicasLine(desired: number | undefined, status: { replicas?: number; updatedReplicas?: number; availableReplicas?: number; unavailableReplicas?: number } | undefined, updated: boolean): string {
  const s = status ?? {};
  const parts = [`${desired ?? 1} desired`];
  if (updated) parts.push(`${s.updatedReplicas ?? 0} updated`);
  parts.push(`${s.replicas ?? 0} total`, `${s.availableReplicas ?? 0} available`, `${s.unavailableReplicas ?? 0} unavailable`);
  return parts.join(' | ');
}

async function describeDeployment(w: DescribeWriter, d: Deployment, session: Session): Promise<void> {
  header(w, d, true);
  w.field(0, 'CreationTimestamp', d.metadata.creationTimestamp ? new Date(d.metadata.creationTimestamp).toUTCString() : '');
  w.map(0, 'Labels', d.metadata.labels);
  w.map(0, 'Annotations', d.metadata.annotations, ': ');
  w.field(0, 'Selector', formatLabelSelector(d.spec.selector));
  w.field(0, 'Replicas', replicasLine(d.spec.replicas, d.status, true));
  const strategy = d.spec.strategy?.type ?? 'RollingUpdate';
  w.field(0, 'StrategyType', strategy);
  w.field(0, 'MinReadySeconds', d.spec.minReadySeconds ?? 0);
  if (strategy === 'RollingUpdate') {
    const ru = d.spec.strategy?.rollingUpdate;
    w.field(0, 'RollingUpdateStrategy', `${ru?.maxUnavailable ?? '25%'} max unavailable, ${ru?.maxSurge ?? '25%'} max surge`);
  }
  describeTemplate(w, d.spec.template);
  const conditions = d.status?.conditions ?? [];
  if (conditions.length > 0) {
    w.field(0, 'Conditions');
    w.table(1, ['Type', 'Status', 'Reason'], conditions.map((c) => [c.type, c.status, c.reason ?? '']));
  }
  const rsList = await session.client.resource(replicaSets, d.metadata.namespace).listAll();
  const owned = rsList.items.filter((rs) => (rs.metadata.ownerReferences ?? []).some((o) => o.controller && o.uid === d.metadata.uid));
  const rsName = (rs: ReplicaSet) => `${rs.metadata.name} (${rs.status?.replicas ?? 0}/${rs.spec.replicas ?? 0} replicas created)`;
  const newRs = owned.find((rs) => JSON.stringify(withoutHash(rs.spec.template)) === JSON.stringify(d.spec.template));
  const old = owned.filter((rs) => rs !== newRs && (rs.spec.replicas ?? 0) > 0);
  w.field(0, 'OldReplicaSets', old.length ? old.map(rsName).join(', ') : '<none>');
  w.field(0, 'NewReplicaSet', newRs ? rsName(newRs) : '<none>');
}

function withoutHash(template: ReplicaSet['spec']['template']): ReplicaSet['spec']['template'] {
  const t = structuredClone(template);
  if (t?.metadata?.labels) {
    delete t.metadata.labels['pod-template-hash'];
  }
  return t;
}

async function describeReplicaSet(w: DescribeWriter, rs: ReplicaSet, session: Session): Promise<void> {
  header(w, rs, true);
  w.field(0, 'Selector', formatLabelSelector(rs.spec.selector));
  w.map(0, 'Labels', rs.metadata.labels);
  w.map(0, 'Annotations', rs.metadata.annotations, ': ');
  const owner = controlledBy(rs);
  if (owner) w.field(0, 'Controlled By', owner);
  w.field(0, 'Replicas', `${rs.status?.replicas ?? 0} current / ${rs.spec.replicas ?? 1} desired`);
  const podList = await session.client.resource(pods, rs.metadata.namespace).listAll();
  const owned = podList.items.filter((p) => (p.metadata.ownerReferences ?? []).some((o) => o.controller && o.uid === rs.metadata.uid));
  const count = (phase: string) => owned.filter((p) => (p.status?.phase ?? 'Pending') === phase).length;
  w.field(0, 'Pods Status', `${count('Running')} Running / ${count('Pending')} Waiting / ${count('Succeeded')} Succeeded / ${count('Failed')} Failed`);
  if (rs.spec.template) describeTemplate(w, rs.spec.template);
}

function describeNode(w: DescribeWriter, node: Node): void {
  header(w, node, false);
  w.map(0, 'Labels', node.metadata.labels);
  w.map(0, 'Annotations', node.metadata.annotations, ': ');
  w.field(0, 'CreationTimestamp', node.metadata.creationTimestamp ? new Date(node.metadata.creationTimestamp).toUTCString() : '');
  const taints = (node.spec?.taints ?? []).map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`);
  w.field(0, 'Taints', taints[0] ?? '<none>');
  for (const t of taints.slice(1)) w.field(0, '', t);
  w.field(0, 'Unschedulable', node.spec?.unschedulable ? 'true' : 'false');
  const conditions = node.status?.conditions ?? [];
  w.field(0, 'Conditions');
  w.table(1, ['Type', 'Status', 'LastHeartbeatTime', 'Reason', 'Message'], conditions.map((c) => [c.type, c.status, c.lastHeartbeatTime ?? '', c.reason ?? '', c.message ?? '']));
  w.field(0, 'Addresses');
  for (const a of node.status?.addresses ?? []) w.field(1, a.type, a.address);
  w.map(0, 'Capacity', node.status?.capacity as Record<string, string> | undefined, ':  ');
  w.map(0, 'Allocatable', node.status?.allocatable as Record<string, string> | undefined, ':  ');
  const info = node.status?.nodeInfo;
  if (info) {
    w.field(0, 'System Info');
    for (const [k, v] of Object.entries(info)) w.field(1, k.replace(/^./, (c) => c.toUpperCase()).replace(/([a-z])([A-Z])/g, '$1 $2'), String(v));
  }
  w.field(0, 'PodCIDR', node.spec?.podCIDR ?? '');
}

async function describeEvents(w: DescribeWriter, obj: KubeObject, session: Session): Promise<void> {
  const ns = obj.metadata.namespace || undefined;
  const list = await session.client.resource(events, ns).listAll({ fieldSelector: `involvedObject.uid=${obj.metadata.uid ?? ''}` });
  if (list.items.length === 0) {
    w.field(0, 'Events', '<none>');
    return;
  }
  const now = new Date();
  const when = (e: Event) => e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp;
  const rows = [...list.items]
    .sort((a, b) => String(when(a)).localeCompare(String(when(b))))
    .map((e) => {
      const age = timestampSince(when(e), now);
      const count = e.count ?? e.series?.count ?? 1;
      const ageText = count > 1 ? `${age} (x${count} over ${timestampSince(e.firstTimestamp ?? when(e), now)})` : age;
      return [e.type ?? 'Normal', e.reason ?? '', ageText, e.source?.component ?? e.reportingComponent ?? '', (e.message ?? '').trim()];
    });
  w.field(0, 'Events');
  w.table(1, ['Type', 'Reason', 'Age', 'From', 'Message'], rows);
}

async function describeOne(def: ResourceDef, obj: KubeObject, session: Session): Promise<string> {
  const w = new DescribeWriter();
  if (def === pods) describePod(w, obj as Pod);
  else if (def === deployments) await describeDeployment(w, obj as Deployment, session);
  else if (def === replicaSets) await describeReplicaSet(w, obj as ReplicaSet, session);
  else if (def === nodes) describeNode(w, obj as Node);
  else {
    header(w, obj, def.namespaced);
    w.map(0, 'Labels', obj.metadata.labels);
    w.map(0, 'Annotations', obj.metadata.annotations, ': ');
    const rest: Record<string, unknown> = { ...obj };
    delete rest.metadata;
    delete rest.apiVersion;
    delete rest.kind;
    if (Object.keys(rest).length > 0) w.raw(0, stringify(rest).trimEnd());
  }
  await describeEvents(w, obj, session);
  return w.toString();
}

export async function runDescribe(session: Session, args: string[], o: { selector?: string; allNamespaces?: boolean }, io: CliIO): Promise<void> {
  let failed = false;
  let printed = 0;
  for (const { def, names } of parseTypeAndNames(args)) {
    const rc = session.client.resource(def, def.namespaced && !o.allNamespaces ? session.namespace : undefined);
    let objs: KubeObject[] = [];
    if (names.length === 0) objs = (await rc.listAll({ labelSelector: o.selector })).items;
    for (const name of names) {
      try {
        objs.push(await rc.get(name));
      } catch (err) {
        failed = true;
        io.stderr.write(`error: ${errorLine(err)}\n`);
      }
    }
    for (const obj of objs) {
      if (printed++ > 0) io.stdout.write('\n\n');
      io.stdout.write(await describeOne(def, obj, session));
    }
  }
  if (failed) throw new CliError('');
  if (printed === 0) io.stderr.write(`No resources found in ${session.namespace} namespace.\n`);
}
