/**
 * The JSON of stored objects, computed once per object and shared by every watch event
 * and list response that sends it. Objects held by the watch cache are never mutated
 * (writers work on copies read from etcd), so an object's encoding stays valid for its
 * whole life; a WeakMap lets it go with the object.
 */
import type { KubeObject, ListMeta } from '../../api/meta/object-meta.js';

const encodings = new WeakMap<KubeObject, string>();
/** Watch lines by object and event type, as bytes: written as they are to every watcher. */
const eventLines = new WeakMap<KubeObject, Partial<Record<string, Buffer>>>();

export function encodedObject(obj: KubeObject): string {
  let s = encodings.get(obj);
  if (s === undefined) {
    s = JSON.stringify(obj);
    encodings.set(obj, s);
  }
  return s;
}

/** `{"kind","apiVersion","metadata","items"}` from the items' shared encodings: no re-serialisation of cached objects. */
export function encodedList(kind: string, apiVersion: string, metadata: ListMeta, items: readonly KubeObject[]): string {
  const parts = new Array<string>(items.length);
  for (let i = 0; i < items.length; i++) parts[i] = encodedObject(items[i]!);
  return `{"kind":${JSON.stringify(kind)},"apiVersion":${JSON.stringify(apiVersion)},"metadata":${JSON.stringify(metadata)},"items":[${parts.join(',')}]}`;
}

/** `{"type":…,"object":…}\n` as bytes, built once per object and type and shared by every watcher that sends it. */
export function encodedWatchEvent(type: string, obj: KubeObject): Buffer {
  let byType = eventLines.get(obj);
  if (!byType) {
    byType = {};
    eventLines.set(obj, byType);
  }
  let line = byType[type];
  if (!line) {
    line = Buffer.from(`{"type":${JSON.stringify(type)},"object":${encodedObject(obj)}}\n`);
    byType[type] = line;
  }
  return line;
}
