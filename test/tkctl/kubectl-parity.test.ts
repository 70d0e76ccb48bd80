/**
 * tkctl and the real kubectl side by side on one control plane: objects applied by one
 * are "unchanged" for the other (same last-applied annotation), and `get` prints the
 * same tables.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';
import { tkctl } from './run-tkctl.js';

let cp: TestControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
}, 60_000);
afterAll(async () => {
  await cp?.stop();
});

const deployment = (name: string, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  annotations: {note: "a<b & c>d"}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - name: main
        image: ${image}
        env: [{name: X, value: "1"}]
        ports: [{containerPort: 8080}]
`;

/** AGE cells can tick between the two commands. */
const maskAges = (text: string) => text.replace(/\b\d+(s|m|h|d)\b/g, 'AGE');

describe('tkctl and kubectl agree', () => {
  it('apply: each sees the other\'s apply as unchanged, and changes round-trip', async () => {
    const a = join(cp.dir, 'a.yaml');
    writeFileSync(a, deployment('from-kubectl', 'nginx:1'));
    expect((await cp.kubectl(['apply', '-f', a])).stdout).toBe('deployment.apps/from-kubectl created\n');
    expect((await tkctl(cp, ['apply', '-f', a])).stdout).toBe('deployment.apps/from-kubectl unchanged\n');

    const b = join(cp.dir, 'b.yaml');
    writeFileSync(b, deployment('from-tkctl', 'nginx:1'));
    expect((await tkctl(cp, ['apply', '-f', b])).stdout).toBe('deployment.apps/from-tkctl created\n');
    expect((await cp.kubectl(['apply', '-f', b])).stdout).toBe('deployment.apps/from-tkctl unchanged\n');

    writeFileSync(b, deployment('from-tkctl', 'nginx:2').replace('        env: [{name: X, value: "1"}]\n', ''));
    expect(await tkctl(cp, ['apply', '-f', b])).toMatchObject({ stderr: '', stdout: 'deployment.apps/from-tkctl configured\n' });
    expect((await cp.kubectl(['apply', '-f', b])).stdout).toBe('deployment.apps/from-tkctl unchanged\n');
    const viaKubectl = JSON.parse((await cp.kubectl(['get', 'deploy', 'from-tkctl', '-o', 'json'])).stdout);
    expect(viaKubectl.spec.template.spec.containers[0].image).toBe('nginx:2');
    expect(viaKubectl.spec.template.spec.containers[0].env).toBeUndefined();
  });

  it('get prints the same tables', async () => {
    await cp.kubectl(['create', 'configmap', 'cfg', '--from-literal=a=b']);
    for (const args of [['get', 'deploy'], ['get', 'deploy', '-o', 'wide'], ['get', 'deploy,cm', '-A'], ['get', 'deploy', 'from-tkctl'], ['get', 'ns'], ['get', 'cm', 'cfg', '-o', 'yaml'], ['get', 'deploy', 'from-tkctl', '-o', 'yaml'], ['get', 'cm', '-o', 'name']]) {
      const k = await cp.kubectl(args);
      const t = await tkctl(cp, args);
      expect(maskAges(t.stdout), args.join(' ')).toBe(maskAges(k.stdout));
    }
  });
});
