/**
 * kubectl's `-o jsonpath=TEMPLATE`, the part of it scripts use: text with `{...}`
 * expressions of fields (`.a.b`, `['a.b']`), indexes (`[0]`, `[-1]`), wildcards
 * (`[*]`, `.*`) and `{range EXPR}...{end}`. Several results print separated by
 * spaces; strings print raw, other values as JSON (as kubectl does).
 */
import { CliError } from './io.js';

type Step = { field: string } | { index: number } | { all: true };

function parsePath(expr: string): Step[] {
  const steps: Step[] = [];
  let i = 0;
  const s = expr.trim();
  if (s === '@' || s === '$' || s === '.') return steps;
  if (s.startsWith('$') || s.startsWith('@')) i = 1;
  while (i < s.length) {
    if (s[i] === '.') {
      const m = /^\.((?:\\.|[^.[\\])*)/.exec(s.slice(i))!;
      const name = m[1]!.replace(/\\(.)/g, '$1');
      if (name === '*') steps.push({ all: true });
      else if (name !== '') steps.push({ field: name });
      i += m[0].length;
    } else if (s[i] === '[') {
      const end = s.indexOf(']', i);
      if (end < 0) throw new CliError(`error parsing jsonpath ${expr}: unclosed [`);
      const inner = s.slice(i + 1, end).trim();
      if (inner === '*') steps.push({ all: true });
      else if (/^-?\d+$/.test(inner)) steps.push({ index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ field: inner.slice(1, -1) });
      else throw new CliError(`error parsing jsonpath ${expr}: unsupported "[${inner}]"`);
      i = end + 1;
    } else {
      throw new CliError(`error parsing jsonpath ${expr}: unexpected "${s[i]}"`);
    }
  }
  return steps;
}

export function evaluatePath(data: unknown, expr: string): unknown[] {
  let current: unknown[] = [data];
  for (const step of parsePath(expr)) {
    const next: unknown[] = [];
    for (const v of current) {
      if ('field' in step) {
        if (v && typeof v === 'object' && !Array.isArray(v) && step.field in v) next.push((v as Record<string, unknown>)[step.field]);
      } else if ('index' in step) {
        if (Array.isArray(v)) {
          const idx = step.index < 0 ? v.length + step.index : step.index;
          if (idx < 0 || idx >= v.length) throw new CliError(`error executing jsonpath "${expr}": array index out of bounds: index ${step.index}, length ${v.length}`);
          next.push(v[idx]);
        }
      } else if (Array.isArray(v)) next.push(...v);
      else if (v && typeof v === 'object') next.push(...Object.values(v));
    }
    current = next;
  }
  return current;
}

function show(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  return JSON.stringify(v);
}

type Node = { text: string } | { expr: string } | { range: string; body: Node[] };

function parseTemplate(template: string): Node[] {
  const root: Node[] = [];
  const stack: Node[][] = [root];
  const re = /\{([^{}]*)\}/g;
  let last = 0;
  for (let m = re.exec(template); m; m = re.exec(template)) {
    const top = stack[stack.length - 1]!;
    if (m.index > last) top.push({ text: template.slice(last, m.index) });
    last = m.index + m[0].length;
    const inner = m[1]!.trim();
    if (inner.startsWith('range ')) {
      const node = { range: inner.slice(6), body: [] as Node[] };
      top.push(node);
      stack.push(node.body);
    } else if (inner === 'end') {
      if (stack.length === 1) throw new CliError(`error parsing jsonpath ${template}: {end} without {range}`);
      stack.pop();
    } else if (/^"(.*)"$/.test(inner)) {
      top.push({ text: JSON.parse(inner) as string });
    } else {
      top.push({ expr: inner });
    }
  }
  if (stack.length > 1) throw new CliError(`error parsing jsonpath ${template}: {range} without {end}`);
  if (last < template.length) root.push({ text: template.slice(last) });
  return root;
}

function render(nodes: Node[], data: unknown): string {
  let out = '';
  for (const n of nodes) {
    if ('text' in n) out += n.text;
    else if ('expr' in n) out += evaluatePath(data, n.expr).map(show).join(' ');
    else for (const item of evaluatePath(data, n.range)) out += render(n.body, item);
  }
  return out;
}

/** Applies a kubectl jsonpath template (the text after `jsonpath=`) to an object. */
export function renderJsonPath(template: string, data: unknown): string {
  return render(parseTemplate(template), data);
}
