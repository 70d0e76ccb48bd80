/** Validation helpers shared by several types: ports, port names, quantities, selectors, IPs. */
import { isIP } from 'node:net';
import type { StatusCause } from '../meta/errors.js';
import {
  fieldForbidden,
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
  isQualifiedName,
  isValidLabelValue,
  validateLabels,
} from '../meta/validation.js';
import type { IntOrString, LabelSelector } from './common.js';

export function isValidPortNum(port: number): string[] {
  return port >= 1 && port <= 65535 ? [] : ['must be between 1 and 65535, inclusive'];
}

/** An IANA service name, as container and service port names must be. */
export function isValidPortName(name: string): string[] {
  const errs: string[] = [];
  if (name.length > 15) errs.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(name)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(name)) errs.push('must contain at least one letter (a-z)');
  if (name.includes('--')) errs.push('must not contain consecutive hyphens');
  if (name.startsWith('-') || name.endsWith('-')) errs.push('must not begin or end with a hyphen');
  return errs;
}

/** A port given as a number (1-65535) or a name (IANA service name). */
export function validatePortNumOrName(port: IntOrString, field: string): StatusCause[] {
  const errs = typeof port === 'number' ? isValidPortNum(port) : isValidPortName(port);
  return errs.map((e) => fieldInvalid(field, port, e));
}

const QUANTITY_RE = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;

export function validateQuantity(value: string | number, field: string): StatusCause[] {
  if (typeof value === 'number') return value < 0 ? [fieldInvalid(field, value, 'must be greater than or equal to 0')] : [];
  if (!QUANTITY_RE.test(value)) {
    return [fieldInvalid(field, value, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")];
  }
  if (value.startsWith('-')) return [fieldInvalid(field, value, 'must be greater than or equal to 0')];
  return [];
}

export function validateIP(value: string, field: string): StatusCause[] {
  return isIP(value) ? [] : [fieldInvalid(field, value, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')];
}

export function validateCIDR(value: string, field: string): StatusCause[] {
  const [ip, bits, extra] = value.split('/');
  const family = isIP(ip ?? '');
  const prefix = Number(bits);
  const max = family === 6 ? 128 : 32;
  if (extra !== undefined || !family || bits === undefined || !/^\d+$/.test(bits) || prefix > max) {
    return [fieldInvalid(field, value, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)')];
  }
  return [];
}

const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

/** A metav1.LabelSelector: valid label keys and values, known operators, values only where they belong. */
export function validateLabelSelector(selector: LabelSelector, field: string): StatusCause[] {
  const causes = validateLabels(selector.matchLabels, `${field}.matchLabels`);
  (selector.matchExpressions ?? []).forEach((req, i) => {
    const p = `${field}.matchExpressions[${i}]`;
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) causes.push(fieldRequired(`${p}.values`, 'must be specified when `operator` is \'In\' or \'NotIn\''));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) causes.push(fieldForbidden(`${p}.values`, 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\''));
        break;
      default:
        causes.push(fieldNotSupported(`${p}.operator`, req.operator, SELECTOR_OPERATORS));
    }
    for (const e of isQualifiedName(req.key)) causes.push(fieldInvalid(`${p}.key`, req.key, e));
    values.forEach((v, j) => {
      for (const e of isValidLabelValue(v)) causes.push(fieldInvalid(`${p}.values[${j}]`, v, e));
    });
  });
  return causes;
}

/** Whether a selector matches a label set (matchLabels and matchExpressions, AND-ed). */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const req of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, req.key);
    const value = labels[req.key];
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
        if (!has || !values.includes(value!)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(value!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

export function isEmptySelector(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}
