import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCA, issueCertificate } from '../pki/index.js';
import { reloadClientCertificate } from './client-certificate-reload.js';
import type { ClientCertificate } from './transport.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function kubeconfigWithFiles(): { path: string; write(cert: string, key: string): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tkube-cert-reload-'));
  dirs.push(dir);
  const path = join(dir, 'kubeconfig');
  writeFileSync(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]',
      'users: [{name: u, user: {client-certificate: node.crt, client-key: node.key}}]',
      'contexts: [{name: x, context: {cluster: c, user: u}}]',
      'current-context: x',
      '',
    ].join('\n'),
  );
  return {
    path,
    write(cert, key) {
      writeFileSync(join(dir, 'node.crt'), cert);
      writeFileSync(join(dir, 'node.key'), key);
    },
  };
}

describe('reloadClientCertificate', () => {
  it('hands over a pair that changed on disk, once; keeps the old one while the files are unreadable or do not match', async () => {
    const ca = await createCA('tkube-test-reload-ca');
    const issue = () => issueCertificate(ca, { commonName: 'system:node:n1', organizations: ['system:nodes'], usage: 'client' });
    const [first, second, third] = await Promise.all([issue(), issue(), issue()]);
    const kc = kubeconfigWithFiles();
    kc.write(first.cert, first.key);
    const taken: ClientCertificate[] = [];
    const reloader = reloadClientCertificate({ setClientCertificate: (p) => taken.push(p) }, kc.path, { intervalMs: 3_600_000 });
    try {
      expect(reloader.check()).toBe(false);
      kc.write(second.cert, second.key);
      expect(reloader.check()).toBe(true);
      expect(reloader.check()).toBe(false);
      expect(taken).toEqual([{ cert: second.cert, key: second.key }]);
      // Caught between the renames: a new key beside the old certificate.
      kc.write(second.cert, third.key);
      expect(reloader.check()).toBe(false);
      rmSync(join(kc.path, '..', 'node.key'));
      expect(reloader.check()).toBe(false);
      kc.write(third.cert, third.key);
      expect(reloader.check()).toBe(true);
      expect(taken.map((p) => p.cert)).toEqual([second.cert, third.cert]);
    } finally {
      reloader.stop();
    }
  });
});
