import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseToken } from './bootstrap-token.js';
import { clusterInfoConfigMap, clusterInfoKubeconfig, verifyClusterInfo } from './cluster-info.js';

const token = parseToken('abcdef.0123456789abcdef');

describe('cluster-info', () => {
  const kubeconfig = clusterInfoKubeconfig({ server: 'http://10.213.0.1:6443' });

  it('publishes a kubeconfig with the server and a signature keyed by token id', () => {
    const cm = clusterInfoConfigMap(kubeconfig, [token]);
    expect(cm.metadata).toEqual({ name: 'cluster-info', namespace: 'kube-public' });
    expect(parse(cm.data!.kubeconfig!)).toMatchObject({ kind: 'Config', clusters: [{ name: '', cluster: { server: 'http://10.213.0.1:6443' } }] });
    expect(cm.data!['jws-kubeconfig-abcdef']).toMatch(/^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+$/);
  });

  it('verifies with the right token and returns the endpoint (CA data when present)', () => {
    const withCa = clusterInfoKubeconfig({ server: 'https://cp:6443', caData: 'Q0E=' });
    expect(verifyClusterInfo(clusterInfoConfigMap(withCa, [token]).data, token)).toEqual({ server: 'https://cp:6443', caData: 'Q0E=' });
    expect(verifyClusterInfo(clusterInfoConfigMap(kubeconfig, [token]).data, token)).toEqual({ server: 'http://10.213.0.1:6443' });
  });

  it('refuses a wrong secret, an unknown token id and a tampered kubeconfig', () => {
    const data = clusterInfoConfigMap(kubeconfig, [token]).data!;
    expect(() => verifyClusterInfo(data, parseToken('abcdef.ffffffffffffffff'))).toThrow(/does not verify/);
    expect(() => verifyClusterInfo(data, parseToken('zzzzzz.0123456789abcdef'))).toThrow(/no signature for token id "zzzzzz"/);
    const tampered = { ...data, kubeconfig: data.kubeconfig!.replace('10.213.0.1', '10.213.0.66') };
    expect(() => verifyClusterInfo(tampered, token)).toThrow(/does not verify/);
    expect(() => verifyClusterInfo(undefined, token)).toThrow(/no kubeconfig/);
  });
});
