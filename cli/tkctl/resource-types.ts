/**
 * Resource type arguments as kubectl accepts them: plural, singular, short name or kind,
 * optionally qualified by group (`deployments.apps`, `deploy.v1.apps`), several at once
 * (`deploy,po`), and the `all` category.
 */
import { apiVersionOf, type ResourceDef } from '../../api/resource.js';
import { resources } from '../../api/registry.js';
import { CliError } from './io.js';

function matchesName(def: ResourceDef, name: string): boolean {
  const n = name.toLowerCase();
  return def.plural === n || def.singular === n || def.kind.toLowerCase() === n || (def.shortNames ?? []).includes(n);
}

/** One type name, e.g. "po", "deployment", "deployments.apps", "deploy.v1.apps". */
export function resolveType(arg: string): ResourceDef {
  const [name = '', ...rest] = arg.split('.');
  const qualifier = rest.join('.');
  const found = resources.find((def) => {
    if (!matchesName(def, name)) return false;
    if (!qualifier) return true;
    return qualifier === def.group || qualifier === `${def.version}.${def.group}` || (def.group === '' && qualifier === def.version);
  });
  if (!found) throw new CliError(`the server doesn't have a resource type "${arg}"`);
  return found;
}

/** A comma-separated list of types; `all` expands to the types in the "all" category. */
export function resolveTypes(arg: string): ResourceDef[] {
  const out: ResourceDef[] = [];
  for (const part of arg.split(',').filter((p) => p !== '')) {
    const defs = part === 'all' ? resources.filter((r) => r.categories?.includes('all')) : [resolveType(part)];
    for (const def of defs) if (!out.includes(def)) out.push(def);
  }
  if (out.length === 0) throw new CliError('you must specify the type of resource to get');
  return out;
}

/** The type of an object read from a file, by apiVersion and kind. */
export function typeOfObject(apiVersion: unknown, kind: unknown): ResourceDef {
  const def = resources.find((r) => apiVersionOf(r) === apiVersion && r.kind === kind);
  if (!def) throw new CliError(`resource mapping not found for kind "${String(kind)}" in version "${String(apiVersion)}"`);
  return def;
}

/** "deployment.apps" / "pod": how kubectl names a type in its messages. */
export function typePrefix(def: ResourceDef): string {
  return def.group ? `${def.kind.toLowerCase()}.${def.group}` : def.kind.toLowerCase();
}

/** "deployments.apps" / "pods": the group-resource of error messages. */
export function groupResource(def: ResourceDef): string {
  return def.group ? `${def.plural}.${def.group}` : def.plural;
}

/** "TYPE/NAME" arguments (`deploy/web`) or "TYPE NAME..." arguments, into (type, names) pairs. */
export function parseTypeAndNames(args: string[]): { def: ResourceDef; names: string[] }[] {
  if (args.length === 0) throw new CliError('you must specify the type of resource');
  if (args.every((a) => a.includes('/'))) {
    const out: { def: ResourceDef; names: string[] }[] = [];
    for (const a of args) {
      const [type = '', name = ''] = a.split('/', 2);
      if (!name) throw new CliError(`arguments in resource/name form must have a single resource and name`);
      const def = resolveType(type);
      const entry = out.find((e) => e.def === def);
      if (entry) entry.names.push(name);
      else out.push({ def, names: [name] });
    }
    return out;
  }
  if (args.slice(1).some((a) => a.includes('/'))) {
    throw new CliError('there is no need to specify a resource type as a separate argument when passing arguments in resource/name form');
  }
  const [types = '', ...names] = args;
  return resolveTypes(types).map((def) => ({ def, names }));
}
