import { describe, expect, it } from 'vitest';
import { exitStatus, frame, STDERR } from './channel-protocol.js';

describe('channel protocol', () => {
  it('prefixes the channel byte', () => {
    expect([...frame(STDERR, 'hi')]).toEqual([2, 104, 105]);
  });
  it('reports a non-zero exit code the way kubectl parses it', () => {
    const s = JSON.parse(exitStatus(3)) as { status: string; reason: string; details: { causes: { reason: string; message: string }[] } };
    expect(s.status).toBe('Failure');
    expect(s.reason).toBe('NonZeroExitCode');
    expect(s.details.causes[0]).toEqual({ reason: 'ExitCode', message: '3' });
    expect(JSON.parse(exitStatus(0))).toEqual({ metadata: {}, status: 'Success' });
  });
});
