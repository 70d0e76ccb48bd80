/**
 * The order of a strategically merged list, as apimachinery's strategicpatch produces
 * it: items the patch names keep the patch's order (or `$setElementOrder`'s), items only
 * the server has keep theirs, and the two are interleaved by the server's order.
 */
import { hasKey, isJsonObject } from './merge-patch.js';

/** Same list item: equal merge-key values for objects of a keyed list, equal values otherwise. */
export function sameItem(a: unknown, b: unknown, mergeKey: string): boolean {
  if (mergeKey) {
    return isJsonObject(a) && isJsonObject(b) && hasKey(a, mergeKey) && hasKey(b, mergeKey) && deepEqual(a[mergeKey], b[mergeKey]);
  }
  return deepEqual(a, b);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => hasKey(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

function indexIn(list: unknown[], item: unknown, mergeKey: string): number {
  return list.findIndex((x) => sameItem(x, item, mergeKey));
}

/** Stable sort of `items` by their position in `order`; items not in `order` go last. */
function sortByOrder(items: unknown[], order: unknown[], mergeKey: string): unknown[] {
  return items
    .map((item, i) => ({ item, i, at: indexIn(order, item, mergeKey) }))
    .sort((x, y) => {
      const ax = x.at < 0 ? Number.MAX_SAFE_INTEGER : x.at;
      const ay = y.at < 0 ? Number.MAX_SAFE_INTEGER : y.at;
      return ax - ay || x.i - y.i;
    })
    .map((x) => x.item);
}

/**
 * The order apimachinery gives a merged list: patch items sorted by `patchOrder`,
 * server-only items sorted by `serverOrder`, then the two interleaved: a server-only
 * item comes first only when both items are in `serverOrder` and it is earlier there.
 */
export function normalizeOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
): unknown[] {
  const right = sortByOrder(patchItems, patchOrder, mergeKey);
  const left = sortByOrder(serverOnly, serverOrder, mergeKey);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (j >= right.length) {
      out.push(left[i++]);
    } else if (i >= left.length) {
      out.push(right[j++]);
    } else {
      const li = indexIn(serverOrder, left[i], mergeKey);
      const ri = indexIn(serverOrder, right[j], mergeKey);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}
