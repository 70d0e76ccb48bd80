/**
 * The wording of an RBAC escalation refusal, as kube-apiserver prints it (ConfirmNoEscalation):
 * the missing rules compacted (atoms differing only by verb merged), each printed in
 * rbac/v1's CompactString form with Go's %q quoting, sorted and de-duplicated.
 */
import type { PolicyRule } from '../../../api/types/rbac.js';
import type { UserInfo } from '../types.js';

const GO_ESCAPES: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\', '"': '\\"' };

/** A string quoted as Go's strconv.Quote (%q) does it, for the characters that can occur here. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (GO_ESCAPES[ch]) out += GO_ESCAPES[ch];
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** A []string formatted with %q: `["a" "b"]`. */
export function goQuoteList(list: readonly string[]): string {
  return `[${list.map(goQuote).join(' ')}]`;
}

/** `{APIGroups:[""], Resources:["secrets"], ResourceNames:["x"], Verbs:["get"]}`: only the fields that are set. */
export function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  if (r.apiGroups?.length) parts.push(`APIGroups:${goQuoteList(r.apiGroups)}`);
  if (r.resources?.length) parts.push(`Resources:${goQuoteList(r.resources)}`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${goQuoteList(r.nonResourceURLs)}`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:${goQuoteList(r.resourceNames)}`);
  if (r.verbs.length) parts.push(`Verbs:${goQuoteList(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}

/** The key of a rule of one group, one resource and at most one name (no URLs); undefined for any other rule. */
function simpleKey(r: PolicyRule): string | undefined {
  const names = r.resourceNames ?? [];
  if (names.length > 1 || (r.nonResourceURLs?.length ?? 0) > 0) return undefined;
  if (r.apiGroups?.length !== 1 || r.resources?.length !== 1) return undefined;
  return JSON.stringify([r.apiGroups[0], r.resources[0], names.length ? names[0] : null]);
}

/** Rules of one group and resource (and name) that differ only by verb, merged into one rule. */
export function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const others: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    const key = simpleKey(r);
    if (key === undefined) {
      others.push(r);
      continue;
    }
    const merged = simple.get(key);
    if (merged) merged.verbs.push(...r.verbs);
    else simple.set(key, { ...r, verbs: [...r.verbs] });
  }
  return [...others, ...simple.values()];
}

/**
 * `user "bob" (groups=["g1" "system:authenticated"]) is attempting to grant RBAC permissions
 * not currently held:\n{...}\n{...}`, with `; resolution errors: [...]` when some of the
 * user's own bindings could not be resolved.
 */
export function escalationMessage(user: UserInfo, missing: readonly PolicyRule[], resolutionErrors: readonly string[]): string {
  const lines = [...new Set(compactRules(missing).map(compactString))].sort();
  let msg = `user ${goQuote(user.name)} (groups=${goQuoteList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
  // Go prints the []error holding one aggregate error: [e] for one, [[e1, e2]] for several.
  if (resolutionErrors.length === 1) msg += `; resolution errors: [${resolutionErrors[0]}]`;
  else if (resolutionErrors.length > 1) msg += `; resolution errors: [[${resolutionErrors.join(', ')}]]`;
  return msg;
}
