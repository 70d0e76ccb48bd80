import { describe, expect, it } from 'vitest';
import { buildNodeStatus, goArch, imagesForStatus, newNodeObject, parseLabels, parseTaints, type MachineReadings } from './node-info.js';

const machine: MachineReadings = {
  cpus: 4, memoryBytes: 8 * 2 ** 30, memAvailableBytes: 4 * 2 ** 30, diskBytes: 100 * 2 ** 30, diskAvailableBytes: 50 * 2 ** 30,
  pidsMax: 4_000_000, pidsInUse: 300, kernelVersion: '6.1.0', osImage: 'Debian GNU/Linux 12 (bookworm)', machineID: 'm', bootID: 'b', architecture: 'amd64',
};

describe('node info', () => {
  it('builds capacity, conditions, addresses and nodeInfo', () => {
    const s = buildNodeStatus({ machine, nodeIP: '10.1.2.3', hostname: 'h1', port: 10250, runtimeVersion: 'tkube://0.1.0', runtimeReady: true, images: [], now: '2026-01-01T00:00:00Z' });
    expect(s.capacity).toMatchObject({ cpu: '4', memory: `${8 * 2 ** 20}Ki`, pods: '110' });
    expect(Object.fromEntries(s.conditions!.map((c) => [c.type, c.status]))).toEqual({ MemoryPressure: 'False', DiskPressure: 'False', PIDPressure: 'False', Ready: 'True' });
    expect(s.addresses).toEqual([{ type: 'InternalIP', address: '10.1.2.3' }, { type: 'Hostname', address: 'h1' }]);
    expect(s.nodeInfo).toMatchObject({ kubeletVersion: 'v1.32.0-tkube', containerRuntimeVersion: 'tkube://0.1.0', operatingSystem: 'linux', architecture: 'amd64' });
    expect(s.daemonEndpoints?.kubeletEndpoint?.Port).toBe(10250);
  });

  it('reports pressure and a not-ready runtime truthfully', () => {
    const s = buildNodeStatus({
      machine: { ...machine, memAvailableBytes: 10 * 2 ** 20, diskAvailableBytes: 2 ** 30 },
      nodeIP: '10.1.2.3', hostname: 'h1', port: 10250, runtimeVersion: 'x', runtimeReady: false, runtimeMessage: 'NetworkReady=false', images: [], now: 'n',
    });
    const c = Object.fromEntries(s.conditions!.map((x) => [x.type, x]));
    expect(c.MemoryPressure?.status).toBe('True');
    expect(c.DiskPressure?.status).toBe('True');
    expect(c.Ready).toMatchObject({ status: 'False', reason: 'KubeletNotReady', message: 'NetworkReady=false' });
  });

  it('lists images biggest first with digests and tags', () => {
    const img = (id: string, size: number, tags: string[]) => ({ id, size, repo_tags: tags, repo_digests: [], uid: null, username: '', spec: null, pinned: false });
    expect(imagesForStatus([img('a', 10, ['a:1']), img('b', 20, ['b:1']), img('c', 5, [])])).toEqual([
      { names: ['b:1'], sizeBytes: 20 }, { names: ['a:1'], sizeBytes: 10 },
    ]);
  });

  it('parses --node-labels and --register-with-taints and labels the node', () => {
    expect(parseLabels('a=b,c.io/d=')).toEqual({ a: 'b', 'c.io/d': '' });
    expect(() => parseLabels('nope')).toThrow();
    expect(parseTaints('k=v:NoSchedule,only:NoExecute')).toEqual([{ key: 'k', value: 'v', effect: 'NoSchedule' }, { key: 'only', effect: 'NoExecute' }]);
    expect(() => parseTaints('k=v:Bad')).toThrow();
    const n = newNodeObject({ nodeName: 'n1', labels: { x: 'y' }, taints: parseTaints('t:NoSchedule') }, { nodeInfo: { architecture: goArch('arm64') } } as never);
    expect(n.metadata.labels).toMatchObject({ 'kubernetes.io/hostname': 'n1', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'arm64', x: 'y' });
    expect(n.spec.taints).toEqual([{ key: 't', effect: 'NoSchedule' }]);
  });
});
