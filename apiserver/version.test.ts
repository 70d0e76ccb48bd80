import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gitCommitOf, platformString, versionInfo, versionResponse } from './version.js';

describe('version', () => {
  it('claims Kubernetes 1.32 with a tkube build suffix', () => {
    const v = versionInfo();
    expect(v.major).toBe('1');
    expect(v.minor).toBe('32');
    expect(v.gitVersion).toBe('v1.32.0-tkube');
    expect(v.buildDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(v.platform).toBe(platformString());
    expect(Object.keys(v).sort()).toEqual(
      ['buildDate', 'compiler', 'gitCommit', 'gitTreeState', 'gitVersion', 'goVersion', 'major', 'minor', 'platform'].sort(),
    );
    expect(JSON.parse(versionResponse().body)).toEqual(v);
  });

  it('names platforms the Go way', () => {
    expect(platformString('linux', 'x64')).toBe('linux/amd64');
    expect(platformString('linux', 'arm64')).toBe('linux/arm64');
  });

  it('reads the commit from a checkout, loose or packed ref', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tkube-version-'));
    try {
      mkdirSync(join(dir, '.git', 'refs', 'heads'), { recursive: true });
      mkdirSync(join(dir, 'a', 'b'), { recursive: true });
      writeFileSync(join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
      writeFileSync(join(dir, '.git', 'packed-refs'), '# pack-refs\ncafe1234 refs/heads/main\n');
      expect(gitCommitOf(join(dir, 'a', 'b'))).toBe('cafe1234');
      writeFileSync(join(dir, '.git', 'refs', 'heads', 'main'), 'beef5678\n');
      expect(gitCommitOf(join(dir, 'a'))).toBe('beef5678');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
