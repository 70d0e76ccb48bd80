import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadKubeconfig } from '../api/client/kubeconfig.js';
import { createClusterPki, isSignedBy, parseCertificate } from '../api/pki/index.js';
import { ensureLocalNodeCredentials, localNodeCredentialPaths } from './local-node-credentials.js';

const dirs: string[] = [];
function tempHome(): string {
  const d = mkdtempSync('/tmp/tkube-test-node-creds-');
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function setup(home: string, sans = { dnsNames: ['myhost'], ipAddresses: ['127.0.0.1'] }) {
  const pki = await createClusterPki(join(home, 'pki'), { apiserverSans: {} });
  const creds = await ensureLocalNodeCredentials({ home, nodeName: 'node-a', server: 'https://192.0.2.2:6443', ca: pki.files.ca, servingSans: sans });
  return { pki, creds };
}

describe('ensureLocalNodeCredentials', () => {
  it('issues the node client certificate and the serving certificate from the cluster CA', async () => {
    const home = tempHome();
    const { pki, creds } = await setup(home);
    const kc = loadKubeconfig(creds.kubeconfig);
    expect(kc.server).toBe('https://192.0.2.2:6443');
    expect(kc.ca?.trim()).toBe(pki.ca.cert.trim());
    const client = parseCertificate(kc.cert!);
    expect(client.commonName).toBe('system:node:node-a');
    expect(client.organizations).toEqual(['system:nodes']);
    expect(await isSignedBy(kc.cert!, pki.ca.cert)).toBe(true);

    const serving = parseCertificate(readFileSync(creds.serving.cert, 'utf8'));
    expect(serving.dnsNames).toEqual(expect.arrayContaining(['node-a', 'myhost']));
    expect(serving.ipAddresses).toEqual(['127.0.0.1']);
    expect(creds.clientCaFile).toBe(pki.files.ca.cert);

    expect(statSync(creds.kubeconfig).mode & 0o777).toBe(0o600);
    expect(statSync(creds.serving.key).mode & 0o777).toBe(0o600);
    expect(statSync(localNodeCredentialPaths(home).client.key).mode & 0o777).toBe(0o600);
  });

  it('keeps both certificates on the next start', async () => {
    const home = tempHome();
    const { creds } = await setup(home);
    const paths = localNodeCredentialPaths(home);
    const before = [readFileSync(paths.client.cert, 'utf8'), readFileSync(creds.serving.cert, 'utf8')];
    await setup(home);
    expect([readFileSync(paths.client.cert, 'utf8'), readFileSync(creds.serving.cert, 'utf8')]).toEqual(before);
  });

  it('re-issues the serving certificate when a name is missing, and both when the CA changed', async () => {
    const home = tempHome();
    const { creds } = await setup(home);
    const paths = localNodeCredentialPaths(home);
    const client = readFileSync(paths.client.cert, 'utf8');
    await setup(home, { dnsNames: ['myhost'], ipAddresses: ['127.0.0.1', '10.0.0.5'] });
    expect(parseCertificate(readFileSync(creds.serving.cert, 'utf8')).ipAddresses).toContain('10.0.0.5');
    expect(readFileSync(paths.client.cert, 'utf8')).toBe(client);

    rmSync(join(home, 'pki'), { recursive: true });
    const { pki } = await setup(home);
    expect(readFileSync(paths.client.cert, 'utf8')).not.toBe(client);
    expect(await isSignedBy(readFileSync(paths.client.cert, 'utf8'), pki.ca.cert)).toBe(true);
    expect(await isSignedBy(readFileSync(creds.serving.cert, 'utf8'), pki.ca.cert)).toBe(true);
  });
});
