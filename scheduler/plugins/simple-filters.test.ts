import { describe, expect, it } from 'vitest';
import { makeNode, makePod } from '../test-objects.js';
import { nodeName } from './node-name.js';
import { nodePorts } from './node-ports.js';
import { nodeUnschedulable } from './node-unschedulable.js';
import { runFilter } from './plugin-test-helpers.js';

describe('NodeUnschedulable', () => {
  const nodes = [makeNode('a'), makeNode('b', { unschedulable: true })];
  it.each([
    ['a plain pod avoids cordoned nodes', makePod('p'), { a: '', b: 'node(s) were unschedulable' }],
    [
      'a pod tolerating the unschedulable taint may go there',
      makePod('p', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] }),
      { a: '', b: '' },
    ],
    ['a toleration of everything also works', makePod('p', { tolerations: [{ operator: 'Exists' }] }), { a: '', b: '' }],
  ])('%s', (_name, pod, want) => {
    expect(runFilter(nodeUnschedulable, pod, nodes)).toEqual(want);
  });
});

describe('NodeName', () => {
  const nodes = [makeNode('a'), makeNode('b')];
  it.each([
    ['no nodeName: skipped', makePod('p'), 'skip'],
    ['nodeName b fits only b', makePod('p', { nodeName: 'b' }), { a: "node(s) didn't match the requested node name", b: '' }],
    ['unknown node fits nowhere', makePod('p', { nodeName: 'z' }), { a: "node(s) didn't match the requested node name", b: "node(s) didn't match the requested node name" }],
  ])('%s', (_name, pod, want) => {
    expect(runFilter(nodeName, pod, nodes)).toEqual(want);
  });
});

describe('NodePorts', () => {
  const nodes = [makeNode('a'), makeNode('b')];
  const onA = makePod('x', { nodeName: 'a', hostPort: 8080 });
  const fail = "node(s) didn't have free ports for the requested pod ports";
  it.each([
    ['no host ports: skipped', makePod('p'), 'skip'],
    ['the same port clashes on a', makePod('p', { hostPort: 8080 }), { a: fail, b: '' }],
    ['another port fits anywhere', makePod('p', { hostPort: 8081 }), { a: '', b: '' }],
  ])('%s', (_name, pod, want) => {
    expect(runFilter(nodePorts, pod, nodes, [onA])).toEqual(want);
  });

  it('distinguishes protocols and host IPs', () => {
    const udp = makePod('p', { hostPort: 8080 });
    udp.spec.containers[0]!.ports![0]!.protocol = 'UDP';
    expect(runFilter(nodePorts, udp, nodes, [onA])).toEqual({ a: '', b: '' });
    const ipA = makePod('y', { nodeName: 'b', hostPort: 9000 });
    ipA.spec.containers[0]!.ports![0]!.hostIP = '10.0.0.1';
    const ipB = makePod('p', { hostPort: 9000 });
    ipB.spec.containers[0]!.ports![0]!.hostIP = '10.0.0.2';
    expect(runFilter(nodePorts, ipB, nodes, [ipA])).toEqual({ a: '', b: '' });
    // 0.0.0.0 clashes with every IP.
    expect(runFilter(nodePorts, makePod('p', { hostPort: 9000 }), nodes, [ipA])).toEqual({ a: '', b: fail });
  });
});
