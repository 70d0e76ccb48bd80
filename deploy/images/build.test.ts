import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BUILD = join(dirname(fileURLToPath(import.meta.url)), 'build.sh');

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tkube-build-test-'));
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

async function build(out: string, env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run('bash', [BUILD, out], { env: { ...process.env, ...env }, timeout: 60_000 });
  return stdout;
}

async function inspect(archive: string, what: '--raw' | '--config'): Promise<Record<string, unknown>> {
  const { stdout } = await run('skopeo', ['--insecure-policy', 'inspect', what, `oci-archive:${archive}`]);
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe('deploy/images/build.sh', () => {
  it('builds OCI archives skopeo can read, and skips them when up to date', async () => {
    const busybox = join(work, 'busybox-copy');
    copyFileSync('/bin/busybox', busybox);
    const out = join(work, 'images');
    const first = await build(out, { BUSYBOX: busybox });
    expect(first).toMatch(/built .*pause\.tar[\s\S]*built .*busybox\.tar/);
    const imageId = (log: string): string | undefined => /busybox:1\.36, (sha256:[a-f0-9]{64})/.exec(log)?.[1];

    const pauseCfg = (await inspect(join(out, 'pause.tar'), '--config')) as { config: { Entrypoint: string[] } };
    expect(pauseCfg.config.Entrypoint).toEqual(['/pause', '-P']);
    const bbCfg = (await inspect(join(out, 'busybox.tar'), '--config')) as { config: { Cmd: string[] } };
    expect(bbCfg.config.Cmd).toEqual(['sh']);

    const before = statSync(join(out, 'busybox.tar')).mtimeMs;
    expect(await build(out, { BUSYBOX: busybox })).toMatch(/up to date: .*pause\.tar[\s\S]*up to date: .*busybox\.tar/);
    expect(statSync(join(out, 'busybox.tar')).mtimeMs).toBe(before);

    // A newer input rebuilds only the image it goes into; the result is identical (reproducible).
    const future = new Date(Date.now() + 5000);
    utimesSync(busybox, future, future);
    const again = await build(out, { BUSYBOX: busybox });
    expect(again).toMatch(/up to date: .*pause\.tar/);
    expect(again).toMatch(/built .*busybox\.tar/);
    expect(imageId(again)).toBe(imageId(first));
    expect(((await inspect(join(out, 'busybox.tar'), '--raw')) as { config: { digest: string } }).config.digest).toBe(imageId(first));
  });
});
