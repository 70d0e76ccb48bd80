import { describe, expect, it } from 'vitest';
import { controllerManagerCommand, type ControllerManagerFlags } from './cmd-controller-manager.js';

async function parse(args: string[]): Promise<ControllerManagerFlags> {
  let got: ControllerManagerFlags | undefined;
  const cmd = controllerManagerCommand(async (f) => void (got = f)).exitOverride();
  await cmd.parseAsync(args, { from: 'user' });
  return got!;
}

describe('tkube controller-manager flags', () => {
  it('has kube-controller-manager defaults', async () => {
    expect(await parse(['--kubeconfig', '/k'])).toEqual({
      kubeconfig: '/k',
      controllers: '*',
      leaderElect: true,
      leaderElectLeaseDuration: 15_000,
      leaderElectRenewDeadline: 10_000,
      leaderElectRetryPeriod: 2_000,
      concurrentReplicasetSyncs: 5,
      concurrentDeploymentSyncs: 5,
      concurrentGcSyncs: 20,
      concurrentNamespaceSyncs: 10,
      metricsPort: 10257,
      bindAddress: '127.0.0.1',
    });
  });

  it('parses durations, booleans and counts the way kube-controller-manager spells them', async () => {
    const f = await parse([
      '--master', 'http://127.0.0.1:6443', '--controllers', '*,-deployment', '--leader-elect=false',
      '--leader-elect-lease-duration', '4s', '--leader-elect-renew-deadline', '3s', '--leader-elect-retry-period', '500ms',
      '--concurrent-replicaset-syncs', '10', '--metrics-port', '0',
    ]);
    expect(f).toMatchObject({
      master: 'http://127.0.0.1:6443',
      controllers: '*,-deployment',
      leaderElect: false,
      leaderElectLeaseDuration: 4000,
      leaderElectRenewDeadline: 3000,
      leaderElectRetryPeriod: 500,
      concurrentReplicasetSyncs: 10,
      metricsPort: 0,
    });
  });

  it('takes --root-ca-file for the root-ca-cert-publisher', async () => {
    expect((await parse(['--root-ca-file', '/etc/tkube/pki/ca.crt'])).rootCaFile).toBe('/etc/tkube/pki/ca.crt');
  });

  it('takes the cluster signing CA and duration for csrsigning', async () => {
    const f = await parse(['--cluster-signing-cert-file', '/pki/ca.crt', '--cluster-signing-key-file', '/pki/ca.key', '--cluster-signing-duration', '2h']);
    expect(f).toMatchObject({ clusterSigningCertFile: '/pki/ca.crt', clusterSigningKeyFile: '/pki/ca.key', clusterSigningDuration: 7_200_000 });
  });

  it('rejects bad values', async () => {
    await expect(parse(['--concurrent-replicaset-syncs', '0'])).rejects.toThrow(/positive integer/);
    await expect(parse(['--leader-elect=maybe'])).rejects.toThrow(/not a boolean/);
    await expect(parse(['--leader-elect-lease-duration', 'soon'])).rejects.toThrow(/invalid duration/);
  });
});
