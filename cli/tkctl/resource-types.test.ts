import { describe, expect, it } from 'vitest';
import { deployments, pods, replicaSets } from '../../api/registry.js';
import { deleteOptionsFrom } from './cmd-delete.js';
import { podName } from './cmd-logs.js';
import { parseOutput } from './output.js';
import { parseTypeAndNames, resolveType, resolveTypes, typePrefix } from './resource-types.js';

describe('resource type arguments', () => {
  it('accepts plural, singular, short names, kinds and group-qualified names', () => {
    for (const name of ['deployments', 'deployment', 'deploy', 'Deployment', 'deployments.apps', 'deploy.v1.apps']) {
      expect(resolveType(name), name).toBe(deployments);
    }
    expect(resolveType('po')).toBe(pods);
    expect(() => resolveType('deployments.batch')).toThrow('the server doesn\'t have a resource type "deployments.batch"');
  });

  it('expands lists and the all category', () => {
    expect(resolveTypes('deploy,po')).toEqual([deployments, pods]);
    const all = resolveTypes('all');
    expect(all).toContain(pods);
    expect(all).toContain(replicaSets);
  });

  it('parses TYPE NAME... and TYPE/NAME... forms', () => {
    expect(parseTypeAndNames(['deploy', 'a', 'b'])).toEqual([{ def: deployments, names: ['a', 'b'] }]);
    expect(parseTypeAndNames(['deploy/a', 'po/x', 'deploy/b'])).toEqual([
      { def: deployments, names: ['a', 'b'] },
      { def: pods, names: ['x'] },
    ]);
    expect(() => parseTypeAndNames(['deploy', 'po/x'])).toThrow(/resource\/name form/);
    expect(() => parseTypeAndNames([])).toThrow();
  });

  it('names types as kubectl does in messages', () => {
    expect(typePrefix(deployments)).toBe('deployment.apps');
    expect(typePrefix(pods)).toBe('pod');
  });
});

describe('flag handling', () => {
  it('maps --cascade, --grace-period and --force to delete options', () => {
    expect(deleteOptionsFrom({ cascade: 'background' })).toEqual({ propagationPolicy: 'Background' });
    expect(deleteOptionsFrom({ cascade: 'orphan', gracePeriod: 30 })).toEqual({ propagationPolicy: 'Orphan', gracePeriodSeconds: 30 });
    expect(deleteOptionsFrom({ cascade: 'foreground', gracePeriod: 0 })).toEqual({ propagationPolicy: 'Foreground', gracePeriodSeconds: 1 });
    expect(deleteOptionsFrom({ cascade: 'background', force: true })).toEqual({ propagationPolicy: 'Background', gracePeriodSeconds: 0 });
    expect(() => deleteOptionsFrom({ cascade: 'sideways' })).toThrow(/invalid cascade value/);
  });

  it('accepts the output formats kubectl has and rejects others', () => {
    expect(parseOutput(undefined)).toBe('table');
    expect(parseOutput('wide')).toBe('wide');
    expect(() => parseOutput('xml')).toThrow(/unable to match a printer/);
  });

  it('reads pod arguments of logs and exec', () => {
    expect(podName('web')).toBe('web');
    expect(podName('pod/web')).toBe('web');
    expect(() => podName('deploy/web')).toThrow(/only pods/);
  });
});

describe('kubectl boolean flags', () => {
  it('turns --flag=true|false into commander flags', async () => {
    const { normalizeBooleanFlags } = await import('./main.js');
    expect(normalizeBooleanFlags(['delete', 'po', 'x', '--wait=false', '--force=true', '--all=false'])).toEqual(['delete', 'po', 'x', '--no-wait', '--force']);
    expect(normalizeBooleanFlags(['get', 'po', '--watch=true', '--headers=false'])).toEqual(['get', 'po', '--watch', '--no-headers']);
    expect(normalizeBooleanFlags(['exec', 'p', '--', 'sh', '--wait=false'])).toEqual(['exec', 'p', '--', 'sh', '--wait=false']);
  });
});
