/** Semantic validation of core/v1 Events. */
import type { StatusCause } from '../meta/errors.js';
import { fieldInvalid, fieldRequired, validateNonNegative } from '../meta/validation.js';
import type { Event } from './event.js';

const NOTE_MAX_BYTES = 1024;

export function validateEvent(ev: Event): StatusCause[] {
  const causes: StatusCause[] = [];
  const ns = ev.metadata.namespace ?? '';
  const involvedNs = ev.involvedObject.namespace ?? '';
  // An event lives in the namespace of the object it is about (or "default" for cluster-scoped objects).
  if (involvedNs && involvedNs !== ns) {
    causes.push(fieldInvalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
  }
  if (ev.eventTime) {
    if (!ev.reportingComponent) causes.push(fieldRequired('reportingComponent'));
    if (!ev.reportingInstance) causes.push(fieldRequired('reportingInstance'));
    if (!ev.action) causes.push(fieldRequired('action'));
  }
  causes.push(...validateNonNegative('count', ev.count));
  if (ev.reason && ev.reason.length > 128) causes.push(fieldInvalid('reason', ev.reason, 'can have at most 128 characters'));
  if (ev.eventTime && ev.message && Buffer.byteLength(ev.message) > NOTE_MAX_BYTES) {
    causes.push(fieldInvalid('message', '', `can have at most ${NOTE_MAX_BYTES} characters`));
  }
  return causes;
}
