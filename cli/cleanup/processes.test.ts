import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLUSTER_HOME_ENV, findHomeProcesses, findUpProcess, isAlive, killAll, upPidFile } from './processes.js';

describe('processes of a tkube home', () => {
  const children: ChildProcess[] = [];
  const homes: string[] = [];
  const sleeper = (env: NodeJS.ProcessEnv = {}): ChildProcess => {
    const c = spawn('sleep', ['60'], { env: { ...process.env, ...env }, stdio: 'ignore' });
    children.push(c);
    return c;
  };
  const home = (): string => {
    const h = mkdtempSync('/tmp/tkube-test-cleanup-home-');
    homes.push(h);
    return h;
  };
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
  });

  it("finds the processes carrying the home's marker, and only those", async () => {
    const h = home();
    const ours = sleeper({ [CLUSTER_HOME_ENV]: h });
    const otherHome = sleeper({ [CLUSTER_HOME_ENV]: `${h}-other` });
    const unrelated = sleeper();
    await new Promise((r) => setTimeout(r, 100));
    const found = findHomeProcesses(h, []).map((p) => p.pid);
    expect(found).toContain(ours.pid);
    expect(found).not.toContain(otherHome.pid);
    expect(found).not.toContain(unrelated.pid);
    expect(found).not.toContain(process.pid);
  });

  it('kills them and waits until they are gone (a zombie counts as gone)', async () => {
    const h = home();
    const ours = sleeper({ [CLUSTER_HOME_ENV]: h });
    await new Promise((r) => setTimeout(r, 100));
    const killed = await killAll(findHomeProcesses(h, []));
    expect(killed.map((p) => p.pid)).toEqual([ours.pid]);
    expect(isAlive(ours.pid!)).toBe(false);
  });

  it("trusts up's pid file only for a live `tkube ... up` process", async () => {
    const h = home();
    mkdirSync(join(h, 'run'), { recursive: true });
    const notUp = sleeper();
    writeFileSync(upPidFile(h), `${notUp.pid}\n`);
    expect(findUpProcess(h)).toBeUndefined();
    const fakeUp = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)', '/x/dist/cli/tkube.js', 'up'], { stdio: 'ignore' });
    children.push(fakeUp);
    await new Promise((r) => setTimeout(r, 100));
    writeFileSync(upPidFile(h), `${fakeUp.pid}\n`);
    expect(findUpProcess(h)?.pid).toBe(fakeUp.pid);
  });

  it('finds an `up` without a pid file by its --home or $TKUBE_HOME', async () => {
    const h = home();
    const byFlag = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)', '/x/dist/cli/tkube.js', 'up', '--nodes', '3', '--home', h], { stdio: 'ignore' });
    children.push(byFlag);
    const h2 = home();
    const byEnv = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)', '/x/dist/cli/tkube.js', 'up'], { stdio: 'ignore', env: { ...process.env, TKUBE_HOME: h2 } });
    children.push(byEnv);
    await new Promise((r) => setTimeout(r, 100));
    expect(findUpProcess(h)?.pid).toBe(byFlag.pid);
    expect(findUpProcess(h2)?.pid).toBe(byEnv.pid);
    expect(findUpProcess(`${h}-none`)).toBeUndefined();
  });
});
