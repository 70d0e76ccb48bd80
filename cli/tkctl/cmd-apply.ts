/**
 * `tkctl apply -f` and `tkctl create -f`. Apply is kubectl's client-side apply: create
 * with the last-applied annotation, or patch with a three-way strategic merge patch from
 * (last-applied, new config, live object).
 */
import { isApiError } from '../../api/meta/errors.js';
import type { KubeObject } from '../../api/meta/object-meta.js';
import { errorLine } from './errors.js';
import { goJson } from './go-json.js';
import { CliError, type CliIO } from './io.js';
import { readManifests, type Manifest } from './manifests.js';
import { nameOf, namespaceFor } from './object-names.js';
import { typeOfObject, typePrefix } from './resource-types.js';
import type { Session } from './session.js';
import { threeWayMergePatch } from './three-way-patch.js';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export interface FileOptions {
  filename: string[];
  recursive?: boolean;
  /** create: record the last-applied annotation so that a later apply can compute deletions. */
  saveConfig?: boolean;
}

/** The config with the last-applied annotation holding the config itself (minus that annotation). */
export function withLastApplied(config: Manifest): Manifest {
  const bare = structuredClone(config);
  const annotations = { ...((bare.metadata?.annotations as Record<string, string> | undefined) ?? {}) };
  delete annotations[LAST_APPLIED];
  if (bare.metadata) {
    if (Object.keys(annotations).length > 0) bare.metadata.annotations = annotations;
    else delete bare.metadata.annotations;
  }
  const modified = structuredClone(bare);
  modified.metadata = { ...modified.metadata, annotations: { ...annotations, [LAST_APPLIED]: goJson(bare) + '\n' } };
  return modified;
}

function lastAppliedOf(live: KubeObject): Record<string, unknown> | undefined {
  const text = live.metadata.annotations?.[LAST_APPLIED];
  if (!text) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Runs `each` on every object, reporting failures one line each; fails at the end if any failed. */
async function forEachObject(session: Session, opts: FileOptions, io: CliIO, each: (obj: Manifest, source: string) => Promise<string>): Promise<void> {
  const manifests = await readManifests(opts.filename, !!opts.recursive, io);
  let failed = 0;
  for (const { obj, source } of manifests) {
    try {
      io.stdout.write(`${await each(obj, source)}\n`);
    } catch (err) {
      failed++;
      io.stderr.write(`error: ${errorLine(err)}\n`);
    }
  }
  if (failed > 0) throw new CliError('', 1);
}

export async function runApply(session: Session, opts: FileOptions, io: CliIO): Promise<void> {
  await forEachObject(session, opts, io, async (obj, source) => {
    const def = typeOfObject(obj.apiVersion, obj.kind);
    const name = nameOf(obj, source);
    const ns = namespaceFor(obj, def, session);
    const rc = session.client.resource(def, ns);
    const modified = withLastApplied(obj);
    let live: KubeObject;
    try {
      live = await rc.get(name);
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
      await rc.create(modified as KubeObject, { fieldManager: 'kubectl-client-side-apply' });
      return `${typePrefix(def)}/${name} created`;
    }
    const lastApplied = lastAppliedOf(live);
    if (!lastApplied) {
      io.stderr.write(
        `Warning: resource ${def.plural}/${name} is missing the ${LAST_APPLIED} annotation which is required by tkctl apply. tkctl apply should only be used on resources created declaratively by either tkctl create --save-config or tkctl apply. The missing annotation will be patched automatically.\n`,
      );
    }
    const patch = threeWayMergePatch(lastApplied, modified, live as unknown as Record<string, unknown>, def.schema);
    if (Object.keys(patch).length === 0) return `${typePrefix(def)}/${name} unchanged`;
    await rc.patch(name, 'strategic', patch, { fieldManager: 'kubectl-client-side-apply' });
    return `${typePrefix(def)}/${name} configured`;
  });
}

export async function runCreate(session: Session, opts: FileOptions, io: CliIO): Promise<void> {
  await forEachObject(session, opts, io, async (obj, source) => {
    const def = typeOfObject(obj.apiVersion, obj.kind);
    const name = nameOf(obj, source);
    const ns = namespaceFor(obj, def, session);
    const body = opts.saveConfig ? withLastApplied(obj) : obj;
    await session.client.resource(def, ns).create(body as KubeObject, { fieldManager: 'kubectl-create' });
    return `${typePrefix(def)}/${name} created`;
  });
}
