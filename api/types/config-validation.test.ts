import { describe, expect, it } from 'vitest';
import { ConfigMap, Secret, mergeSecretStringData } from './config.js';
import { validateConfigMap, validateConfigMapUpdate, validateSecret, validateSecretUpdate } from './config-validation.js';

const meta = { name: 'cfg', namespace: 'default' };

describe('ConfigMap', () => {
  it('accepts valid keys and rejects others', () => {
    expect(validateConfigMap(ConfigMap.parse({ metadata: meta, data: { 'app.yaml': 'x', KEY_1: 'y' } }))).toEqual([]);
    const causes = validateConfigMap(ConfigMap.parse({ metadata: meta, data: { 'a b': 'x' } }));
    expect(causes[0]?.field).toBe('data[a b]');
    expect(causes[0]?.message).toMatch(/^Invalid value: "a b": a valid config key must consist of alphanumeric characters/);
  });

  it('rejects a key in both data and binaryData', () => {
    const causes = validateConfigMap(ConfigMap.parse({ metadata: meta, data: { k: 'x' }, binaryData: { k: 'eA==' } }));
    expect(causes).toEqual([{ reason: 'FieldValueInvalid', message: 'Invalid value: "k": duplicate of key present in binaryData', field: 'data[k]' }]);
  });

  it('limits the size to 1 MiB', () => {
    const causes = validateConfigMap(ConfigMap.parse({ metadata: meta, data: { big: 'x'.repeat(1024 * 1024 + 1) } }));
    expect(causes).toEqual([{ reason: 'FieldValueTooLong', message: 'Too long: may not be more than 1048576 bytes', field: '' }]);
  });

  it('keeps data of an immutable ConfigMap', () => {
    const old = ConfigMap.parse({ metadata: meta, data: { k: 'a' }, immutable: true });
    const next = ConfigMap.parse({ metadata: meta, data: { k: 'b' }, immutable: true });
    expect(validateConfigMapUpdate(next, old)).toEqual([
      { reason: 'FieldValueForbidden', message: 'Forbidden: field is immutable when `immutable` is set', field: 'data' },
    ]);
    const unlocked = ConfigMap.parse({ metadata: meta, data: { k: 'a' } });
    expect(validateConfigMapUpdate(unlocked, old)[0]?.field).toBe('immutable');
    expect(validateConfigMapUpdate(next, ConfigMap.parse({ metadata: meta, data: { k: 'a' } }))).toEqual([]);
  });
});

describe('Secret', () => {
  it('defaults the type to Opaque and merges stringData into data', () => {
    const s = Secret.parse({ metadata: meta, data: { a: 'YQ==' }, stringData: { b: 'bee' } });
    mergeSecretStringData(s);
    expect(s.type).toBe('Opaque');
    expect(s.data).toEqual({ a: 'YQ==', b: Buffer.from('bee').toString('base64') });
    expect(validateSecret(s)).toEqual([]);
  });

  it('requires base64 data', () => {
    expect(validateSecret(Secret.parse({ metadata: meta, data: { a: 'not base64!' } }))).toEqual([
      { reason: 'FieldValueInvalid', message: 'Invalid value: "<secret contents redacted>": must be base64-encoded', field: 'data[a]' },
    ]);
  });

  it('requires the keys of well-known types', () => {
    const causes = validateSecret(Secret.parse({ metadata: meta, type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } }));
    expect(causes).toEqual([{ reason: 'FieldValueRequired', message: 'Required value', field: 'data[tls.key]' }]);
  });

  it('keeps type immutable and data of an immutable Secret', () => {
    const old = Secret.parse({ metadata: meta, data: { a: 'YQ==' }, immutable: true });
    const next = Secret.parse({ metadata: meta, type: 'Other', data: { a: 'Yg==' }, immutable: true });
    expect(validateSecretUpdate(next, old).map((c) => c.field)).toEqual(['data', 'type']);
  });
});
