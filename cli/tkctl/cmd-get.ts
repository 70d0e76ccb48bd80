/**
 * `tkctl get`: server-side Tables (the columns the apiserver chooses), -o wide|yaml|json|name,
 * -l, --field-selector, -A, several types at once, `all`, and -w.
 */
import { createInterface } from 'node:readline';
import type { KubeObject } from '../../api/meta/object-meta.js';
import type { ResourceDef } from '../../api/resource.js';
import { collectionPath, objectPath } from '../../api/client/kube-client.js';
import { errorLine } from './errors.js';
import { getJson, openStream } from './http.js';
import { CliError, type CliIO } from './io.js';
import { formatObjects, jsonpathTemplate, parseOutput } from './output.js';
import { parseTypeAndNames, typePrefix } from './resource-types.js';
import type { Session } from './session.js';
import { parseTimeout } from './wait.js';
import { alignColumns, columnWidths, tableLines, type Table } from './table-printer.js';

export const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

export interface GetOptions {
  output?: string;
  selector?: string;
  fieldSelector?: string;
  allNamespaces?: boolean;
  watch?: boolean;
  noHeaders?: boolean;
  /** Ends a watch after this long ("30s", "2m"); as kubectl's --request-timeout. */
  requestTimeout?: string;
}

function namespaceOf(def: ResourceDef, session: Session, all: boolean | undefined): string | undefined {
  return def.namespaced && !all ? session.namespace : undefined;
}

async function fetchTable(session: Session, def: ResourceDef, ns: string | undefined, name: string | undefined, opts: GetOptions): Promise<Table> {
  const path = name ? objectPath(def, ns, name) : collectionPath(def, ns);
  const query = name ? { includeObject: 'Metadata' } : { includeObject: 'Metadata', labelSelector: opts.selector, fieldSelector: opts.fieldSelector };
  return getJson<Table>(session.conn, { path, query, accept: TABLE_ACCEPT });
}

function noResourcesMessage(session: Session, opts: GetOptions, defs: ResourceDef[]): string {
  if (opts.allNamespaces || defs.every((d) => !d.namespaced)) return 'No resources found\n';
  return `No resources found in ${session.namespace} namespace.\n`;
}

export async function runGet(session: Session, args: string[], opts: GetOptions, io: CliIO): Promise<void> {
  const targets = parseTypeAndNames(args);
  const output = parseOutput(opts.output);
  if (opts.watch) {
    if (targets.length !== 1 || output !== 'table' && output !== 'wide') throw new CliError('watch is only supported on individual resources and table output');
    return watchTable(session, targets[0]!.def, targets[0]!.names[0], opts, output === 'wide', io);
  }
  let failed = false;
  const byName = targets.some((t) => t.names.length > 0);
  if (output === 'table' || output === 'wide') {
    const multi = targets.length > 1;
    let printed = 0;
    for (const { def, names } of targets) {
      const ns = namespaceOf(def, session, opts.allNamespaces);
      const tables: Table[] = [];
      for (const name of names.length > 0 ? names : [undefined]) {
        try {
          tables.push(await fetchTable(session, def, ns, name, opts));
        } catch (err) {
          failed = true;
          io.stderr.write(`error: ${errorLine(err)}\n`);
        }
      }
      const first = tables[0];
      const rows = tables.flatMap((t) => t.rows);
      if (!first || rows.length === 0) continue;
      const lines = tableLines(
        { ...first, rows },
        { wide: output === 'wide', withNamespace: !!opts.allNamespaces && def.namespaced, namePrefix: multi ? typePrefix(def) : undefined, noHeaders: opts.noHeaders },
      );
      if (printed++ > 0) io.stdout.write('\n');
      io.stdout.write(alignColumns(lines));
    }
    if (printed === 0 && !byName && !failed) io.stderr.write(noResourcesMessage(session, opts, targets.map((t) => t.def)));
  } else {
    const items: { def: ResourceDef; obj: KubeObject }[] = [];
    for (const { def, names } of targets) {
      const rc = session.client.resource(def, namespaceOf(def, session, opts.allNamespaces));
      if (names.length === 0) {
        const list = await rc.listAll({ labelSelector: opts.selector, fieldSelector: opts.fieldSelector });
        items.push(...list.items.map((obj) => ({ def, obj })));
        continue;
      }
      for (const name of names) {
        try {
          items.push({ def, obj: await rc.get(name) });
        } catch (err) {
          failed = true;
          io.stderr.write(`error: ${errorLine(err)}\n`);
        }
      }
    }
    const single = targets.length === 1 && targets[0]!.names.length === 1;
    // An empty collection still prints (an empty List) in yaml/json, as kubectl does.
    if (items.length > 0 || (!byName && output !== 'name')) io.stdout.write(formatObjects(items, output, single, jsonpathTemplate(opts.output)));
  }
  if (failed) throw new CliError('');
}

/** Prints the current rows, then one row per watch event, aligned to the first table's widths. */
async function watchTable(session: Session, def: ResourceDef, name: string | undefined, opts: GetOptions, wide: boolean, io: CliIO): Promise<void> {
  const ns = namespaceOf(def, session, opts.allNamespaces);
  const first = await fetchTable(session, def, ns, name, opts);
  const printOpts = { wide, withNamespace: !!opts.allNamespaces && def.namespaced };
  const lines = tableLines(first, printOpts);
  const widths = columnWidths(lines);
  io.stdout.write(alignColumns(lines, widths));
  const fieldSelector = [name ? `metadata.name=${name}` : '', opts.fieldSelector ?? ''].filter(Boolean).join(',');
  const res = await openStream(session.conn, {
    path: collectionPath(def, ns),
    query: { watch: true, timeoutSeconds: opts.requestTimeout ? Math.max(1, Math.ceil(parseTimeout(opts.requestTimeout, 0) / 1000)) : undefined, resourceVersion: first.metadata?.resourceVersion, labelSelector: opts.selector, fieldSelector, includeObject: 'Metadata' },
    accept: TABLE_ACCEPT,
  });
  for await (const line of createInterface({ input: res, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    const event = JSON.parse(line) as { type: string; object: Table };
    if (event.type === 'ERROR') throw new CliError(String((event.object as unknown as { message?: string }).message ?? 'watch failed'));
    if (event.type === 'BOOKMARK' || event.object.kind !== 'Table') continue;
    const rows = tableLines(event.object, { ...printOpts, noHeaders: true }, first.columnDefinitions);
    io.stdout.write(alignColumns(rows, widths));
  }
}
