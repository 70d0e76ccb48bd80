import { describe, expect, it } from 'vitest';
import { imagePatch, splitSetImageArgs } from './cmd-set-image.js';

describe('set image', () => {
  it('splits resources from CONTAINER=IMAGE pairs', () => {
    const { resources, images } = splitSetImageArgs(['deployment/web', 'web=tkube/busybox:1.36', 'side=nginx']);
    expect(resources).toEqual(['deployment/web']);
    expect([...images]).toEqual([['web', 'tkube/busybox:1.36'], ['side', 'nginx']]);
    expect(() => splitSetImageArgs(['deployment/web'])).toThrow(/at least one image update/);
    expect(() => splitSetImageArgs(['web=x'])).toThrow(/one or more resources/);
  });

  it('patches only the named containers, or every one with *', () => {
    const spec = { containers: [{ name: 'web', image: 'a' }, { name: 'side', image: 'b' }], initContainers: [{ name: 'init', image: 'c' }] };
    expect(imagePatch(spec, new Map([['side', 'z']]))).toEqual({ containers: [{ name: 'side', image: 'z' }] });
    expect(imagePatch(spec, new Map([['*', 'z']]))).toEqual({
      containers: [{ name: 'web', image: 'z' }, { name: 'side', image: 'z' }],
      initContainers: [{ name: 'init', image: 'z' }],
    });
    expect(() => imagePatch(spec, new Map([['nope', 'z']]))).toThrow('unable to find container named "nope"');
  });
});
