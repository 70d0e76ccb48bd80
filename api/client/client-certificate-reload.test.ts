import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
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
  it('hands over a pair that changed on disk, once, and keeps the old one while the files are unreadable', () => {
    const kc = kubeconfigWithFiles();
    kc.write('CERT-1', 'KEY-1');
    const taken: ClientCertificate[] = [];
    const reloader = reloadClientCertificate({ setClientCertificate: (p) => taken.push(p) }, kc.path, { intervalMs: 3_600_000 });
    try {
      expect(reloader.check()).toBe(false);
      kc.write('CERT-2', 'KEY-2');
      expect(reloader.check()).toBe(true);
      expect(reloader.check()).toBe(false);
      expect(taken).toEqual([{ cert: 'CERT-2', key: 'KEY-2' }]);
      rmSync(join(kc.path, '..', 'node.key'));
      expect(reloader.check()).toBe(false);
      expect(taken).toHaveLength(1);
    } finally {
      reloader.stop();
    }
  });
});
