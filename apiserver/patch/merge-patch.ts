/**
 * application/merge-patch+json (RFC 7386): objects merge recursively, a null value
 * deletes the key, anything else (arrays included) replaces the target value.
 */

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Sets a key as an own data property. Plain assignment of a key named "__proto__"
 * (which JSON.parse produces as an ordinary key) would change the object's prototype.
 */
export function setKey(obj: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

export function hasKey(obj: JsonObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

function mergeInto(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return patch;
  const result: JsonObject = isJsonObject(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else {
      setKey(result, key, mergeInto(hasKey(result, key) ? result[key] : undefined, value));
    }
  }
  return result;
}

/** RFC 7386 MergePatch(target, patch); returns a new value and leaves both inputs untouched. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  return mergeInto(structuredClone(target), structuredClone(patch));
}
