/**
 * `tkctl rollout status|history|undo|pause|resume|restart` for Deployments, as kubectl
 * does them: history and undo read the Deployment's ReplicaSets (one per revision).
 */
import { stringify } from 'yaml';
import { deployments, replicaSets } from '../../api/registry.js';
import type { Deployment, ReplicaSet } from '../../api/types/workloads.js';
import { CliError, type CliIO } from './io.js';
import { parseTypeAndNames, typePrefix } from './resource-types.js';
import { deploymentRolloutState } from './rollout-status.js';
import type { Session } from './session.js';
import { alignColumns } from './table-printer.js';
import { parseTimeout, sleep } from './wait.js';

export const REVISION = 'deployment.kubernetes.io/revision';
export const CHANGE_CAUSE = 'kubernetes.io/change-cause';
export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

export type RolloutVerb = 'status' | 'history' | 'undo' | 'pause' | 'resume' | 'restart';

export interface RolloutOptions {
  timeout?: string;
  watch?: boolean;
  revision?: number;
  toRevision?: number;
}

function deploymentNames(args: string[]): string[] {
  const names: string[] = [];
  for (const { def, names: n } of parseTypeAndNames(args)) {
    if (def !== deployments) throw new CliError(`no rollout support for ${def.plural}: only deployments`);
    if (n.length === 0) throw new CliError('required resource not specified');
    names.push(...n);
  }
  return names;
}

/** The ReplicaSets a Deployment controls, by owner reference, with their revision numbers. */
export async function revisionsOf(session: Session, d: Deployment): Promise<{ revision: number; rs: ReplicaSet }[]> {
  const list = await session.client.resource(replicaSets, d.metadata.namespace).listAll();
  return list.items
    .filter((rs) => (rs.metadata.ownerReferences ?? []).some((o) => o.controller && o.uid === d.metadata.uid))
    .map((rs) => ({ revision: Number(rs.metadata.annotations?.[REVISION] ?? '0'), rs }))
    .filter((r) => Number.isInteger(r.revision) && r.revision > 0)
    .sort((a, b) => a.revision - b.revision);
}

/** A template without the pod-template-hash label the ReplicaSet controller adds. */
function templateOf(rs: ReplicaSet): ReplicaSet['spec']['template'] {
  const template = structuredClone(rs.spec.template);
  const labels = { ...(template?.metadata?.labels ?? {}) };
  delete labels['pod-template-hash'];
  if (template) template.metadata = { ...template.metadata, labels };
  return template;
}

async function status(session: Session, name: string, o: RolloutOptions, io: CliIO): Promise<void> {
  const rc = session.client.resource(deployments, session.namespace);
  const timeoutMs = parseTimeout(o.timeout, 0);
  const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
  let last = '';
  for (;;) {
    const state = deploymentRolloutState(await rc.get(name));
    if (state.error) throw new CliError(state.error);
    if (state.message !== last) {
      io.stdout.write(`${state.message}\n`);
      last = state.message;
    }
    if (state.done || o.watch === false) return;
    if (Date.now() >= deadline) throw new CliError('timed out waiting for the condition');
    await sleep(Math.min(500, deadline - Date.now()));
  }
}

async function history(session: Session, name: string, o: RolloutOptions, io: CliIO): Promise<void> {
  const d = await session.client.resource(deployments, session.namespace).get(name);
  const revisions = await revisionsOf(session, d);
  if (o.revision !== undefined && o.revision > 0) {
    const found = revisions.find((r) => r.revision === o.revision);
    if (!found) throw new CliError(`unable to find the specified revision`);
    io.stdout.write(`${typePrefix(deployments)}/${name} with revision #${o.revision}\nPod Template:\n`);
    io.stdout.write(stringify(templateOf(found.rs)).replace(/^/gm, '  '));
    return;
  }
  io.stdout.write(`${typePrefix(deployments)}/${name}\n`);
  const rows = [['REVISION', 'CHANGE-CAUSE'], ...revisions.map((r) => [String(r.revision), r.rs.metadata.annotations?.[CHANGE_CAUSE] ?? '<none>'])];
  io.stdout.write(alignColumns(rows, undefined, 2));
  io.stdout.write('\n');
}

async function undo(session: Session, name: string, o: RolloutOptions, io: CliIO): Promise<void> {
  const rc = session.client.resource(deployments, session.namespace);
  const d = await rc.get(name);
  if (d.spec.paused) throw new CliError(`you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again`);
  const revisions = await revisionsOf(session, d);
  let target;
  if (o.toRevision !== undefined && o.toRevision > 0) {
    target = revisions.find((r) => r.revision === o.toRevision);
    if (!target) throw new CliError(`unable to find specified revision ${o.toRevision} in history`);
  } else {
    // The previous revision: the second highest.
    target = revisions.length >= 2 ? revisions[revisions.length - 2] : undefined;
    if (!target) throw new CliError('no rollout history found for deployment "' + name + '"');
  }
  const template = templateOf(target.rs);
  if (JSON.stringify(template) === JSON.stringify(d.spec.template)) {
    io.stdout.write(`${typePrefix(deployments)}/${name} skipped rollback (current template already matches revision ${target.revision})\n`);
    return;
  }
  // As kubectl: replace the template, guarded by the resourceVersion we read.
  const patch: unknown[] = [
    { op: 'test', path: '/metadata/resourceVersion', value: d.metadata.resourceVersion },
    { op: 'replace', path: '/spec/template', value: template },
  ];
  const cause = target.rs.metadata.annotations?.[CHANGE_CAUSE];
  if (cause) {
    patch.push(
      d.metadata.annotations
        ? { op: 'add', path: `/metadata/annotations/${CHANGE_CAUSE.replace('/', '~1')}`, value: cause }
        : { op: 'add', path: '/metadata/annotations', value: { [CHANGE_CAUSE]: cause } },
    );
  }
  await rc.patch(name, 'json', patch);
  io.stdout.write(`${typePrefix(deployments)}/${name} rolled back\n`);
}

async function setPaused(session: Session, name: string, paused: boolean, io: CliIO): Promise<void> {
  const rc = session.client.resource(deployments, session.namespace);
  const d = await rc.get(name);
  if (!!d.spec.paused === paused) {
    throw new CliError(`deployments.apps "${name}" ${paused ? 'is already paused' : 'is not paused'}`);
  }
  await rc.patch(name, 'strategic', { spec: { paused: paused ? true : null } });
  io.stdout.write(`${typePrefix(deployments)}/${name} ${paused ? 'paused' : 'resumed'}\n`);
}

async function restart(session: Session, name: string, io: CliIO): Promise<void> {
  const rc = session.client.resource(deployments, session.namespace);
  const d = await rc.get(name);
  if (d.spec.paused) throw new CliError(`can't restart paused deployment (run rollout resume first)`);
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  await rc.patch(name, 'strategic', { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: now } } } } });
  io.stdout.write(`${typePrefix(deployments)}/${name} restarted\n`);
}

export async function runRollout(session: Session, verb: RolloutVerb, args: string[], o: RolloutOptions, io: CliIO): Promise<void> {
  for (const name of deploymentNames(args)) {
    switch (verb) {
      case 'status':
        await status(session, name, o, io);
        break;
      case 'history':
        await history(session, name, o, io);
        break;
      case 'undo':
        await undo(session, name, o, io);
        break;
      case 'pause':
        await setPaused(session, name, true, io);
        break;
      case 'resume':
        await setPaused(session, name, false, io);
        break;
      case 'restart':
        await restart(session, name, io);
        break;
    }
  }
}

