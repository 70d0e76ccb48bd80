import { describe, expect, it } from 'vitest';
import { resolveArgs, resolveEnv } from './process-args.js';

describe('resolveArgs', () => {
  const image = { entrypoint: ['/ep'], cmd: ['a', 'b'] };
  it('uses entrypoint and cmd of the image when the pod gives neither', () => {
    expect(resolveArgs([], [], image)).toEqual(['/ep', 'a', 'b']);
  });
  it('command replaces entrypoint and drops cmd', () => {
    expect(resolveArgs(['/bin/sh'], [], image)).toEqual(['/bin/sh']);
  });
  it('args replace cmd only', () => {
    expect(resolveArgs([], ['x'], image)).toEqual(['/ep', 'x']);
  });
  it('command and args together', () => {
    expect(resolveArgs(['/c'], ['y'], image)).toEqual(['/c', 'y']);
  });
});

describe('resolveEnv', () => {
  it('lets pod env override the image env and keeps a PATH', () => {
    const env = resolveEnv({ env: ['A=1', 'B=2'] }, [{ key: 'B', value: 'pod' }, { key: 'C', value: 'x=y' }], 'h');
    expect(env).toContain('A=1');
    expect(env).toContain('B=pod');
    expect(env).toContain('C=x=y');
    expect(env).toContain('HOSTNAME=h');
    expect(env.some((e) => e.startsWith('PATH=/usr/local/sbin'))).toBe(true);
  });
});
