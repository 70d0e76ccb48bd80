/**
 * Name and metadata validation with Kubernetes' rules and wording, plus constructors
 * for field errors (StatusCause) in the format of k8s.io/apimachinery's field.Error:
 * the cause message is the "error body" (`Invalid value: "Foo": ...`) and the field
 * path travels separately, so `invalid()` can print `metadata.name: Invalid value: ...`.
 */
import type { StatusCause } from './errors.js';
import type { ObjectMeta } from './object-meta.js';

// ---- field errors ----

/** A Go-%#v-like rendering of a value in messages: strings quoted, numbers bare. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

export function fieldInvalid(field: string, value: unknown, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${formatValue(value)}: ${detail}`, field };
}

export function fieldRequired(field: string, detail = ''): StatusCause {
  return { reason: 'FieldValueRequired', message: detail ? `Required value: ${detail}` : 'Required value', field };
}

export function fieldDuplicate(field: string, value: unknown): StatusCause {
  return { reason: 'FieldValueDuplicate', message: `Duplicate value: ${formatValue(value)}`, field };
}

export function fieldNotSupported(field: string, value: unknown, supported: readonly string[]): StatusCause {
  const list = supported.map((s) => JSON.stringify(s)).join(', ');
  return {
    reason: 'FieldValueNotSupported',
    message: `Unsupported value: ${formatValue(value)}${supported.length ? `: supported values: ${list}` : ''}`,
    field,
  };
}

export function fieldForbidden(field: string, detail: string): StatusCause {
  return { reason: 'FieldValueForbidden', message: `Forbidden: ${detail}`, field };
}

export function fieldTooLong(field: string, maxBytes: number): StatusCause {
  return { reason: 'FieldValueTooLong', message: `Too long: may not be more than ${maxBytes} bytes`, field };
}

/** "field is immutable" as an Invalid cause, the way apimachinery reports it. */
export function fieldImmutable(field: string, value: unknown): StatusCause {
  return fieldInvalid(field, value, 'field is immutable');
}

/** Causes for a number that must be >= 0. */
export function validateNonNegative(field: string, value: number | undefined): StatusCause[] {
  return value !== undefined && value < 0 ? [fieldInvalid(field, value, 'must be greater than or equal to 0')] : [];
}

// ---- name formats (each returns a list of error details, empty when valid) ----

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const QUALIFIED_NAME_PART = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE = `(${QUALIFIED_NAME_PART})?`;
const DNS1035_LABEL = '[a-z]([-a-z0-9]*[a-z0-9])?';

const anchored = (re: string) => new RegExp(`^(?:${re})$`);
const dns1123LabelRe = anchored(DNS1123_LABEL);
const dns1123SubdomainRe = anchored(DNS1123_SUBDOMAIN);
const qualifiedNamePartRe = anchored(QUALIFIED_NAME_PART);
const labelValueRe = anchored(LABEL_VALUE);
const dns1035LabelRe = anchored(DNS1035_LABEL);

export const DNS1123_LABEL_MAX_LENGTH = 63;
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
export const LABEL_VALUE_MAX_LENGTH = 63;
export const QUALIFIED_NAME_MAX_LENGTH = 63;
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

function maxLen(n: number): string {
  return `must be no more than ${n} characters`;
}

/** The regex error text of apimachinery: what a format must look like, with examples and the regex. */
function regexError(what: string, regex: string, examples: string[]): string {
  const eg = examples.map((e) => `'${e}'`).join(',  or ');
  return `${what} (e.g. ${eg}, regex used for validation is '${regex}')`;
}

const DNS1123_LABEL_ERROR = regexError(
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
  DNS1123_LABEL,
  ['my-name', '123-abc'],
);

const DNS1123_SUBDOMAIN_ERROR = regexError(
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
  DNS1123_SUBDOMAIN,
  ['example.com'],
);

const DNS1035_LABEL_ERROR = regexError(
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
  DNS1035_LABEL,
  ['my-name', 'abc-123'],
);

const QUALIFIED_NAME_CHARS = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_LABEL_MAX_LENGTH) errs.push(maxLen(DNS1123_LABEL_MAX_LENGTH));
  if (!dns1123LabelRe.test(value)) errs.push(DNS1123_LABEL_ERROR);
  return errs;
}

export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLen(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!dns1123SubdomainRe.test(value)) errs.push(DNS1123_SUBDOMAIN_ERROR);
  return errs;
}

export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_LABEL_MAX_LENGTH) errs.push(maxLen(DNS1123_LABEL_MAX_LENGTH));
  if (!dns1035LabelRe.test(value)) errs.push(DNS1035_LABEL_ERROR);
  return errs;
}

/** A qualified name: an optional DNS-subdomain prefix and '/', then a name part ("app.kubernetes.io/name"). */
export function isQualifiedName(value: string): string[] {
  const parts = value.split('/');
  let name: string;
  const errs: string[] = [];
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 2) {
    const [prefix, rest] = parts as [string, string];
    name = rest;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...isDNS1123Subdomain(prefix).map((e) => `prefix part ${e}`));
  } else {
    return [
      regexError(
        `a qualified name ${QUALIFIED_NAME_CHARS}`,
        QUALIFIED_NAME_PART,
        ['MyName', 'my.name', '123-abc'],
      ) + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > QUALIFIED_NAME_MAX_LENGTH) errs.push(`name part ${maxLen(QUALIFIED_NAME_MAX_LENGTH)}`);
  if (name.length > 0 && !qualifiedNamePartRe.test(name)) {
    errs.push(regexError(`name part ${QUALIFIED_NAME_CHARS}`, QUALIFIED_NAME_PART, ['MyName', 'my.name', '123-abc']));
  }
  return errs;
}

