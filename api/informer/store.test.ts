import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../meta/object-meta.js';
import { byControllerUid, byNodeName } from './indexers.js';
import { DeletedFinalStateUnknown, Indexer, diffForReplace } from './store.js';

const pod = (ns: string, name: string, rv: string, node = '', owner?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    namespace: ns,
    name,
    resourceVersion: rv,
    uid: `${ns}-${name}`,
    ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: owner, controller: true }] } : {}),
  },
  spec: { nodeName: node },
});

const names = (objs: KubeObject[]) => objs.map((o) => o.metadata.name).sort();

describe('Indexer', () => {
  it('gets by key and lists by namespace', () => {
    const s = new Indexer();
    s.upsert(pod('a', 'p1', '1'));
    s.upsert(pod('a', 'p2', '1'));
    s.upsert(pod('b', 'p1', '1'));
    expect(s.get('a/p1')?.metadata.namespace).toBe('a');
    expect(s.getByName('b', 'p1')?.metadata.namespace).toBe('b');
    expect(names(s.byIndex('namespace', 'a'))).toEqual(['p1', 'p2']);
    expect(s.size).toBe(3);
  });

  it('keeps custom indexes right across updates and deletes', () => {
    const s = new Indexer({ node: byNodeName, owner: byControllerUid });
    s.upsert(pod('a', 'p1', '1', '', 'rs-1'));
    s.upsert(pod('a', 'p2', '1', 'n1', 'rs-1'));
    expect(names(s.byIndex('node', ''))).toEqual(['p1']);
    s.upsert(pod('a', 'p1', '2', 'n2', 'rs-2')); // scheduled, and re-owned
    expect(s.byIndex('node', '')).toEqual([]);
    expect(names(s.byIndex('node', 'n2'))).toEqual(['p1']);
    expect(names(s.byIndex('owner', 'rs-1'))).toEqual(['p2']);
    expect(names(s.byIndex('owner', 'rs-2'))).toEqual(['p1']);
    s.delete('a/p2');
    expect(s.byIndex('owner', 'rs-1')).toEqual([]);
    expect(s.indexValues('owner')).toEqual(['rs-2']);
    expect(() => s.byIndex('nope', 'x')).toThrow(/does not exist/);
  });

  it('indexes existing items when an indexer is added later', () => {
    const s = new Indexer();
    s.upsert(pod('a', 'p1', '1', 'n1'));
    s.addIndexers({ node: byNodeName });
    expect(names(s.byIndex('node', 'n1'))).toEqual(['p1']);
  });
});

describe('diffForReplace', () => {
  it('finds added, changed and vanished objects', () => {
    const s = new Indexer();
    s.upsert(pod('a', 'same', '1'));
    s.upsert(pod('a', 'changed', '1'));
    s.upsert(pod('a', 'gone', '1'));
    const diff = diffForReplace(s, [pod('a', 'same', '1'), pod('a', 'changed', '5'), pod('a', 'new', '6')]);
    expect(names(diff.added)).toEqual(['new']);
    expect(diff.updated.map((u) => [u.old.metadata.resourceVersion, u.new.metadata.resourceVersion])).toEqual([['1', '5']]);
    expect(diff.deleted).toHaveLength(1);
    expect(diff.deleted[0]).toBeInstanceOf(DeletedFinalStateUnknown);
    expect(diff.deleted[0]!.key).toBe('a/gone');
    expect(diff.deleted[0]!.obj.metadata.name).toBe('gone');
  });
});
