import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cgroupDirs, detectCgroupVersion, oomKillCount } from './cgroups.js';

let root = '';
afterEach(async () => {
  if (root) await fs.rm(root, { recursive: true, force: true });
});

describe('cgroups', () => {
  it('detects v2 by cgroup.controllers and reads memory.events', async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'tkube-test-cg-'));
    await fs.writeFile(path.join(root, 'cgroup.controllers'), 'cpu memory');
    await fs.mkdir(path.join(root, 'tk/pod/c'), { recursive: true });
    await fs.writeFile(path.join(root, 'tk/pod/c/memory.events'), 'low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n');
    expect(detectCgroupVersion(root)).toBe(2);
    expect(cgroupDirs('/tk/pod/c', 2, root)).toEqual([path.join(root, 'tk/pod/c')]);
    expect(await oomKillCount('/tk/pod/c', 2, root)).toBe(1);
    expect(await oomKillCount('/tk/missing', 2, root)).toBe(0);
  });
  it('v1: one directory per hierarchy and oom_kill from memory.oom_control', async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'tkube-test-cg-'));
    for (const c of ['cpu', 'memory', 'pids']) await fs.mkdir(path.join(root, c));
    await fs.mkdir(path.join(root, 'memory/tk/c'), { recursive: true });
    await fs.writeFile(path.join(root, 'memory/tk/c/memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n');
    expect(detectCgroupVersion(root)).toBe(1);
    expect(cgroupDirs('/tk/c', 1, root).sort()).toEqual(['cpu', 'memory', 'pids'].map((c) => path.join(root, c, 'tk/c')));
    expect(await oomKillCount('/tk/c', 1, root)).toBe(2);
  });
});
