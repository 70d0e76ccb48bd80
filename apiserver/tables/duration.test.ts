import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE, SECOND, humanDuration, timestampSince } from './duration.js';

describe('humanDuration', () => {
  it.each([
    [0, '0s'],
    [999, '0s'],
    [-1500, '0s'], // within the tolerated clock skew
    [-2000, '<invalid>'],
    [5 * SECOND, '5s'],
    [119 * SECOND, '119s'],
    [2 * MINUTE, '2m'],
    [2 * MINUTE + 30 * SECOND, '2m30s'],
    [9 * MINUTE + 59 * SECOND, '9m59s'],
    [10 * MINUTE + 30 * SECOND, '10m'],
    [179 * MINUTE, '179m'],
    [3 * HOUR, '3h'],
    [3 * HOUR + 15 * MINUTE, '3h15m'],
    [7 * HOUR + 59 * MINUTE, '7h59m'],
    [8 * HOUR + 30 * MINUTE, '8h'],
    [47 * HOUR, '47h'],
    [2 * DAY, '2d'],
    [3 * DAY + 4 * HOUR, '3d4h'],
    [7 * DAY + 23 * HOUR, '7d23h'],
    [8 * DAY + 5 * HOUR, '8d'],
    [729 * DAY, '729d'],
    [730 * DAY, '2y'],
    [730 * DAY + 45 * DAY, '2y45d'],
    [8 * 365 * DAY + 100 * DAY, '8y'],
  ])('%d ms -> %s', (ms, expected) => {
    expect(humanDuration(ms)).toBe(expected);
  });
});

describe('timestampSince', () => {
  const now = new Date('2026-01-10T12:00:00Z');
  it('prints the age of a timestamp', () => {
    expect(timestampSince('2026-01-10T11:55:00Z', now)).toBe('5m');
  });
  it('reads a missing or unparsable timestamp as <unknown>', () => {
    expect(timestampSince(undefined, now)).toBe('<unknown>');
    expect(timestampSince(null, now)).toBe('<unknown>');
    expect(timestampSince('', now)).toBe('<unknown>');
    expect(timestampSince('yesterday-ish', now)).toBe('<unknown>');
  });
  it('reads a timestamp well in the future as <invalid>', () => {
    expect(timestampSince('2026-01-10T12:01:00Z', now)).toBe('<invalid>');
  });
});
