/**
 * Events: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE; wide SUBOBJECT, SOURCE, FIRST SEEN,
 * COUNT, NAME (columns interleaved as kubectl shows them). Reads core/v1 Events and
 * events.k8s.io/v1 Events alike: the latter are mapped onto the core field names first.
 */
import type { KubeObject, ObjectMeta } from '../../api/meta/object-meta.js';
import { timestampSince } from './duration.js';
import { int } from './format.js';
import { column, type TablePrinter } from './printer.js';

interface ObjectReferenceLike {
  kind?: string;
  name?: string;
  fieldPath?: string;
}

interface SeriesLike {
  count?: number;
  lastObservedTime?: string | null;
}

/** The fields of a core/v1 Event the printer reads. */
interface CoreEventLike {
  metadata: ObjectMeta;
  involvedObject?: ObjectReferenceLike | null;
  reason?: string;
  message?: string;
  type?: string;
  source?: { component?: string; host?: string } | null;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  count?: number;
  series?: SeriesLike | null;
  reportingComponent?: string;
  reportingInstance?: string;
}

interface EventsV1Like {
  metadata: ObjectMeta;
  regarding?: ObjectReferenceLike | null;
  note?: string;
  reason?: string;
  type?: string;
  eventTime?: string | null;
  series?: SeriesLike | null;
  reportingController?: string;
  reportingInstance?: string;
  deprecatedSource?: { component?: string; host?: string } | null;
  deprecatedFirstTimestamp?: string | null;
  deprecatedLastTimestamp?: string | null;
  deprecatedCount?: number;
}

/** events.k8s.io/v1 names several fields differently; Kubernetes converts them the same way. */
function fromEventsV1(e: EventsV1Like): CoreEventLike {
  return {
    metadata: e.metadata,
    involvedObject: e.regarding,
    message: e.note,
    reason: e.reason,
    type: e.type,
    eventTime: e.eventTime,
    series: e.series,
    reportingComponent: e.reportingController,
    reportingInstance: e.reportingInstance,
    source: e.deprecatedSource,
    firstTimestamp: e.deprecatedFirstTimestamp,
    lastTimestamp: e.deprecatedLastTimestamp,
    count: e.deprecatedCount,
  };
}

/** "component, host", falling back to the reporting controller and instance. */
function eventSource(e: CoreEventLike): string {
  const component = e.source?.component || e.reportingComponent || '';
  const instance = e.source?.host || e.reportingInstance || '';
  return instance ? `${component}, ${instance}` : component;
}

function eventPrinter(normalize: (obj: KubeObject) => CoreEventLike): TablePrinter {
  return {
    columns: [
      column('Last Seen', 'string', 'Time since the event was last observed.'),
      column('Type', 'string', 'Type of the event: Normal or Warning.'),
      column('Reason', 'string', 'Short machine-readable reason for the event.'),
      column('Object', 'string', 'The object the event is about, as kind/name.'),
      column('Subobject', 'string', 'The part of the object the event is about (fieldPath).', { priority: 1 }),
      column('Source', 'string', 'The component (and host) that reported the event.', { priority: 1 }),
      column('Message', 'string', 'Human-readable description of the event.'),
      column('First Seen', 'string', 'Time since the event was first observed.', { priority: 1 }),
      column('Count', 'string', 'Number of times the event occurred.', { priority: 1 }),
      column('Name', 'string', 'Name of the event object.', { priority: 1, format: 'name' }),
    ],
    print(obj: KubeObject, { now }) {
      const e = normalize(obj);
      const firstSeen = e.firstTimestamp ? timestampSince(e.firstTimestamp, now) : timestampSince(e.eventTime, now);
      let lastSeen = e.lastTimestamp ? timestampSince(e.lastTimestamp, now) : firstSeen;
      let count = int(e.count);
      if (e.series) {
        lastSeen = timestampSince(e.series.lastObservedTime, now);
        count = int(e.series.count);
      } else if (count === 0) {
        // Events created through events.k8s.io carry no count when they happened once.
        count = 1;
      }
      const kind = (e.involvedObject?.kind ?? '').toLowerCase();
      const target = e.involvedObject?.name ? `${kind}/${e.involvedObject.name}` : kind;
      return {
        cells: [
          lastSeen,
          e.type ?? '',
          e.reason ?? '',
          target,
          e.involvedObject?.fieldPath ?? '',
          eventSource(e),
          (e.message ?? '').trim(),
          firstSeen,
          count,
          e.metadata.name ?? '',
        ],
      };
    },
  };
}

export const coreEventPrinter: TablePrinter = eventPrinter((obj) => obj as CoreEventLike);
export const eventsV1Printer: TablePrinter = eventPrinter((obj) => fromEventsV1(obj as EventsV1Like));
