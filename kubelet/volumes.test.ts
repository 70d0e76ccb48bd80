import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Pod } from '../api/types/pod.js';
import { EnvConfigError } from './env.js';
import { VolumeManager } from './volumes.js';

const root = mkdtempSync(path.join(tmpdir(), 'tkube-test-volumes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const vm = new VolumeManager({
  rootDir: path.join(root, 'kubelet'),
  objects: {
    configMap: async (_ns, name) => (name === 'cm' ? { a: 'A', b: 'B' } : undefined),
    secret: async (_ns, name) => (name === 's' ? { token: 'T' } : undefined),
  },
  allocatable: { cpuCores: 2, memoryBytes: 2 ** 30 },
  fields: () => ({ podIP: '10.0.0.1' }),
});

function pod(volumes: unknown[], mounts: unknown[]): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns', uid: `uid-${Math.random().toString(16).slice(2)}`, labels: { x: 'y' } },
    spec: { volumes, containers: [{ name: 'c', volumeMounts: mounts }] },
  } as unknown as Pod;
}

describe('VolumeManager', () => {
  it('projects configMap, secret and downward API sources into one directory', async () => {
    const p = pod([{ name: 'all', projected: { defaultMode: 0o440, sources: [
      { configMap: { name: 'cm', items: [{ key: 'a', path: 'cm/a' }] } },
      { secret: { name: 's' } },
      { downwardAPI: { items: [{ path: 'ip', fieldRef: { fieldPath: 'status.podIP' } }, { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
    ] } }], [{ name: 'all', mountPath: '/all' }]);
    const [m] = await vm.mountsFor(p, p.spec.containers[0]!);
    expect(m).toMatchObject({ container_path: '/all', readonly: true });
    expect(readFileSync(path.join(m!.host_path, 'cm/a'), 'utf8')).toBe('A');
    expect(readFileSync(path.join(m!.host_path, 'token'), 'utf8')).toBe('T');
    expect(readFileSync(path.join(m!.host_path, 'ip'), 'utf8')).toBe('10.0.0.1');
    expect(readFileSync(path.join(m!.host_path, 'labels'), 'utf8')).toBe('x="y"');
    await vm.teardown(p);
    expect(existsSync(vm.podDir(p))).toBe(false);
  });

  it('applies hostPath type checks and creates what *OrCreate asks for', async () => {
    const dir = path.join(root, 'host', 'made');
    const file = path.join(root, 'host', 'file.txt');
    const p = pod([{ name: 'd', hostPath: { path: dir, type: 'DirectoryOrCreate' } }, { name: 'f', hostPath: { path: file, type: 'FileOrCreate' } }],
      [{ name: 'd', mountPath: '/d' }, { name: 'f', mountPath: '/f', readOnly: true }]);
    const mounts = await vm.mountsFor(p, p.spec.containers[0]!);
    expect(mounts.map((x) => [x.host_path, x.readonly])).toEqual([[dir, false], [file, true]]);
    expect(existsSync(dir) && existsSync(file)).toBe(true);
    writeFileSync(path.join(root, 'plain'), '');
    const bad = pod([{ name: 'x', hostPath: { path: path.join(root, 'plain'), type: 'Directory' } }], [{ name: 'x', mountPath: '/x' }]);
    await expect(vm.mountsFor(bad, bad.spec.containers[0]!)).rejects.toBeInstanceOf(EnvConfigError);
  });

  it('fails for a missing ConfigMap unless optional, and for a missing key in items', async () => {
    const missing = pod([{ name: 'v', configMap: { name: 'gone' } }], [{ name: 'v', mountPath: '/v' }]);
    await expect(vm.mountsFor(missing, missing.spec.containers[0]!)).rejects.toThrow(/configmap "gone" not found/);
    const optional = pod([{ name: 'v', configMap: { name: 'gone', optional: true } }], [{ name: 'v', mountPath: '/v' }]);
    await expect(vm.mountsFor(optional, optional.spec.containers[0]!)).resolves.toHaveLength(1);
    const badKey = pod([{ name: 'v', configMap: { name: 'cm', items: [{ key: 'zz', path: 'z' }] } }], [{ name: 'v', mountPath: '/v' }]);
    await expect(vm.mountsFor(badKey, badKey.spec.containers[0]!)).rejects.toThrow(/"zz" not found/);
  });
});
