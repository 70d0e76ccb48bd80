import { describe, expect, it } from 'vitest';
import type { KubeObject, OwnerReference } from '../../api/meta/object-meta.js';
import { pods, replicaSets } from '../../api/registry.js';
import { OwnerGraph, judgeDependent, nodeFromObject, pendingDeletionMode, rewriteOwnerRefs, type OwnerState } from './owner-graph.js';

const rsRef = (uid: string, block = true): OwnerReference => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `rs-${uid}`, uid, controller: true, blockOwnerDeletion: block });

function obj(uid: string, owners: OwnerReference[] = [], extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: `o-${uid}`, namespace: 'ns', uid, ownerReferences: owners, ...extra } };
}

describe('OwnerGraph', () => {
  it('finds dependents by owner uid, including for owners it has never seen', () => {
    const g = new OwnerGraph();
    g.upsert(nodeFromObject(replicaSets, obj('rs1'))!);
    g.upsert(nodeFromObject(pods, obj('p1', [rsRef('rs1')]))!);
    g.upsert(nodeFromObject(pods, obj('p2', [rsRef('rs1', false), rsRef('ghost')]))!);
    expect(g.dependents('rs1').map((n) => n.uid).sort()).toEqual(['p1', 'p2']);
    expect(g.dependents('ghost').map((n) => n.uid)).toEqual(['p2']);
    expect(g.blockingDependents('rs1').map((n) => n.uid)).toEqual(['p1']);
  });

  it('re-files a dependent whose owner references changed and forgets removed nodes', () => {
    const g = new OwnerGraph();
    g.upsert(nodeFromObject(pods, obj('p1', [rsRef('a')]))!);
    g.upsert(nodeFromObject(pods, obj('p1', [rsRef('b')]))!);
    expect(g.dependents('a')).toEqual([]);
    expect(g.dependents('b').map((n) => n.uid)).toEqual(['p1']);
    expect(g.remove('p1')?.uid).toBe('p1');
    expect(g.dependents('b')).toEqual([]);
    expect(g.size).toBe(0);
  });

  it('skips objects without uid or name', () => {
    expect(nodeFromObject(pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } })).toBeUndefined();
  });
});

describe('pendingDeletionMode', () => {
  it('reads orphan and foreground finalizers only once deletion began', () => {
    const node = (finalizers: string[], deleting: boolean) => nodeFromObject(pods, obj('x', [], { finalizers, deletionTimestamp: deleting ? '2026-01-01T00:00:00Z' : undefined }))!;
    expect(pendingDeletionMode(node(['orphan'], true))).toBe('orphan');
    expect(pendingDeletionMode(node(['foregroundDeletion'], true))).toBe('foreground');
    expect(pendingDeletionMode(node(['foregroundDeletion'], false))).toBeUndefined();
    expect(pendingDeletionMode(node(['example.com/x'], true))).toBeUndefined();
  });
});

describe('judgeDependent', () => {
  const states = (entries: [string, OwnerState][]) => new Map(entries);

  it('deletes in the background when every owner is gone', () => {
    expect(judgeDependent(states([['a', 'dangling'], ['b', 'dangling']]), false)).toEqual({ action: 'delete', propagation: 'Background' });
  });

  it('deletes in the foreground when an owner waits and the dependent has dependents of its own', () => {
    expect(judgeDependent(states([['a', 'waitingForDependents']]), true)).toEqual({ action: 'delete', propagation: 'Foreground' });
    expect(judgeDependent(states([['a', 'waitingForDependents']]), false)).toEqual({ action: 'delete', propagation: 'Background' });
  });

  it('keeps a dependent with a standing owner but drops the dangling and unblocks the waiting references', () => {
    expect(judgeDependent(states([['a', 'solid'], ['b', 'dangling'], ['c', 'waitingForDependents']]), false)).toEqual({
      action: 'removeRefs',
      danglingUids: ['b'],
      unblockUids: ['c'],
    });
    expect(judgeDependent(states([['a', 'solid']]), false)).toEqual({ action: 'keep' });
  });

  it('never deletes because of a reference to an unserved kind', () => {
    expect(judgeDependent(states([['a', 'unresolvable']]), false)).toEqual({ action: 'keep' });
    expect(judgeDependent(states([['a', 'unresolvable'], ['b', 'dangling']]), false).action).toBe('removeRefs');
  });
});

describe('rewriteOwnerRefs', () => {
  it('drops and unblocks by uid, leaving the others untouched', () => {
    const refs = [rsRef('a'), rsRef('b'), rsRef('c')];
    const out = rewriteOwnerRefs(refs, ['a'], ['b']);
    expect(out.map((r) => r.uid)).toEqual(['b', 'c']);
    expect(out[0]!.blockOwnerDeletion).toBe(false);
    expect(out[1]).toBe(refs[2]);
  });
});
