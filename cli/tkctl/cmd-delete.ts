/**
 * `tkctl delete`: by name, TYPE/NAME, -f, --all or -l; --cascade, --grace-period,
 * --force; like kubectl it waits until the objects are gone unless --wait=false.
 */
import { isApiError } from '../../api/meta/errors.js';
import type { ResourceDef } from '../../api/resource.js';
import type { DeleteOptions } from '../../api/client/types.js';
import { errorLine } from './errors.js';
import { CliError, type CliIO } from './io.js';
import { readManifests } from './manifests.js';
import { nameOf, namespaceFor } from './object-names.js';
import { groupResource, parseTypeAndNames, typeOfObject, typePrefix } from './resource-types.js';
import type { Session } from './session.js';
import { parseTimeout, pollUntil } from './wait.js';

export interface DeleteCliOptions {
  filename: string[];
  recursive?: boolean;
  all?: boolean;
  selector?: string;
  allNamespaces?: boolean;
  cascade: string;
  gracePeriod?: number;
  force?: boolean;
  wait: boolean;
  ignoreNotFound?: boolean;
  timeout?: string;
}

interface Target {
  def: ResourceDef;
  namespace: string | undefined;
  name: string;
}

const policies: Record<string, DeleteOptions['propagationPolicy']> = {
  background: 'Background',
  orphan: 'Orphan',
  foreground: 'Foreground',
  // kubectl still accepts the old boolean forms.
  true: 'Background',
  false: 'Orphan',
};

export function deleteOptionsFrom(o: Pick<DeleteCliOptions, 'cascade' | 'gracePeriod' | 'force'>): DeleteOptions {
  const propagationPolicy = policies[o.cascade];
  if (!propagationPolicy) throw new CliError(`invalid cascade value (${o.cascade}). Must be "background", "foreground", or "orphan"`);
  const opts: DeleteOptions = { propagationPolicy };
  if (o.force) {
    // --force alone means "now"; kubectl turns it into a grace period of 0.
    opts.gracePeriodSeconds = o.gracePeriod !== undefined && o.gracePeriod > 0 ? o.gracePeriod : 0;
  } else if (o.gracePeriod !== undefined && o.gracePeriod >= 0) {
    // kubectl: --grace-period=0 without --force means 1 (the smallest graceful deletion).
    opts.gracePeriodSeconds = o.gracePeriod === 0 ? 1 : o.gracePeriod;
  }
  return opts;
}

async function targetsOf(session: Session, args: string[], o: DeleteCliOptions, io: CliIO): Promise<Target[]> {
  if (o.filename.length > 0) {
    if (args.length > 0) throw new CliError('resource(s) were provided, but no name was specified; use -f or names, not both');
    const manifests = await readManifests(o.filename, !!o.recursive, io);
    return manifests.map(({ obj, source }) => {
      const def = typeOfObject(obj.apiVersion, obj.kind);
      return { def, namespace: namespaceFor(obj, def, session), name: nameOf(obj, source) };
    });
  }
  const out: Target[] = [];
  for (const { def, names } of parseTypeAndNames(args)) {
    const namespace = def.namespaced && !o.allNamespaces ? session.namespace : undefined;
    if (names.length > 0) {
      if (o.all || o.selector) throw new CliError('name cannot be provided when a selector or --all is specified');
      out.push(...names.map((name) => ({ def, namespace, name })));
      continue;
    }
    if (!o.all && !o.selector) throw new CliError('resource(s) were provided, but no name was specified');
    const list = await session.client.resource(def, namespace).listAll({ labelSelector: o.selector });
    out.push(...list.items.map((obj) => ({ def, namespace: def.namespaced ? obj.metadata.namespace : undefined, name: obj.metadata.name! })));
  }
  return out;
}

export async function runDelete(session: Session, args: string[], o: DeleteCliOptions, io: CliIO): Promise<void> {
  const deleteOpts = deleteOptionsFrom(o);
  const targets = await targetsOf(session, args, o, io);
  if (targets.length === 0) {
    io.stderr.write(o.allNamespaces || !session.namespace ? 'No resources found\n' : `No resources found in ${session.namespace} namespace.\n`);
    return;
  }
  if (deleteOpts.gracePeriodSeconds === 0) io.stderr.write('Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n');
  let failed = false;
  const deleted: (Target & { uid?: string })[] = [];
  for (const t of targets) {
    try {
      const res = await session.client.resource(t.def, t.namespace).delete(t.name, deleteOpts);
      // The deleted object, or (for an immediate deletion) a Status whose details carry its uid.
      const answer = res as { metadata?: { uid?: string }; details?: { uid?: string } };
      const uid = answer.metadata?.uid ?? answer.details?.uid;
      deleted.push({ ...t, uid });
      io.stdout.write(`${typePrefix(t.def)} "${t.name}" deleted\n`);
    } catch (err) {
      if (o.ignoreNotFound && isApiError(err, 'NotFound')) continue;
      failed = true;
      io.stderr.write(`error: ${errorLine(err)}\n`);
    }
  }
  // kubectl waits unless told not to, and does not wait for an immediate (forced) deletion.
  if (o.wait && deleteOpts.gracePeriodSeconds !== 0) {
    const timeoutMs = parseTimeout(o.timeout, 0);
    for (const t of deleted) {
      const rc = session.client.resource(t.def, t.namespace);
      await pollUntil(
        async () => {
          try {
            const obj = await rc.get(t.name);
            return t.uid !== undefined && obj.metadata.uid !== t.uid;
          } catch (err) {
            if (isApiError(err, 'NotFound')) return true;
            throw err;
          }
        },
        timeoutMs,
        `timed out waiting for the deletion of ${groupResource(t.def)} "${t.name}"`,
      );
    }
  }
  if (failed) throw new CliError('');
}
