/**
 * The pod-template-hash: the name suffix of a Deployment's ReplicaSets and the label that
 * keeps their pods apart. As Kubernetes' controller.ComputeHash: FNV-32a over a
 * deterministic rendering of the pod template, then the collision count (if any) as four
 * little-endian bytes padded to eight, then the decimal digits of the sum mapped onto an
 * alphabet without vowels (rand.SafeEncodeString) so a hash never spells a word.
 */
import type { PodTemplateSpec } from '../../../api/types/pod.js';

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

/** FNV-1a, 32 bits, continuing from `hash` (the offset basis for a fresh hash). */
export function fnv32a(bytes: Uint8Array, hash = FNV32_OFFSET): number {
  let h = hash >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, FNV32_PRIME) >>> 0;
  }
  return h;
}

/** Characters that cannot form bad words (no vowels) and are not easily confused (no 0/1/3). */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** rand.SafeEncodeString: maps every byte of `s` onto the safe alphabet. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/**
 * JSON with object keys sorted, so equal templates always render to the same bytes. As
 * in Go, where a template is a struct, an absent field, null, an empty list and an empty
 * object are all the same value and render the same (nothing): `resources: {}` from one
 * client and no resources from another are one template.
 */
export function canonicalJson(value: unknown): string {
  return render(value) ?? 'null';
}

function render(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    return `[${value.map((v) => render(v) ?? 'null').join(',')}]`;
  }
  if (typeof value === 'object') {
    const parts: string[] = [];
    for (const k of Object.keys(value as Record<string, unknown>).sort()) {
      const v = render((value as Record<string, unknown>)[k]);
      if (v !== undefined) parts.push(`${JSON.stringify(k)}:${v}`);
    }
    return parts.length === 0 ? undefined : `{${parts.join(',')}}`;
  }
  return JSON.stringify(value);
}

export function computeHash(template: PodTemplateSpec, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(canonicalJson(template)));
  if (collisionCount !== undefined) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(bytes, h);
  }
  return safeEncodeString(String(h));
}
