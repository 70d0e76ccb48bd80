import { describe, expect, it } from 'vitest';
import {
  fieldInvalid,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  validateAnnotations,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './validation.js';

describe('name formats', () => {
  it('accepts DNS subdomains and rejects others with the Kubernetes message', () => {
    expect(isDNS1123Subdomain('example.com')).toEqual([]);
    const [err] = isDNS1123Subdomain('Example_com');
    expect(err).toBe(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
    expect(isDNS1123Subdomain('a'.repeat(254))).toContain('must be no more than 253 characters');
  });

  it('checks DNS labels: no dots, at most 63 characters', () => {
    expect(isDNS1123Label('web-1')).toEqual([]);
    expect(isDNS1123Label('a.b')[0]).toMatch(/^a lowercase RFC 1123 label must consist of/);
    expect(isDNS1123Label('-web')).toHaveLength(1);
    expect(isDNS1123Label('a'.repeat(64))).toContain('must be no more than 63 characters');
  });

  it('checks qualified names with and without prefix', () => {
    expect(isQualifiedName('app.kubernetes.io/name')).toEqual([]);
    expect(isQualifiedName('MyName')).toEqual([]);
    expect(isQualifiedName('Bad_Prefix/name')[0]).toMatch(/^prefix part a lowercase RFC 1123 subdomain/);
    expect(isQualifiedName('example.com/')).toEqual(['name part must be non-empty']);
    expect(isQualifiedName('a/b/c')[0]).toMatch(/^a qualified name must consist of/);
    expect(isQualifiedName('-bad')[0]).toMatch(/^name part must consist of alphanumeric characters/);
    expect(isQualifiedName('x'.repeat(64))).toContain('name part must be no more than 63 characters');
  });

  it('checks label values (empty is valid)', () => {
    expect(isValidLabelValue('')).toEqual([]);
    expect(isValidLabelValue('v1.2_3')).toEqual([]);
    expect(isValidLabelValue('bad value')[0]).toMatch(/^a valid label must be an empty string or consist of/);
  });
});

describe('validateObjectMeta', () => {
  it('requires a name or generateName', () => {
    expect(validateObjectMeta({ namespace: 'default' }, { namespaced: true })).toEqual([
      { reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' },
    ]);
    expect(validateObjectMeta({ generateName: 'web-', namespace: 'default' }, { namespaced: true })).toEqual([]);
  });

  it('checks the name against the rule of the kind', () => {
    const causes = validateObjectMeta({ name: 'a.b' }, { namespaced: false, nameRule: 'DNS1123Label' });
    expect(causes).toHaveLength(1);
    expect(causes[0]!.field).toBe('metadata.name');
    expect(causes[0]!.message).toMatch(/^Invalid value: "a\.b": a lowercase RFC 1123 label/);
    expect(validateObjectMeta({ name: 'a.b' }, { namespaced: false })).toEqual([]);
  });

  it('requires a namespace for namespaced kinds and forbids it for cluster-scoped ones', () => {
    expect(validateObjectMeta({ name: 'x' }, { namespaced: true })).toEqual([
      { reason: 'FieldValueRequired', message: 'Required value', field: 'metadata.namespace' },
    ]);
    expect(validateObjectMeta({ name: 'x', namespace: 'default' }, { namespaced: false })).toEqual([
      { reason: 'FieldValueForbidden', message: 'Forbidden: not allowed on this type', field: 'metadata.namespace' },
    ]);
  });

  it('reports invalid label keys and values', () => {
    const causes = validateObjectMeta({ name: 'x', labels: { 'bad key': 'ok', good: 'bad value' } }, { namespaced: false });
    expect(causes.map((c) => c.field)).toEqual(['metadata.labels', 'metadata.labels']);
    expect(causes[0]!.message).toMatch(/^Invalid value: "bad key": name part must consist/);
    expect(causes[1]!.message).toMatch(/^Invalid value: "bad value": a valid label must be/);
  });

  it('limits the total annotation size to 256 KiB', () => {
    expect(validateAnnotations({ big: 'x'.repeat(256 * 1024) }, 'metadata.annotations')).toEqual([
      { reason: 'FieldValueTooLong', message: 'Too long: may not be more than 262144 bytes', field: 'metadata.annotations' },
    ]);
    expect(validateAnnotations({ 'Example.com/Key': 'v' }, 'metadata.annotations')).toEqual([]);
  });

  it('allows one controller owner reference only', () => {
    const ref = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'a', uid: '1', controller: true };
    const causes = validateObjectMeta({ name: 'x', ownerReferences: [ref, { ...ref, uid: '2' }] }, { namespaced: false });
    expect(causes).toEqual([fieldInvalid('metadata.ownerReferences', '', 'Only one reference can have Controller set to true')]);
  });
});

describe('validateObjectMetaUpdate', () => {
  it('keeps name, namespace and uid immutable', () => {
    const causes = validateObjectMetaUpdate({ name: 'b', namespace: 'ns', uid: '2' }, { name: 'a', namespace: 'ns', uid: '1' });
    expect(causes).toEqual([
      { reason: 'FieldValueInvalid', message: 'Invalid value: "b": field is immutable', field: 'metadata.name' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: "2": field is immutable', field: 'metadata.uid' },
    ]);
  });
});
