import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadKubeconfig } from './kubeconfig.js';

const dir = mkdtempSync(join(tmpdir(), 'tkube-kubeconfig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('kubeconfig', () => {
  it('resolves the current context with inline data and a relative file', () => {
    writeFileSync(join(dir, 'ca.crt'), 'CA-PEM');
    writeFileSync(
      join(dir, 'config'),
      `apiVersion: v1
kind: Config
current-context: admin@tkube
clusters:
- name: tkube
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority: ca.crt
contexts:
- name: admin@tkube
  context: {cluster: tkube, user: admin, namespace: team}
- name: other
  context: {cluster: tkube, user: bot}
users:
- name: admin
  user:
    client-certificate-data: ${b64('CERT-PEM')}
    client-key-data: ${b64('KEY-PEM')}
- name: bot
  user:
    token: abc
`,
    );
    expect(loadKubeconfig(join(dir, 'config'))).toEqual({
      server: 'https://127.0.0.1:6443',
      ca: 'CA-PEM',
      cert: 'CERT-PEM',
      key: 'KEY-PEM',
      namespace: 'team',
    });
    expect(loadKubeconfig(join(dir, 'config'), 'other')).toMatchObject({ token: 'abc', namespace: 'default' });
    expect(() => loadKubeconfig(join(dir, 'config'), 'missing')).toThrow(/context "missing" not found/);
  });

  it('rejects a kubeconfig of the wrong shape', () => {
    writeFileSync(join(dir, 'bad'), 'clusters:\n- name: x\n  cluster: {server: 5}\n');
    expect(() => loadKubeconfig(join(dir, 'bad'))).toThrow(/invalid kubeconfig/);
  });
});
