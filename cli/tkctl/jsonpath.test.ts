import { describe, expect, it } from 'vitest';
import { renderJsonPath } from './jsonpath.js';

const list = {
  kind: 'List',
  items: [
    { metadata: { name: 'web-a', labels: { 'app.kubernetes.io/name': 'web' } }, status: { podIP: '10.244.0.5' } },
    { metadata: { name: 'web-b' }, status: { podIP: '10.244.0.6' } },
  ],
};

describe('renderJsonPath', () => {
  it('picks fields by index, as in the README tour', () => {
    expect(renderJsonPath('{.items[0].metadata.name}', list)).toBe('web-a');
    expect(renderJsonPath('{.items[1].status.podIP}', list)).toBe('10.244.0.6');
    expect(renderJsonPath('{.items[-1].metadata.name}', list)).toBe('web-b');
  });

  it('joins wildcard results with spaces and keeps literal text', () => {
    expect(renderJsonPath('ips: {.items[*].status.podIP}\n', list)).toBe('ips: 10.244.0.5 10.244.0.6\n');
  });

  it('iterates with range/end and quoted keys', () => {
    expect(renderJsonPath('{range .items[*]}{.metadata.name}{"\\t"}{.status.podIP}{"\\n"}{end}', list)).toBe('web-a\t10.244.0.5\nweb-b\t10.244.0.6\n');
    expect(renderJsonPath("{.items[0].metadata.labels['app.kubernetes.io/name']}", list)).toBe('web');
    expect(renderJsonPath('{.items[0].metadata.labels.app\\.kubernetes\\.io/name}', list)).toBe('web');
  });

  it('prints objects as JSON and missing fields as nothing', () => {
    expect(renderJsonPath('{.items[1].metadata}', list)).toBe('{"name":"web-b"}');
    expect(renderJsonPath('{.items[1].spec.nodeName}', list)).toBe('');
  });

  it('fails like kubectl on an index out of range', () => {
    expect(() => renderJsonPath('{.items[5].metadata.name}', list)).toThrow(/array index out of bounds/);
  });
});
