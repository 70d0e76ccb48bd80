/** -o yaml|json|name|jsonpath=... output of objects, as kubectl prints them. */
import { stringify } from 'yaml';
import type { KubeObject } from '../../api/meta/object-meta.js';
import { apiVersionOf, type ResourceDef } from '../../api/resource.js';
import { sortKeys } from './go-json.js';
import { CliError } from './io.js';
import { renderJsonPath } from './jsonpath.js';
import { typePrefix } from './resource-types.js';

export type ObjectFormat = 'yaml' | 'json' | 'name' | 'jsonpath';
export type OutputFormat = ObjectFormat | 'wide' | 'table';

export function parseOutput(value: string | undefined): OutputFormat {
  if (value === undefined || value === '') return 'table';
  if (value === 'yaml' || value === 'json' || value === 'name' || value === 'wide') return value;
  if (value.startsWith('jsonpath=')) return 'jsonpath';
  throw new CliError(`unable to match a printer suitable for the output format "${value}", allowed formats are: json,jsonpath,name,wide,yaml`);
}

/** The template of `-o jsonpath=TEMPLATE` (undefined for other formats). */
export function jsonpathTemplate(value: string | undefined): string | undefined {
  return value?.startsWith('jsonpath=') ? value.slice('jsonpath='.length) : undefined;
}

/** Items of a list come without apiVersion and kind; printed objects carry them. */
export function withTypeMeta(def: ResourceDef, obj: KubeObject): KubeObject {
  const { apiVersion, kind, ...rest } = obj as KubeObject & { apiVersion?: string; kind?: string };
  return { apiVersion: apiVersion ?? apiVersionOf(def), kind: kind ?? def.kind, ...rest } as KubeObject;
}

export function formatObject(obj: unknown, format: 'yaml' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(obj, null, 4)}\n`;
  // As kubectl (go-yaml): keys sorted, sequences not indented, YAML 1.1 quoting (timestamps, yes/no).
  return stringify(sortKeys(obj), { lineWidth: 0, indentSeq: false, version: '1.1' });
}

/** One object as itself, several as a v1 List (what kubectl prints for `get -o yaml` of a collection). */
export function formatObjects(items: { def: ResourceDef; obj: KubeObject }[], format: ObjectFormat, single: boolean, template = ''): string {
  if (format === 'name') return items.map(({ def, obj }) => `${typePrefix(def)}/${obj.metadata.name}\n`).join('');
  const objs = items.map(({ def, obj }) => withTypeMeta(def, obj));
  const data = single && objs.length === 1 ? objs[0] : { apiVersion: 'v1', items: objs, kind: 'List', metadata: { resourceVersion: '' } };
  // jsonpath sees the object as -o json prints it (one object, or the List).
  if (format === 'jsonpath') return renderJsonPath(template, JSON.parse(JSON.stringify(data)));
  return formatObject(data, format);
}
