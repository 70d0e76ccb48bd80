/**
 * `tkctl set image TYPE/NAME CONTAINER=IMAGE...`: changes container images in a pod
 * template (deployments, replica sets) or a pod, with a strategic merge patch that
 * names only the containers to change (`*` changes every one), as kubectl does.
 */
import type { KubeObject } from '../../api/meta/object-meta.js';
import { CliError, type CliIO } from './io.js';
import { parseTypeAndNames, typePrefix } from './resource-types.js';
import type { Session } from './session.js';

interface Container {
  name: string;
  image?: string;
}
interface PodSpecLike {
  containers?: Container[];
  initContainers?: Container[];
}

/** Splits args into the resources and the CONTAINER=IMAGE pairs. */
export function splitSetImageArgs(args: string[]): { resources: string[]; images: Map<string, string> } {
  const images = new Map<string, string>();
  const resources: string[] = [];
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq > 0) images.set(a.slice(0, eq), a.slice(eq + 1));
    else if (images.size > 0) throw new CliError(`all resources must be specified before image changes: ${a}`);
    else resources.push(a);
  }
  if (resources.length === 0) throw new CliError('one or more resources must be specified as <resource> <name> or <resource>/<name>');
  if (images.size === 0) throw new CliError('at least one image update is required');
  for (const [c, img] of images) if (!img) throw new CliError(`invalid image for container "${c}": an image is required`);
  return { resources, images };
}

/** The strategic merge patch of a pod spec's containers, or an error naming an unknown container. */
export function imagePatch(spec: PodSpecLike, images: Map<string, string>): PodSpecLike {
  const patch: PodSpecLike = {};
  for (const field of ['containers', 'initContainers'] as const) {
    const changed = (spec[field] ?? [])
      .filter((c) => images.has(c.name) || images.has('*'))
      .map((c) => ({ name: c.name, image: images.get(c.name) ?? images.get('*')! }));
    if (changed.length > 0) patch[field] = changed;
  }
  const all = [...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c) => c.name);
  for (const name of images.keys()) if (name !== '*' && !all.includes(name)) throw new CliError(`unable to find container named "${name}"`);
  return patch;
}

export async function runSetImage(session: Session, args: string[], io: CliIO): Promise<void> {
  const { resources, images } = splitSetImageArgs(args);
  for (const { def, names } of parseTypeAndNames(resources)) {
    if (names.length === 0) throw new CliError('resource(s) were provided, but no name was specified');
    const rc = session.client.resource(def, def.namespaced ? session.namespace : undefined);
    for (const name of names) {
      const obj = (await rc.get(name)) as KubeObject & { spec?: PodSpecLike & { template?: { spec?: PodSpecLike } } };
      const template = obj.spec?.template?.spec;
      const podSpec = template ?? (def.kind === 'Pod' ? obj.spec : undefined);
      if (!podSpec) throw new CliError(`${typePrefix(def)}/${name} has no pod template: its images cannot be set`);
      const specPatch = imagePatch(podSpec, images);
      await rc.patch(name, 'strategic', template ? { spec: { template: { spec: specPatch } } } : { spec: specPatch });
      io.stdout.write(`${typePrefix(def)}/${name} image updated\n`);
    }
  }
}
