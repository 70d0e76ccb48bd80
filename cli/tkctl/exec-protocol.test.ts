import { describe, expect, it } from 'vitest';
import { frame, outcomeOfStatus, resizeFrame } from './exec-protocol.js';

describe('remote command protocol', () => {
  it('prefixes frames with their channel', () => {
    expect([...frame(0, 'hi')]).toEqual([0, 104, 105]);
    expect(resizeFrame(80, 24).toString('utf8', 1)).toBe('{"Width":80,"Height":24}');
    expect(resizeFrame(80, 24)[0]).toBe(4);
  });

  it('reads the exit code from the error channel Status', () => {
    expect(outcomeOfStatus('{"metadata":{},"status":"Success"}')).toEqual({ exitCode: 0 });
    expect(
      outcomeOfStatus(
        JSON.stringify({ status: 'Failure', reason: 'NonZeroExitCode', message: 'command terminated with non-zero exit code', details: { causes: [{ reason: 'ExitCode', message: '3' }] } }),
      ),
    ).toEqual({ exitCode: 3 });
    expect(outcomeOfStatus(JSON.stringify({ status: 'Failure', message: 'container not found ("x")' }))).toEqual({ exitCode: 1, error: 'container not found ("x")' });
  });
});
