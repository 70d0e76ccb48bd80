/** Writing responses: JSON objects, Status errors, and the media type a client asked for (object, Table, metadata). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, internalError, type Status } from '../../api/meta/errors.js';
import type { KubeObject, ListMeta } from '../../api/meta/object-meta.js';
import type { ResourceDef } from '../../api/resource.js';
import { buildTable } from '../tables/build-table.js';
import { encodedList } from './encoded-objects.js';
import { parseIncludeObject, wantsTable } from '../tables/table-request.js';

export type Representation =
  | { kind: 'object' }
  | { kind: 'table'; includeObject: 'None' | 'Metadata' | 'Object' }
  | { kind: 'metadata' };

/** What the Accept header asks for: a Table (kubectl get), PartialObjectMetadata, or the object itself. */
export function representation(req: IncomingMessage, query: URLSearchParams): Representation {
  const accept = req.headers.accept ?? '';
  if (wantsTable(accept)) return { kind: 'table', includeObject: parseIncludeObject(query.get('includeObject') ?? undefined) };
  if (/as=PartialObjectMetadata(List)?\b/.test(accept) && accept.includes('g=meta.k8s.io')) return { kind: 'metadata' };
  return { kind: 'object' };
}

export function writeJson(res: ServerResponse, code: number, body: unknown, warnings: string[] = []): void {
  writeJsonText(res, code, JSON.stringify(body), warnings);
}

/** Writes JSON that is already serialised. */
export function writeJsonText(res: ServerResponse, code: number, text: string | Buffer, warnings: string[] = []): void {
  const headers: Record<string, string | string[] | number> = {
    'Content-Type': 'application/json',
    'Content-Length': typeof text === 'string' ? Buffer.byteLength(text) : text.length,
    'Cache-Control': 'no-cache, private',
  };
  if (warnings.length) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(text);
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return internalError(err instanceof Error ? err.message : String(err));
}

export function writeError(res: ServerResponse, err: unknown): Status {
  const status = toApiError(err).toStatus();
  if (res.headersSent) {
    res.destroy();
    return status;
  }
  writeJson(res, status.code, status);
  return status;
}

/** One object in the representation asked for. */
export function renderObject(def: ResourceDef, obj: KubeObject, rep: Representation): unknown {
  if (rep.kind === 'table') return buildTable(def, [obj], { includeObject: rep.includeObject });
  if (rep.kind === 'metadata') return partialMetadata(obj);
  return obj;
}

/** Writes a list; plain object lists reuse the items' shared encodings (a large list from the cache is not re-serialised). */
export function writeList(res: ServerResponse, def: ResourceDef, items: KubeObject[], listMeta: ListMeta, rep: Representation): void {
  if (rep.kind !== 'object') {
    writeJson(res, 200, renderList(def, items, listMeta, rep));
    return;
  }
  const apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
  writeJsonText(res, 200, encodedList(def.listKind, apiVersion, listMeta, items));
}

/** A list in the representation asked for. */
export function renderList(def: ResourceDef, items: KubeObject[], listMeta: ListMeta, rep: Representation): unknown {
  if (rep.kind === 'table') return buildTable(def, items, { includeObject: rep.includeObject, listMeta });
  if (rep.kind === 'metadata') {
    return { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: listMeta, items: items.map(partialMetadata) };
  }
  const apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
  return { kind: def.listKind, apiVersion, metadata: listMeta, items };
}

function partialMetadata(obj: KubeObject): unknown {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export function successStatus(def: ResourceDef, obj: KubeObject): Status & { details: Record<string, unknown> } {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    code: 200,
    details: { name: obj.metadata.name, group: def.group, kind: def.plural, uid: obj.metadata.uid },
  };
}