export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > LABEL_VALUE_MAX_LENGTH) errs.push(maxLen(LABEL_VALUE_MAX_LENGTH));
  if (!labelValueRe.test(value)) {
    errs.push(
      regexError(
        `a valid label must be an empty string or ${QUALIFIED_NAME_CHARS.replace(/^must /, '')}`,
        LABEL_VALUE,
        ['MyValue', 'my_value', '12345'],
      ),
    );
  }
  return errs;
}

// ---- metadata ----

/** How a kind's names are checked: most kinds use DNS subdomains, Namespaces and Services DNS labels. */
export type NameRule = 'DNS1123Subdomain' | 'DNS1123Label' | 'DNS1035Label';

export function validateName(name: string, rule: NameRule): string[] {
  switch (rule) {
    case 'DNS1123Subdomain':
      return isDNS1123Subdomain(name);
    case 'DNS1123Label':
      return isDNS1123Label(name);
    case 'DNS1035Label':
      return isDNS1035Label(name);
  }
}

/** generateName is checked as a name with its trailing '-' masked, since a suffix is appended. */
function validateGenerateName(prefix: string, rule: NameRule): string[] {
  const masked = prefix.endsWith('-') ? `${prefix.slice(0, -1)}a` : prefix;
  return validateName(masked, rule);
}

export function validateLabels(labels: Record<string, string> | null | undefined, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    for (const e of isQualifiedName(key)) causes.push(fieldInvalid(field, key, e));
    for (const e of isValidLabelValue(value)) causes.push(fieldInvalid(field, value, e));
  }
  return causes;
}

export function validateAnnotations(annotations: Record<string, string> | null | undefined, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  let size = 0;
  for (const [key, value] of Object.entries(annotations ?? {})) {
    for (const e of isQualifiedName(key.toLowerCase())) causes.push(fieldInvalid(field, key, e));
    size += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) causes.push(fieldTooLong(field, TOTAL_ANNOTATION_SIZE_LIMIT));
  return causes;
}

export interface MetaValidationOptions {
  namespaced: boolean;
  nameRule?: NameRule; // DNS1123Subdomain by default
}

/** ObjectMeta checks shared by every kind: name or generateName, namespace by scope, labels, annotations. */
export function validateObjectMeta(meta: ObjectMeta, opts: MetaValidationOptions, field = 'metadata'): StatusCause[] {
  const rule = opts.nameRule ?? 'DNS1123Subdomain';
  const causes: StatusCause[] = [];
  if (meta.generateName) {
    for (const e of validateGenerateName(meta.generateName, rule)) causes.push(fieldInvalid(`${field}.generateName`, meta.generateName, e));
  }
  if (!meta.name) {
    if (!meta.generateName) causes.push(fieldRequired(`${field}.name`, 'name or generateName is required'));
  } else {
    for (const e of validateName(meta.name, rule)) causes.push(fieldInvalid(`${field}.name`, meta.name, e));
  }
  if (opts.namespaced) {
    if (!meta.namespace) causes.push(fieldRequired(`${field}.namespace`));
    else for (const e of isDNS1123Label(meta.namespace)) causes.push(fieldInvalid(`${field}.namespace`, meta.namespace, e));
  } else if (meta.namespace) {
    causes.push(fieldForbidden(`${field}.namespace`, 'not allowed on this type'));
  }
  if (meta.generation !== undefined) causes.push(...validateNonNegative(`${field}.generation`, meta.generation));
  causes.push(...validateLabels(meta.labels, `${field}.labels`));
  causes.push(...validateAnnotations(meta.annotations, `${field}.annotations`));
  (meta.ownerReferences ?? []).forEach((ref, i) => {
    const p = `${field}.ownerReferences[${i}]`;
    if (!ref.apiVersion) causes.push(fieldInvalid(`${p}.apiVersion`, ref.apiVersion, 'version must not be empty'));
    if (!ref.kind) causes.push(fieldInvalid(`${p}.kind`, ref.kind, 'kind must not be empty'));
    if (!ref.name) causes.push(fieldInvalid(`${p}.name`, ref.name, 'name must not be empty'));
    if (!ref.uid) causes.push(fieldInvalid(`${p}.uid`, ref.uid, 'uid must not be empty'));
  });
  if ((meta.ownerReferences ?? []).filter((r) => r.controller).length > 1) {
    causes.push(fieldInvalid(`${field}.ownerReferences`, '', 'Only one reference can have Controller set to true'));
  }
  (meta.finalizers ?? []).forEach((f, i) => {
    for (const e of isQualifiedName(f)) causes.push(fieldInvalid(`${field}.finalizers[${i}]`, f, e));
  });
  return causes;
}

/** Metadata fields an update may not change. */
export function validateObjectMetaUpdate(meta: ObjectMeta, old: ObjectMeta, field = 'metadata'): StatusCause[] {
  const causes: StatusCause[] = [];
  const immutable = ['name', 'namespace', 'uid', 'creationTimestamp'] as const;
  for (const key of immutable) {
    if (old[key] && meta[key] !== old[key]) causes.push(fieldImmutable(`${field}.${key}`, meta[key] ?? ''));
  }
  if (old.deletionTimestamp && meta.deletionTimestamp !== old.deletionTimestamp) {
    causes.push(fieldImmutable(`${field}.deletionTimestamp`, meta.deletionTimestamp ?? null));
  }
  return causes;
}
