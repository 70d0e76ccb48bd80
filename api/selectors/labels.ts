/**
 * Label selectors as Kubernetes defines them: the string syntax (`app=web,tier in (a,b),!canary`)
 * and the meta/v1 LabelSelector object (matchLabels + matchExpressions), both turned into
 * one Selector that matches a label set. Parsing and validation follow apimachinery's
 * labels package, including its error messages; bad input throws a plain Error (the
 * apiserver answers 400 BadRequest with its message).
 */
import { parseRequirements } from './label-parser.js';
import { newRequirement, requirementMatches, requirementToString, type LabelOperator, type Requirement } from './requirement.js';

export type { LabelOperator, Requirement } from './requirement.js';

/** meta/v1 LabelSelectorRequirement. */
export interface LabelSelectorRequirement {
  key: string;
  operator: string; // In | NotIn | Exists | DoesNotExist
  values?: string[] | null;
}

/** meta/v1 LabelSelector. */
export interface LabelSelector {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: LabelSelectorRequirement[] | null;
}

export type Labels = Record<string, string> | null | undefined;

export class Selector {
  private constructor(
    readonly requirements: readonly Requirement[],
    /** The selector of a nil LabelSelector: matches nothing. */
    private readonly selectsNothing: boolean,
  ) {}

  static of(requirements: Requirement[]): Selector {
    const sorted = [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return new Selector(sorted, false);
  }

  static everything(): Selector {
    return new Selector([], false);
  }

  static nothing(): Selector {
    return new Selector([], true);
  }

  matches(labels: Labels): boolean {
    if (this.selectsNothing) return false;
    const set = labels ?? {};
    return this.requirements.every((r) => requirementMatches(r, set));
  }

  /** True when the selector selects every object (no requirements). */
  isEverything(): boolean {
    return !this.selectsNothing && this.requirements.length === 0;
  }

  isNothing(): boolean {
    return this.selectsNothing;
  }

  /** The canonical string form: requirements sorted by key, values sorted. */
  toString(): string {
    return this.requirements.map(requirementToString).join(',');
  }

  /** The value a requirement pins `key` to (`key=v`, `key==v`, `key in (v)`), if any: useful for indexes. */
  requiresExactMatch(key: string): string | undefined {
    for (const r of this.requirements) {
      if (r.key !== key) continue;
      if ((r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) {
        return r.values[0];
      }
    }
    return undefined;
  }
}

/** Parses a label selector string; the empty string selects everything. */
export function parseLabelSelector(selector: string): Selector {
  return Selector.of(parseRequirements(selector));
}

const OBJECT_OPERATORS: Record<string, LabelOperator> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/**
 * The selector of a meta/v1 LabelSelector: a missing (null) selector matches nothing,
 * an empty one matches everything.
 */
export function labelSelectorAsSelector(selector: LabelSelector | null | undefined): Selector {
  if (selector === null || selector === undefined) return Selector.nothing();
  const matchLabels = selector.matchLabels ?? {};
  const expressions = selector.matchExpressions ?? [];
  const requirements: Requirement[] = [];
  for (const [key, value] of Object.entries(matchLabels)) {
    requirements.push(newRequirement(key, '=', [value]));
  }
  for (const expr of expressions) {
    const operator = OBJECT_OPERATORS[expr.operator];
    if (!operator) throw new Error(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
    requirements.push(newRequirement(expr.key, operator, expr.values ?? []));
  }
  return requirements.length === 0 ? Selector.everything() : Selector.of(requirements);
}

/** The string form Kubernetes shows for a LabelSelector (Scale status.selector): `app=web,tier in (a,b)`. */
export function selectorToString(selector: LabelSelector | null | undefined): string {
  return labelSelectorAsSelector(selector).toString();
}

/** As kubectl prints a selector in tables: `<none>` when empty, `<error>` when invalid. */
export function formatLabelSelector(selector: LabelSelector | null | undefined): string {
  try {
    const text = selectorToString(selector);
    return text === '' ? '<none>' : text;
  } catch {
    return '<error>';
  }
}

/** Whether `labels` satisfies the LabelSelector object (a nil selector matches nothing). */
export function labelSelectorMatches(selector: LabelSelector | null | undefined, labels: Labels): boolean {
  return labelSelectorAsSelector(selector).matches(labels);
}
