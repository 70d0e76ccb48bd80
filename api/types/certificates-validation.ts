/**
 * Semantic validation of certificates.k8s.io/v1 CertificateSigningRequests, with
 * Kubernetes' rules: the request is a PEM CERTIFICATE REQUEST, the signer name is
 * "<domain>/<path>", usages are known and unique, Approved and Denied exclude each other,
 * status.certificate holds CERTIFICATE blocks, is set only once approved and never changes.
 */
import type { StatusCause } from '../meta/errors.js';
import { fieldDuplicate, fieldForbidden, fieldImmutable, fieldInvalid, fieldNotSupported, fieldRequired, isDNS1123Subdomain } from '../meta/validation.js';
import { deepEqual } from './deep-equal.js';
import {
  type CertificateSigningRequest,
  isApprovalCondition,
  isApproved,
  isDenied,
  KEY_USAGES,
  SIGNER_LEGACY_UNKNOWN,
} from './certificates.js';

const MIN_EXPIRATION_SECONDS = 600;
const CONDITION_STATUSES = ['True', 'False', 'Unknown'];
/** Condition types that may appear at most once. */
const SINGLE_CONDITIONS = new Set(['Approved', 'Denied', 'Failed']);

interface PemBlock {
  type: string;
  headers: boolean;
  body: string;
}

/** The PEM blocks of a text (types, whether they carry headers, base64 body). */
export function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const inner = m[2]!;
    blocks.push({ type: m[1]!, headers: /^[A-Za-z-]+:/m.test(inner), body: inner.replace(/\s+/g, '') });
  }
  return blocks;
}

function decodeBase64(value: string): string | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value.replace(/\s+/g, ''))) return undefined;
  return Buffer.from(value, 'base64').toString('latin1');
}

function validateRequest(request: string): StatusCause[] {
  if (!request) return [fieldRequired('spec.request')];
  const pem = decodeBase64(request);
  if (pem === undefined) return [fieldInvalid('spec.request', '<request data>', 'must be base64-encoded')];
  const blocks = pemBlocks(pem);
  if (blocks.length === 0 || blocks[0]!.type !== 'CERTIFICATE REQUEST') {
    return [fieldInvalid('spec.request', '<request data>', 'PEM block type must be CERTIFICATE REQUEST')];
  }
  return [];
}

/** "example.com/my-signer": a DNS subdomain with at least two segments, a slash, then a path. */
export function validateSignerName(name: string, field = 'spec.signerName'): StatusCause[] {
  if (!name) return [fieldRequired(field)];
  const slash = name.indexOf('/');
  if (slash < 0) return [fieldInvalid(field, name, 'must be a fully qualified domain and path of the form \'example.com/signer-name\'')];
  const domain = name.slice(0, slash);
  const path = name.slice(slash + 1);
  const causes: StatusCause[] = [];
  if (!domain.includes('.')) causes.push(fieldInvalid(field, name, 'should be a domain with at least two segments separated by dots'));
  else for (const msg of isDNS1123Subdomain(domain)) causes.push(fieldInvalid(field, name, msg));
  if (!path) causes.push(fieldInvalid(field, name, 'validating path: must not be empty'));
  else if (path.length > 253 - domain.length) causes.push(fieldInvalid(field, name, 'validating path: too long'));
  return causes;
}

function validateConditions(csr: CertificateSigningRequest): StatusCause[] {
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  (csr.status?.conditions ?? []).forEach((c, i) => {
    const field = `status.conditions[${i}]`;
    if (!c.type) causes.push(fieldRequired(`${field}.type`));
    const status = c.status ?? 'True';
    if (isApprovalCondition(c.type) && status !== 'True') causes.push(fieldNotSupported(`${field}.status`, status, ['True']));
    else if (!CONDITION_STATUSES.includes(status)) causes.push(fieldNotSupported(`${field}.status`, status, CONDITION_STATUSES));
    if (SINGLE_CONDITIONS.has(c.type)) {
      if (seen.has(c.type)) causes.push(fieldDuplicate(`${field}.type`, c.type));
      seen.add(c.type);
    }
    if (c.type === 'Denied' && seen.has('Approved')) causes.push(fieldInvalid(`${field}.type`, c.type, 'Approved and Denied conditions are mutually exclusive'));
    if (c.type === 'Approved' && seen.has('Denied')) causes.push(fieldInvalid(`${field}.type`, c.type, 'Approved and Denied conditions are mutually exclusive'));
  });
  return causes;
}

