/**
 * edit with a scripted $EDITOR, and the built CLI as a child process (bin/tkctl over
 * dist/, as users run it).
 */
import { execFile } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configMaps } from '../../api/registry.js';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';
import { tkctl } from './run-tkctl.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'tkctl');

let cp: TestControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
  await cp.client.resource(configMaps, 'default').create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data: { color: 'red' } });
}, 60_000);
afterAll(async () => {
  await cp?.stop();
});

function editor(name: string, script: string): string {
  const path = join(cp.dir, name);
  writeFileSync(path, `#!/bin/sh\n${script}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('tkctl edit', () => {
  it('updates the object with what the editor saved', async () => {
    const r = await tkctl(cp, ['edit', 'cm', 'cfg'], { env: { EDITOR: editor('blue.sh', 'sed -i "s/color: red/color: blue/" "$1"') } });
    expect(r).toMatchObject({ code: 0, stdout: 'configmap/cfg edited\n' });
    expect((await cp.client.resource(configMaps, 'default').get('cfg')).data).toEqual({ color: 'blue' });
  });

  it('cancels when nothing changed', async () => {
    const r = await tkctl(cp, ['edit', 'configmap/cfg'], { env: { EDITOR: editor('noop.sh', 'true') } });
    expect(r).toMatchObject({ code: 0, stdout: 'Edit cancelled, no changes made.\n' });
  });

  it('re-opens the editor with the error after a conflict, and the second save wins', async () => {
    // First session: another writer changes the object meanwhile, so the update conflicts.
    const counter = join(cp.dir, 'count');
    const script = [
      `n=$(cat ${counter} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${counter}`,
      `if [ $n = 1 ]; then KUBECONFIG=${cp.kubeconfig} kubectl patch cm cfg --type merge -p '{"data":{"other":"x"}}' >/dev/null; fi`,
      `grep -q "was not valid" "$1" && cp "$1" ${join(cp.dir, 'second-session.yaml')}`,
      'sed -i "s/color: blue/color: green/" "$1"',
    ].join('\n');
    const r = await tkctl(cp, ['edit', 'cm', 'cfg'], { env: { EDITOR: editor('conflict.sh', script) } });
    expect(r).toMatchObject({ code: 0, stdout: 'configmap/cfg edited\n' });
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(counter, 'utf8').trim()).toBe('2');
    expect(readFileSync(join(cp.dir, 'second-session.yaml'), 'utf8')).toMatch(/# \* .*the object has been modified/);
    expect((await cp.client.resource(configMaps, 'default').get('cfg')).data?.color).toBe('green');
  }, 30_000);
});

describe('bin/tkctl (built)', () => {
  it('runs commands and reports errors in one line with exit code 1', async () => {
    const env = { ...process.env, KUBECONFIG: cp.kubeconfig };
    const ok = await run(BIN, ['get', 'cm', 'cfg', '-o', 'name'], { env });
    expect(ok.stdout).toBe('configmap/cfg\n');
    // The table path (its own HTTP request) must not keep the process alive afterwards.
    const started = Date.now();
    const table = await run(BIN, ['get', 'cm'], { env, timeout: 10_000 });
    expect(table.stdout).toMatch(/^NAME +DATA +AGE\ncfg +1 +\S+\n/);
    expect(Date.now() - started).toBeLessThan(5_000);
    const bad = await run(BIN, ['get', 'cm', 'nope'], { env }).catch((e: { code: number; stderr: string; stdout: string }) => e);
    expect(bad).toMatchObject({ code: 1, stderr: 'error: configmaps "nope" not found\n', stdout: '' });
    const noConfig = await run(BIN, ['get', 'po'], { env: { ...process.env, KUBECONFIG: '', TKUBE_HOME: join(cp.dir, 'none') } }).catch((e: { code: number; stderr: string }) => e);
    expect(noConfig).toMatchObject({ code: 1 });
    expect(noConfig.stderr).toMatch(/^error: no kubeconfig at .*none\/kubeconfig: start a cluster with `tkube up` or pass --kubeconfig\n$/);
  });
});
