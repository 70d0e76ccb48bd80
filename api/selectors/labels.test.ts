import { describe, expect, it } from 'vitest';
import {
  formatLabelSelector,
  labelSelectorAsSelector,
  labelSelectorMatches,
  parseLabelSelector,
  selectorToString,
} from './labels.js';

describe('parseLabelSelector', () => {
  it('parses equality, inequality and set-based terms joined by commas', () => {
    const s = parseLabelSelector('tier in (b, a),app=web,env!=prod,!canary,track,x==y,z notin (q)');
    expect(s.requirements.map((r) => [r.key, r.operator, r.values])).toEqual([
      ['app', '=', ['web']],
      ['canary', '!', []],
      ['env', '!=', ['prod']],
      ['tier', 'in', ['a', 'b']],
      ['track', 'exists', []],
      ['x', '==', ['y']],
      ['z', 'notin', ['q']],
    ]);
    expect(s.toString()).toBe('app=web,!canary,env!=prod,tier in (a,b),track,x==y,z notin (q)');
  });

  it('matches label sets as Kubernetes does', () => {
    const s = parseLabelSelector('app=web,tier in (a,b),env!=prod,!canary');
    expect(s.matches({ app: 'web', tier: 'a' })).toBe(true);
    expect(s.matches({ app: 'web', tier: 'b', env: 'dev' })).toBe(true);
    expect(s.matches({ app: 'web', tier: 'c' })).toBe(false);
    expect(s.matches({ app: 'web', tier: 'a', env: 'prod' })).toBe(false);
    expect(s.matches({ app: 'web', tier: 'a', canary: '' })).toBe(false);
    expect(s.matches({ tier: 'a' })).toBe(false);
    expect(s.matches(undefined)).toBe(false);
  });

  it('treats notin and != as satisfied by a missing label', () => {
    expect(parseLabelSelector('a notin (x)').matches({})).toBe(true);
    expect(parseLabelSelector('a!=x').matches({ a: 'x' })).toBe(false);
    expect(parseLabelSelector('a!=x').matches(null)).toBe(true);
  });

  it('supports empty values and the integer comparisons', () => {
    expect(parseLabelSelector('a=').matches({ a: '' })).toBe(true);
    expect(parseLabelSelector('a=').matches({})).toBe(false);
    expect(parseLabelSelector('a in ()').requirements[0]!.values).toEqual(['']);
    expect(parseLabelSelector('a in (x,)').requirements[0]!.values).toEqual(['', 'x']);
    const gt = parseLabelSelector('rank>5');
    expect(gt.matches({ rank: '6' })).toBe(true);
    expect(gt.matches({ rank: '5' })).toBe(false);
    expect(gt.matches({ rank: 'x' })).toBe(false);
    expect(parseLabelSelector('rank<5').matches({ rank: '-1' })).toBe(true);
    expect(gt.toString()).toBe('rank>5');
  });

  it('ignores whitespace around tokens', () => {
    const s = parseLabelSelector('  app = web ,  tier in ( a , b ) , ! canary ');
    expect(s.toString()).toBe('app=web,!canary,tier in (a,b)');
    expect(() => parseLabelSelector('x in (a b)')).toThrow("unable to parse requirement: found 'b', expected: ',' or ')'");
  });

  it('accepts in/notin as keys and values, and prefixed keys', () => {
    const s = parseLabelSelector('in=notin,example.com/app in (in)');
    expect(s.matches({ in: 'notin', 'example.com/app': 'in' })).toBe(true);
  });

  it('the empty string selects everything', () => {
    const s = parseLabelSelector('');
    expect(s.isEverything()).toBe(true);
    expect(s.matches({ any: 'thing' })).toBe(true);
    expect(parseLabelSelector('  ').isEverything()).toBe(true);
    expect(parseLabelSelector('a').isEverything()).toBe(false);
  });

  it('reports exact matches for indexes', () => {
    expect(parseLabelSelector('app=web,x').requiresExactMatch('app')).toBe('web');
    expect(parseLabelSelector('app in (a,b)').requiresExactMatch('app')).toBeUndefined();
  });

  it.each([
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['a in b', "unable to parse requirement: found 'b' expected: '('"],
    ['a in (b', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['a,', "found '', expected: identifier after ','"],
    [',a', "found ',', expected: !, identifier, or 'end of string'"],
    ['!a=b', "found '=', expected: ',' or 'end of string'"],
    ['a (b)', "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"],
    ['a>x', "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer"],
  ])('rejects %j', (input, message) => {
    expect(() => parseLabelSelector(input)).toThrow(message);
  });

  it('validates keys and values with the Kubernetes messages', () => {
    expect(() => parseLabelSelector('-a=b')).toThrow(
      'unable to parse requirement: <nil>: Invalid value: "-a": name part must consist of alphanumeric characters, ' +
        "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or " +
        "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    );
    expect(() => parseLabelSelector('a=-b')).toThrow(
      'unable to parse requirement: values[0][a]: Invalid value: "-b": a valid label must be an empty string or consist of',
    );
    expect(() => parseLabelSelector(`a=${'x'.repeat(64)}`)).toThrow('must be no more than 63 characters');
    expect(() => parseLabelSelector('Example.com/a=b')).toThrow('prefix part a lowercase RFC 1123 subdomain');
    expect(() => parseLabelSelector('a/b/c')).toThrow('a qualified name must consist of');
  });
});

describe('LabelSelector objects', () => {
  it('converts matchLabels and matchExpressions to the same matcher', () => {
    const sel = {
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['b', 'a'] },
        { key: 'env', operator: 'NotIn', values: ['prod'] },
        { key: 'track', operator: 'Exists' },
        { key: 'canary', operator: 'DoesNotExist' },
      ],
    };
    const s = labelSelectorAsSelector(sel);
    expect(s.matches({ app: 'web', tier: 'a', track: 'x' })).toBe(true);
    expect(s.matches({ app: 'web', tier: 'a' })).toBe(false);
    expect(s.matches({ app: 'web', tier: 'a', track: 'x', canary: 'y' })).toBe(false);
    expect(selectorToString(sel)).toBe('app=web,!canary,env notin (prod),tier in (a,b),track');
    expect(selectorToString(sel)).toBe(parseLabelSelector(selectorToString(sel)).toString());
  });

  it('shows the Scale status.selector form', () => {
    expect(selectorToString({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] })).toBe(
      'app=web,tier in (a,b)',
    );
  });

  it('nil matches nothing, empty matches everything', () => {
    expect(labelSelectorMatches(undefined, { a: 'b' })).toBe(false);
    expect(labelSelectorMatches(null, {})).toBe(false);
    expect(labelSelectorAsSelector(null).isEverything()).toBe(false);
    expect(labelSelectorAsSelector(null).isNothing()).toBe(true);
    expect(labelSelectorAsSelector({}).isEverything()).toBe(true);
    expect(labelSelectorMatches({ matchLabels: {}, matchExpressions: [] }, { a: 'b' })).toBe(true);
    expect(formatLabelSelector({})).toBe('<none>');
    expect(formatLabelSelector({ matchLabels: { a: 'b' } })).toBe('a=b');
  });

  it('rejects invalid operators, keys and value counts', () => {
    expect(() => labelSelectorAsSelector({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] })).toThrow(
      '"Gt" is not a valid label selector operator',
    );
    expect(() => labelSelectorAsSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] })).toThrow(
      "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty",
    );
    expect(() => labelSelectorAsSelector({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] })).toThrow(
      'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist',
    );
    expect(() => labelSelectorAsSelector({ matchLabels: { 'bad key': 'x' } })).toThrow('key: Invalid value: "bad key": name part');
    expect(formatLabelSelector({ matchLabels: { 'bad key': 'x' } })).toBe('<error>');
  });
});
