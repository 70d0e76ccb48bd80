import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildLayer, type LayerEntry } from '../../deploy/images/oci-layout.js';
import { sanitizeEntryName, unpackLayer, UnsafeLayerError } from './layer-unpack.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tkube-unpack-test-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function unpack(entries: LayerEntry[], name: string, gzip = true): Promise<{ path: string; diffId: string; expected: string }> {
  const layer = await buildLayer(entries, gzip);
  const blob = join(dir, `${name}.blob`);
  writeFileSync(blob, layer.blob);
  const path = join(dir, name);
  const { diffId } = await unpackLayer(blob, path);
  return { path, diffId, expected: layer.diffId };
}

describe('sanitizeEntryName', () => {
  it('normalizes and rejects escapes', () => {
    expect(sanitizeEntryName('./bin/sh')).toBe('bin/sh');
    expect(sanitizeEntryName('/etc//passwd')).toBe('etc/passwd');
    expect(sanitizeEntryName('./')).toBe('');
    expect(() => sanitizeEntryName('a/../../b')).toThrow(UnsafeLayerError);
  });
});

describe('unpackLayer', () => {
  it('preserves files, modes, owners, symlinks and hardlinks, skips devices, computes the diffID', async () => {
    for (const gzip of [true, false]) {
      const { path, diffId, expected } = await unpack(
        [
          { name: 'bin/', type: 'directory', mode: 0o755 },
          { name: 'bin/busybox', content: 'BB', mode: 0o755 },
          { name: 'bin/sh', type: 'symlink', linkname: 'busybox' },
          { name: 'bin/ls', type: 'link', linkname: 'bin/busybox' },
          { name: 'usr/bin/su', content: 'su', mode: 0o4755, uid: 0, gid: 0 },
          { name: 'home/u/file', content: 'x', mode: 0o600, uid: 1000, gid: 1001, mtime: new Date(1_000_000_000_000) },
          { name: 'home/u/', type: 'directory', mode: 0o700, uid: 1000, gid: 1001 },
          { name: 'dev/null', type: 'character-device' },
          { name: 'run/fifo', type: 'fifo' },
          { name: 'ro/', type: 'directory', mode: 0o555 },
          { name: 'ro/inside', content: 'in' },
        ],
        `l-${gzip}`,
        gzip,
      );
      expect(diffId).toBe(expected);
      expect(readFileSync(join(path, 'bin/busybox'), 'utf8')).toBe('BB');
      expect(statSync(join(path, 'bin/busybox')).mode & 0o7777).toBe(0o755);
      expect(readlinkSync(join(path, 'bin/sh'))).toBe('busybox');
      expect(statSync(join(path, 'bin/ls')).ino).toBe(statSync(join(path, 'bin/busybox')).ino);
      expect(statSync(join(path, 'usr/bin/su')).mode & 0o7777).toBe(0o4755);
      const f = statSync(join(path, 'home/u/file'));
      expect([f.uid, f.gid, f.mode & 0o7777, f.mtimeMs]).toEqual([1000, 1001, 0o600, 1_000_000_000_000]);
      const d = statSync(join(path, 'home/u'));
      expect([d.uid, d.gid, d.mode & 0o7777]).toEqual([1000, 1001, 0o700]);
      expect(statSync(join(path, 'ro')).mode & 0o7777).toBe(0o555);
      expect(readFileSync(join(path, 'ro/inside'), 'utf8')).toBe('in');
      expect(existsSync(join(path, 'dev/null'))).toBe(false);
      expect(existsSync(join(path, 'run/fifo'))).toBe(false);
    }
  });

  it('refuses entries that escape the layer', async () => {
    await expect(unpack([{ name: '../escape', content: 'x' }], 'esc1')).rejects.toThrow(UnsafeLayerError);
    await expect(
      unpack(
        [
          { name: 'link', type: 'symlink', linkname: dir },
          { name: 'link/planted', content: 'x' },
        ],
        'esc2',
      ),
    ).rejects.toThrow(UnsafeLayerError);
    expect(existsSync(join(dir, 'planted'))).toBe(false);
  });

  it('writes overlay whiteouts and opaque dirs that overlayfs honours', async () => {
    const lower = await unpack(
      [
        { name: 'etc/keep', content: 'keep' },
        { name: 'etc/gone', content: 'gone' },
        { name: 'data/old1', content: '1' },
        { name: 'data/sub/old2', content: '2' },
      ],
      'lower',
    );
    const upper = await unpack(
      [
        { name: 'etc/.wh.gone', content: '' },
        { name: 'data/', type: 'directory', mode: 0o750 },
        { name: 'data/.wh..wh..opq', content: '' },
        { name: 'data/new', content: 'new' },
      ],
      'upper',
    );
    // The whiteout is a 0:0 character device, as overlayfs expects.
    const wh = lstatSync(join(upper.path, 'etc/gone'));
    expect(wh.isCharacterDevice()).toBe(true);
    expect(wh.rdev).toBe(0);
    expect(existsSync(join(upper.path, 'etc/.wh.gone'))).toBe(false);
    expect(existsSync(join(upper.path, 'data/.wh..wh..opq'))).toBe(false);
    expect(statSync(join(upper.path, 'data')).mode & 0o7777).toBe(0o750);

    const merged = join(dir, 'merged');
    execFileSync('mkdir', [merged]);
    execFileSync('mount', ['-t', 'overlay', 'tkube-test-overlay', '-o', `lowerdir=${upper.path}:${lower.path}`, merged]);
    try {
      expect(readdirSync(join(merged, 'etc')).sort()).toEqual(['keep']);
      expect(readdirSync(join(merged, 'data')).sort()).toEqual(['new']);
      expect(readFileSync(join(merged, 'data/new'), 'utf8')).toBe('new');
    } finally {
      execFileSync('umount', [merged]);
    }
  });

  it('rejects corrupt compressed data', async () => {
    const layer = await buildLayer([{ name: 'a', content: 'a'.repeat(10000) }], true);
    const broken = Buffer.from(layer.blob);
    broken.fill(0x41, 20, 40);
    const blob = join(dir, 'broken.blob');
    writeFileSync(blob, broken);
    await expect(unpackLayer(blob, join(dir, 'broken'))).rejects.toThrow();
  });
});
