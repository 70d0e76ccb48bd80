import { describe, expect, it } from 'vitest';
import { parseCriLine, renderLog } from './cri-log.js';

const LOG = [
  '2026-01-01T00:00:01.000000001Z stdout F one',
  '2026-01-01T00:00:02.000000000Z stderr P tw',
  '2026-01-01T00:00:02.100000000Z stderr F o',
  '2026-01-01T00:00:03.000000000Z stdout F three',
  '2026-01-01T00:00:04.000000000Z stdout F ',
  '',
].join('\n');

describe('CRI log files', () => {
  it('parses the prefix', () => {
    expect(parseCriLine('2026-01-01T00:00:01Z stderr P abc def')).toEqual({ time: '2026-01-01T00:00:01Z', stream: 'stderr', full: false, text: 'abc def' });
    expect(parseCriLine('garbage')).toBeUndefined();
  });

  it('renders lines with partials joined, timestamps, tail and since', () => {
    expect(renderLog(LOG, {})).toBe('one\ntwo\nthree\n\n');
    expect(renderLog(LOG, { tailLines: 2 })).toBe('three\n\n');
    expect(renderLog(LOG, { tailLines: 3 })).toBe('two\nthree\n\n');
    expect(renderLog(LOG, { tailLines: 0 })).toBe('');
    expect(renderLog(LOG, { timestamps: true, tailLines: 1 })).toBe('2026-01-01T00:00:04.000000000Z \n');
    expect(renderLog(LOG, { sinceMs: Date.parse('2026-01-01T00:00:03Z') })).toBe('three\n\n');
    expect(renderLog(LOG, { limitBytes: 5 })).toBe('one\nt');
  });
});
