import { mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeAtomic } from './atomic-writer.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tkube-test-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeAtomic', () => {
  it('writes files behind a ..data symlink and swaps it on update', async () => {
    const v = path.join(dir, 'vol');
    expect(await writeAtomic(v, new Map([['a.txt', { data: 'one', mode: 0o644 }], ['sub/b', { data: 'two', mode: 0o400 }]]))).toBe(true);
    expect(readFileSync(path.join(v, 'a.txt'), 'utf8')).toBe('one');
    expect(readFileSync(path.join(v, 'sub/b'), 'utf8')).toBe('two');
    expect(statSync(path.join(v, 'sub/b')).mode & 0o777).toBe(0o400);
    expect(readlinkSync(path.join(v, 'a.txt'))).toBe('..data/a.txt');
    const first = readlinkSync(path.join(v, '..data'));
    expect(await writeAtomic(v, new Map([['a.txt', { data: 'one', mode: 0o644 }], ['sub/b', { data: 'two', mode: 0o400 }]]))).toBe(false);
    expect(await writeAtomic(v, new Map([['a.txt', { data: 'changed', mode: 0o644 }]]))).toBe(true);
    expect(readFileSync(path.join(v, 'a.txt'), 'utf8')).toBe('changed');
    expect(readlinkSync(path.join(v, '..data'))).not.toBe(first);
    expect(existsSync(path.join(v, 'sub'))).toBe(false);
    expect(existsSync(path.join(v, first))).toBe(false);
  });

  it('rejects paths that escape the volume', async () => {
    await expect(writeAtomic(path.join(dir, 'bad'), new Map([['../x', { data: '', mode: 0o644 }]]))).rejects.toThrow(/invalid/);
  });
});