function validateCertificate(certificate: string | undefined): StatusCause[] {
  if (certificate === undefined) return [];
  const pem = decodeBase64(certificate);
  if (pem === undefined) return [fieldInvalid('status.certificate', '<certificate data>', 'must be base64-encoded')];
  const blocks = pemBlocks(pem);
  if (blocks.length === 0) return [fieldInvalid('status.certificate', '<certificate data>', 'must contain at least one CERTIFICATE PEM block')];
  for (const b of blocks) {
    if (b.type !== 'CERTIFICATE') return [fieldInvalid('status.certificate', '<certificate data>', 'only CERTIFICATE PEM blocks are allowed, found "' + b.type + '"')];
    if (b.headers) return [fieldInvalid('status.certificate', '<certificate data>', 'no PEM block headers are permitted')];
  }
  return [];
}

/** Rules for any CSR (create and every update). */
export function validateCertificateSigningRequest(csr: CertificateSigningRequest): StatusCause[] {
  const causes: StatusCause[] = [...validateRequest(csr.spec.request), ...validateSignerName(csr.spec.signerName)];
  if (csr.spec.signerName === SIGNER_LEGACY_UNKNOWN) {
    causes.push(fieldInvalid('spec.signerName', csr.spec.signerName, 'the legacy signerName is not allowed via this API version'));
  }
  const exp = csr.spec.expirationSeconds;
  if (exp !== undefined && exp < MIN_EXPIRATION_SECONDS) {
    causes.push(fieldInvalid('spec.expirationSeconds', exp, `may not specify a duration less than ${MIN_EXPIRATION_SECONDS} seconds (10 minutes)`));
  }
  const usages = csr.spec.usages ?? [];
  if (usages.length === 0) causes.push(fieldRequired('spec.usages', 'usages must be provided'));
  const seen = new Set<string>();
  usages.forEach((u, i) => {
    if (!(KEY_USAGES as readonly string[]).includes(u)) causes.push(fieldNotSupported(`spec.usages[${i}]`, u, KEY_USAGES));
    if (seen.has(u)) causes.push(fieldDuplicate(`spec.usages[${i}]`, u));
    seen.add(u);
  });
  causes.push(...validateConditions(csr), ...validateCertificate(csr.status?.certificate));
  return causes;
}

/** Rules shared by every update: the spec never changes; a certificate appears only once approved and then never changes. */
function validateCommonUpdate(csr: CertificateSigningRequest, old: CertificateSigningRequest): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!deepEqual(csr.spec, old.spec)) causes.push(fieldImmutable('spec', '<spec>'));
  const cert = csr.status?.certificate;
  const oldCert = old.status?.certificate;
  if (oldCert !== undefined && cert !== oldCert) causes.push(fieldImmutable('status.certificate', '<certificate data>'));
  if (cert !== undefined && oldCert === undefined) {
    if (!isApproved(csr)) causes.push(fieldInvalid('status.certificate', '<certificate data>', 'certificate can only be set if an Approved condition is present'));
    if (isDenied(csr)) causes.push(fieldInvalid('status.certificate', '<certificate data>', 'certificate cannot be set if a Denied condition is present'));
  }
  return causes;
}

function approvalConditions(csr: CertificateSigningRequest) {
  return (csr.status?.conditions ?? []).filter((c) => isApprovalCondition(c.type)).map(({ type, status }) => ({ type, status: status ?? 'True' }));
}

/**
 * An update of the object or of /status: Approved and Denied change only through the
 * approval subresource, and once present they stay.
 */
export function validateCertificateSigningRequestUpdate(csr: CertificateSigningRequest, old: CertificateSigningRequest): StatusCause[] {
  const causes = validateCommonUpdate(csr, old);
  if (!deepEqual(approvalConditions(csr), approvalConditions(old))) {
    causes.push(fieldForbidden('status.conditions', 'Approved and Denied conditions can be changed only through the approval subresource'));
  }
  return causes;
}

/** An update through /approval: an Approved or Denied condition, once there, may not be removed. */
export function validateCertificateSigningRequestApproval(csr: CertificateSigningRequest, old: CertificateSigningRequest): StatusCause[] {
  const causes = validateCommonUpdate(csr, old);
  for (const type of ['Approved', 'Denied'] as const) {
    const had = (old.status?.conditions ?? []).some((c) => c.type === type);
    const has = (csr.status?.conditions ?? []).some((c) => c.type === type);
    if (had && !has) causes.push(fieldForbidden('status.conditions', `updates may not remove a condition of type "${type}"`));
  }
  return causes;
}
