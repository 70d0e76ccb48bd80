/** Semantic validation of ConfigMaps and Secrets: key names, sizes, base64 data, immutability. */
import type { StatusCause } from '../meta/errors.js';
import { fieldForbidden, fieldImmutable, fieldInvalid, fieldRequired, fieldTooLong } from '../meta/validation.js';
import type { ConfigMap, Secret } from './config.js';
import { deepEqual } from './deep-equal.js';

/** ConfigMaps and Secrets are limited to 1 MiB of data, like etcd values. */
export const MAX_CONFIG_DATA_BYTES = 1024 * 1024;

const CONFIG_KEY_RE = /^[-._a-zA-Z0-9]+$/;
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function isConfigMapKey(key: string): string[] {
  const errs: string[] = [];
  if (key.length > 253) errs.push('must be no more than 253 characters');
  if (!CONFIG_KEY_RE.test(key)) {
    errs.push("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
  }
  if (key === '.' || key === '..') errs.push(`must not be '${key}'`);
  else if (key.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

function validateKeys(data: Record<string, string> | undefined, field: string): StatusCause[] {
  return Object.keys(data ?? {}).flatMap((key) => isConfigMapKey(key).map((e) => fieldInvalid(`${field}[${key}]`, key, e)));
}

export function validateConfigMap(cm: ConfigMap): StatusCause[] {
  const causes = [...validateKeys(cm.data, 'data'), ...validateKeys(cm.binaryData, 'binaryData')];
  let size = 0;
  for (const [key, value] of Object.entries(cm.data ?? {})) {
    if (cm.binaryData && key in cm.binaryData) causes.push(fieldInvalid(`data[${key}]`, key, 'duplicate of key present in binaryData'));
    size += Buffer.byteLength(value);
  }
  for (const [key, value] of Object.entries(cm.binaryData ?? {})) {
    if (!BASE64_RE.test(value)) causes.push(fieldInvalid(`binaryData[${key}]`, '<value omitted>', 'must be base64-encoded'));
    size += Math.floor((value.length * 3) / 4);
  }
  if (size > MAX_CONFIG_DATA_BYTES) causes.push(fieldTooLong('', MAX_CONFIG_DATA_BYTES));
  return causes;
}

/** Keys the well-known secret types must carry. */
const REQUIRED_SECRET_KEYS: Record<string, string[]> = {
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/dockercfg': ['.dockercfg'],
};

export function validateSecret(secret: Secret): StatusCause[] {
  const causes = [...validateKeys(secret.data, 'data'), ...validateKeys(secret.stringData, 'stringData')];
  let size = 0;
  for (const [key, value] of Object.entries(secret.data ?? {})) {
    if (!BASE64_RE.test(value)) causes.push(fieldInvalid(`data[${key}]`, '<secret contents redacted>', 'must be base64-encoded'));
    size += Math.floor((value.length * 3) / 4);
  }
  for (const value of Object.values(secret.stringData ?? {})) size += Buffer.byteLength(value);
  if (size > MAX_CONFIG_DATA_BYTES) causes.push(fieldTooLong('data', MAX_CONFIG_DATA_BYTES));
  const present = new Set([...Object.keys(secret.data ?? {}), ...Object.keys(secret.stringData ?? {})]);
  for (const key of REQUIRED_SECRET_KEYS[secret.type] ?? []) {
    if (!present.has(key)) causes.push(fieldRequired(`data[${key}]`));
  }
  if (secret.type === 'kubernetes.io/service-account-token' && !secret.metadata.annotations?.['kubernetes.io/service-account.name']) {
    causes.push(fieldRequired('metadata.annotations[kubernetes.io/service-account.name]'));
  }
  return causes;
}

/** An object marked immutable keeps its data and stays immutable. */
function validateImmutableData(
  obj: { immutable?: boolean; data?: Record<string, string>; binaryData?: Record<string, string> },
  old: { immutable?: boolean; data?: Record<string, string>; binaryData?: Record<string, string> },
): StatusCause[] {
  if (!old.immutable) return [];
  const causes: StatusCause[] = [];
  if (!obj.immutable) causes.push(fieldForbidden('immutable', 'field is immutable when `immutable` is set'));
  if (!deepEqual(obj.data ?? {}, old.data ?? {})) causes.push(fieldForbidden('data', 'field is immutable when `immutable` is set'));
  if (!deepEqual(obj.binaryData ?? {}, old.binaryData ?? {})) causes.push(fieldForbidden('binaryData', 'field is immutable when `immutable` is set'));
  return causes;
}

export function validateConfigMapUpdate(cm: ConfigMap, old: ConfigMap): StatusCause[] {
  return validateImmutableData(cm, old);
}

export function validateSecretUpdate(secret: Secret, old: Secret): StatusCause[] {
  const causes = validateImmutableData(secret, old);
  if (secret.type !== old.type) causes.push(fieldImmutable('type', secret.type));
  return causes;
}
