/** core/v1 Event. */
import { z } from 'zod';
import { ObjectMeta } from '../meta/object-meta.js';
import { ObjectReference, Time, listOf, typeMeta } from './common.js';

export const EventSource = z.strictObject({
  component: z.string().optional().describe('Component reporting the event.'),
  host: z.string().optional().describe('Node name on which the event was generated.'),
});

export const EventSeries = z.strictObject({
  count: z.number().int().optional(),
  lastObservedTime: Time.optional(),
});

export const Event = z
  .strictObject({
    ...typeMeta('v1', 'Event'),
    metadata: ObjectMeta,
    involvedObject: ObjectReference.describe('The object this event is about.'),
    reason: z.string().optional().describe('Short machine-readable CamelCase reason.'),
    message: z.string().optional().describe('Human-readable description.'),
    source: EventSource.optional(),
    firstTimestamp: Time.nullable().optional().describe('When the event was first recorded.'),
    lastTimestamp: Time.nullable().optional().describe('When the most recent occurrence was recorded.'),
    count: z.number().int().optional().describe('How many times the event occurred.'),
    type: z.string().optional().describe('Normal or Warning.'),
    eventTime: Time.nullable().optional(),
    series: EventSeries.optional(),
    action: z.string().optional(),
    related: ObjectReference.optional(),
    reportingComponent: z.string().optional(),
    reportingInstance: z.string().optional(),
  })
  .describe('A report of something that happened in the cluster.');
export type Event = z.infer<typeof Event>;
export type EventInput = z.input<typeof Event>;
export const EventList = listOf('v1', 'Event', Event);
