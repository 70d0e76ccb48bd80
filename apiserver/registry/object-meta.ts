/** Server-side metadata rules: names, uids, timestamps, generation, keys. */
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../api/meta/object-meta.js';
import type { ResourceDef } from '../../api/resource.js';

/** Kubernetes' generateName alphabet: no vowels (no words) and no look-alike characters. */
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_GENERATED_NAME_LENGTH = 63 - 5;

export function generateName(base: string): string {
  const prefix = base.length > MAX_GENERATED_NAME_LENGTH ? base.slice(0, MAX_GENERATED_NAME_LENGTH) : base;
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += ALPHANUMS[Math.floor(Math.random() * ALPHANUMS.length)];
  return prefix + suffix;
}

export function newUid(): string {
  return randomUUID();
}

let lastSecond = NaN;
let lastTimestamp = '';

/** RFC 3339 with second precision, as metav1.Time serialises. */
export function nowTimestamp(date?: Date): string {
  if (date) return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
  // Every write stamps a time: format each second once.
  const second = Math.floor(Date.now() / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastTimestamp = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  return lastTimestamp;
}

export function storageKey(def: ResourceDef, namespace: string | undefined, name: string): string {
  return def.namespaced ? `/registry/${def.plural}/${namespace}/${name}` : `/registry/${def.plural}/${name}`;
}

export function storagePrefix(def: ResourceDef, namespace?: string): string {
  return def.namespaced && namespace ? `/registry/${def.plural}/${namespace}/` : `/registry/${def.plural}/`;
}

/** Deep equality of two JSON values (objects from JSON.parse or schema parsing). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => jsonEqual(ao[k], bo[k]));
}

export function clone<T>(obj: T): T {
  return structuredClone(obj);
}

export function isKubeObject(v: unknown): v is KubeObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
