/**
 * Builds the meta.k8s.io/v1 Table the apiserver returns when a client (kubectl get)
 * asks for `as=Table`. The printer is chosen by group and resource; types without their
 * own printer get the default NAME/AGE table.
 */
import type { KubeObject, ListMeta } from '../../api/meta/object-meta.js';
import type { ResourceDef } from '../../api/resource.js';
import { csrPrinter } from './csr-printer.js';
import { coreEventPrinter, eventsV1Printer } from './event-printer.js';
import { nodePrinter } from './node-printer.js';
import { podPrinter } from './pod-printer.js';
import type { TablePrinter } from './printer.js';
import { endpointsPrinter, servicePrinter } from './service-printers.js';
import { configMapPrinter, defaultPrinter, leasePrinter, namespacePrinter, secretPrinter, serviceAccountPrinter } from './simple-printers.js';
import { TABLE_API_VERSION, type IncludeObjectPolicy, type Table, type TableRow } from './table.js';
import { deploymentPrinter, replicaSetPrinter } from './workload-printers.js';

/** Printers keyed by "<group>/<resource>" ('' group for core). */
const printers = new Map<string, TablePrinter>([
  ['/pods', podPrinter],
  ['/nodes', nodePrinter],
  ['/namespaces', namespacePrinter],
  ['/services', servicePrinter],
  ['/endpoints', endpointsPrinter],
  ['/configmaps', configMapPrinter],
  ['/secrets', secretPrinter],
  ['/serviceaccounts', serviceAccountPrinter],
  ['/events', coreEventPrinter],
  ['events.k8s.io/events', eventsV1Printer],
  ['apps/deployments', deploymentPrinter],
  ['apps/replicasets', replicaSetPrinter],
  ['coordination.k8s.io/leases', leasePrinter],
  ['certificates.k8s.io/certificatesigningrequests', csrPrinter],
]);

export type ResourceKey = Pick<ResourceDef, 'group' | 'plural'>;

export function printerFor(def: ResourceKey): TablePrinter {
  return printers.get(`${def.group}/${def.plural}`) ?? defaultPrinter;
}

export interface BuildTableOptions {
  /** What each row carries; Kubernetes (and kubectl) default to Metadata. */
  includeObject?: IncludeObjectPolicy;
  /** The instant ages are computed against; defaults to the current time. */
  now?: Date;
  /** The list's metadata (resourceVersion, continue); omit for a single object. */
  listMeta?: ListMeta;
  /** Leave out the column definitions, e.g. for watch events after the first (kubectl reuses the last ones). */
  noHeaders?: boolean;
}

function tableMeta(items: KubeObject[], listMeta: ListMeta | undefined): ListMeta {
  // A single object's table carries that object's resourceVersion, as in Kubernetes.
  const source: ListMeta = listMeta ?? (items.length === 1 ? { resourceVersion: items[0]!.metadata.resourceVersion } : {});
  const meta: ListMeta = {};
  if (source.resourceVersion) meta.resourceVersion = source.resourceVersion;
  if (source.continue) meta.continue = source.continue;
  if (source.remainingItemCount !== undefined) meta.remainingItemCount = source.remainingItemCount;
  return meta;
}

function rowObject(item: KubeObject, policy: IncludeObjectPolicy): TableRow['object'] {
  switch (policy) {
    case 'None':
      return undefined;
    case 'Object':
      return item;
    case 'Metadata':
      return { kind: 'PartialObjectMetadata', apiVersion: TABLE_API_VERSION, metadata: item.metadata };
  }
}

export function buildTable(def: ResourceKey, items: KubeObject[], opts: BuildTableOptions = {}): Table {
  const printer = printerFor(def);
  const ctx = { now: opts.now ?? new Date() };
  const policy = opts.includeObject ?? 'Metadata';
  const rows = items.map((item): TableRow => {
    const printed = printer.print(item, ctx);
    const row: TableRow = { cells: printed.cells };
    if (printed.conditions) row.conditions = printed.conditions;
    const object = rowObject(item, policy);
    if (object) row.object = object;
    return row;
  });
  return {
    kind: 'Table',
    apiVersion: TABLE_API_VERSION,
    metadata: tableMeta(items, opts.listMeta),
    columnDefinitions: opts.noHeaders ? [] : printer.columns.map((c) => ({ ...c })),
    rows,
  };
}
