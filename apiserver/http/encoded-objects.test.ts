import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/object-meta.js';
import { encodedList, encodedObject, encodedWatchEvent } from './encoded-objects.js';

const pod = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', resourceVersion: '7' }, spec: { containers: [{ name: 'c', image: 'x"y' }] } }) as KubeObject;

describe('encoded objects', () => {
  it('encodes an object once and returns the same JSON afterwards', () => {
    const p = pod('a');
    const first = encodedObject(p);
    expect(JSON.parse(first.toString('utf8'))).toEqual(p);
    expect(encodedObject(p)).toBe(first);
  });

  it('builds a list that parses to the same document as JSON.stringify of the list', () => {
    const items = [pod('a'), pod('b')];
    const meta = { resourceVersion: '9', continue: 'tok' };
    const text = encodedList('PodList', 'v1', meta, items).toString('utf8');
    expect(JSON.parse(text)).toEqual({ kind: 'PodList', apiVersion: 'v1', metadata: meta, items });
    expect(JSON.parse(encodedList('PodList', 'v1', {}, []).toString('utf8'))).toEqual({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [] });
  });

  it('encodes a watch line once per object and type', () => {
    const p = pod('w');
    const added = encodedWatchEvent('ADDED', p);
    expect(added.toString('utf8').endsWith('}\n')).toBe(true);
    expect(JSON.parse(added.toString('utf8'))).toEqual({ type: 'ADDED', object: p });
    expect(encodedWatchEvent('ADDED', p)).toBe(added);
    expect(JSON.parse(encodedWatchEvent('DELETED', p).toString('utf8')).type).toBe('DELETED');
  });
});
