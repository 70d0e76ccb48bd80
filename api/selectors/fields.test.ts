import { describe, expect, it } from 'vitest';
import { DEFAULT_FIELD_LABELS, defaultFieldAttributes, escapeFieldValue, parseFieldSelector, unescapeFieldValue } from './fields.js';

const podFields = [...DEFAULT_FIELD_LABELS, 'spec.nodeName', 'status.phase'];

describe('parseFieldSelector', () => {
  it('parses =, == and != terms joined by commas', () => {
    const s = parseFieldSelector('spec.nodeName!=,metadata.name=web,status.phase==Running', podFields);
    expect(s.requirements).toEqual([
      { field: 'metadata.name', operator: '=', value: 'web' },
      { field: 'spec.nodeName', operator: '!=', value: '' },
      { field: 'status.phase', operator: '==', value: 'Running' },
    ]);
    expect(s.toString()).toBe('metadata.name=web,spec.nodeName!=,status.phase=Running');
  });

  it('matches field attributes; a missing field reads as empty', () => {
    const scheduled = parseFieldSelector('spec.nodeName!=');
    expect(scheduled.matches({ 'spec.nodeName': 'node-1' })).toBe(true);
    expect(scheduled.matches({ 'spec.nodeName': '' })).toBe(false);
    expect(scheduled.matches({})).toBe(false);
    const byName = parseFieldSelector('metadata.name=web,metadata.namespace=default');
    expect(byName.matches({ 'metadata.name': 'web', 'metadata.namespace': 'default' })).toBe(true);
    expect(byName.matches({ 'metadata.name': 'web', 'metadata.namespace': 'kube-system' })).toBe(false);
    expect(parseFieldSelector('spec.nodeName=').matches({})).toBe(true);
  });

  it('the empty selector selects everything', () => {
    expect(parseFieldSelector('').isEverything()).toBe(true);
    expect(parseFieldSelector('', podFields).matches({})).toBe(true);
    expect(parseFieldSelector('a=b').isEverything()).toBe(false);
  });

  it('handles escaped commas and equals signs in values', () => {
    const s = parseFieldSelector('metadata.name=a\\,b\\=c\\\\');
    expect(s.requirements[0]!.value).toBe('a,b=c\\');
    expect(s.matches({ 'metadata.name': 'a,b=c\\' })).toBe(true);
    expect(s.toString()).toBe('metadata.name=a\\,b\\=c\\\\');
    expect(unescapeFieldValue(escapeFieldValue('x=,\\y'))).toBe('x=,\\y');
  });

  it('reports exact matches for indexes', () => {
    const s = parseFieldSelector('spec.nodeName=n1,metadata.name!=x');
    expect(s.requiresExactMatch('spec.nodeName')).toBe('n1');
    expect(s.requiresExactMatch('metadata.name')).toBeUndefined();
  });

  it.each([
    ['foo=bar', 'field label not supported: foo'],
    ['=x', 'field label not supported: '],
    ['metadata.name', "invalid selector: 'metadata.name'; can't understand 'metadata.name'"],
    ['metadata.name=a=b', 'invalid field selector: unescaped character in value: 61'],
    ['metadata.name=a\\x', 'invalid field selector: invalid escape sequence: \\x'],
    ['metadata.name=a\\', 'invalid field selector: invalid escape sequence: \\'],
  ])('rejects %j', (input, message) => {
    expect(() => parseFieldSelector(input, podFields)).toThrow(message);
  });

  it('builds the default attributes from metadata', () => {
    const fields = { ...defaultFieldAttributes({ name: 'web', namespace: 'prod' }), 'spec.nodeName': 'n1' };
    expect(parseFieldSelector('metadata.namespace=prod,spec.nodeName=n1', podFields).matches(fields)).toBe(true);
    expect(defaultFieldAttributes({ name: 'node-1' })).toEqual({ 'metadata.name': 'node-1', 'metadata.namespace': '' });
  });

  it('without a list of supported fields accepts any field', () => {
    expect(parseFieldSelector('foo=bar').matches({ foo: 'bar' })).toBe(true);
  });
});
