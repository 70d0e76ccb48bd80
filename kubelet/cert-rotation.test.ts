import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../api/meta/errors.js';
import { createCA, issueCertificate, parseCertificate, type CertAndKey } from '../api/pki/index.js';
import { CertificateRotationManager, realClock, rotationDeadline, type RotationClock } from './cert-rotation.js';
import type { CertificatePair } from './serving-certificate.js';

/** A clock the test moves: sleeps wait until advance() passes their end. */
class ManualClock implements RotationClock {
  private sleepers: { until: number; resolve: () => void }[] = [];
  readonly slept: number[] = [];
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  sleep(ms: number, signal: AbortSignal): Promise<void> {
    this.slept.push(ms);
    return new Promise((resolve) => {
      this.sleepers.push({ until: this.t + ms, resolve });
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }
  /** Waits until someone sleeps; returns how long that sleep is, without ending it. */
  async nextSleep(): Promise<number> {
    const deadline = Date.now() + 5000;
    while (this.sleepers.length === 0) {
      if (Date.now() > deadline) throw new Error('nobody went to sleep');
      await new Promise((r) => setTimeout(r, 1));
    }
    return this.sleepers[0]!.until - this.t;
  }

  /** Waits until someone sleeps, then jumps to the end of that sleep. Returns how long it was. */
  async advanceToNextWake(): Promise<number> {
    await this.nextSleep();
    const next = this.sleepers.shift()!;
    const ms = next.until - this.t;
    this.t = next.until;
    next.resolve();
    return ms;
  }
}

function captureLogger(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: pino({ level: 'info' }, { write: (s: string) => lines.push(s) }), lines };
}

let ca: CertAndKey;
const DAY = 86_400_000;
const issue = (days: number) => issueCertificate(ca, { commonName: 'system:node:tkube-n1', organizations: ['system:nodes'], usage: 'client', validityMs: days * DAY, backdateMs: 0 });

beforeAll(async () => {
  ca = await createCA('tkube-test-rotation-ca');
});

describe('rotationDeadline', () => {
  const notBefore = new Date('2026-01-01T00:00:00Z');
  const notAfter = new Date('2026-01-11T00:00:00Z'); // 10 days
  const at = (r: number) => (rotationDeadline(notBefore, notAfter, () => r).getTime() - notBefore.getTime()) / (10 * DAY);

  it('lies between 70% and 90% of the validity', () => {
    expect(at(0)).toBeCloseTo(0.7, 6);
    expect(at(0.5)).toBeCloseTo(0.8, 6);
    expect(at(0.999999)).toBeCloseTo(0.9, 5);
  });

  it('is jittered across the whole range with the default random source', () => {
    const fractions = Array.from({ length: 2000 }, () => (rotationDeadline(notBefore, notAfter).getTime() - notBefore.getTime()) / (10 * DAY));
    expect(Math.min(...fractions)).toBeGreaterThanOrEqual(0.7);
    expect(Math.max(...fractions)).toBeLessThan(0.9);
    expect(Math.min(...fractions)).toBeLessThan(0.72);
    expect(Math.max(...fractions)).toBeGreaterThan(0.88);
  });
});

describe('CertificateRotationManager', () => {
  it('renews at the deadline, installs the new certificate, then waits for the new one\'s deadline', async () => {
    const initial = await issue(10);
    const renewed = await issue(100);
    const p = parseCertificate(initial.cert);
    const clock = new ManualClock(p.notBefore.getTime());
    const installed: CertificatePair[] = [];
    let renewCalls = 0;
    const { logger, lines } = captureLogger();
    const m = new CertificateRotationManager({
      name: 'client',
      initial,
      renew: async () => {
        renewCalls++;
        return renewed;
      },
      install: (pair) => {
        installed.push(pair);
      },
      logger,
      clock,
      random: () => 0.5,
    }).start();
    const total = p.notAfter.getTime() - p.notBefore.getTime();
    expect(Math.abs((await clock.advanceToNextWake()) - total * 0.8)).toBeLessThanOrEqual(1);
    // The next sleep is towards the renewed certificate's deadline.
    const r = parseCertificate(renewed.cert);
    const expected = rotationDeadline(r.notBefore, r.notAfter, () => 0.5).getTime() - clock.now();
    expect(await clock.nextSleep()).toBe(expected);
    expect(renewCalls).toBe(1);
    expect(installed[0]).toBe(renewed);
    expect(m.current()).toBe(renewed);
    await m.stop();
    const rotatedLog = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'rotated the certificate');
    expect(rotatedLog).toMatchObject({ certificate: 'client', expiration: r.notAfter.toISOString() });
    expect(lines.join('')).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);
  });

  it('retries a failed renewal with doubling back-off and keeps the old certificate meanwhile', async () => {
    const initial = await issue(10);
    const renewed = await issue(100);
    const clock = new ManualClock(parseCertificate(initial.cert).notBefore.getTime());
    let attempts = 0;
    const installed: CertificatePair[] = [];
    const { logger, lines } = captureLogger();
    const m = new CertificateRotationManager({
      name: 'serving',
      initial,
      renew: async () => {
        attempts++;
        if (attempts <= 3) throw new Error(`apiserver unreachable (attempt ${attempts})`);
        return renewed;
      },
      install: (pair) => {
        installed.push(pair);
      },
      logger,
      clock,
      random: () => 0,
      backoff: { initialMs: 1000, maxMs: 3000 },
    }).start();
    await clock.advanceToNextWake(); // the deadline
    expect(await clock.advanceToNextWake()).toBe(1000);
    expect(m.current()).toBe(initial);
    expect(await clock.advanceToNextWake()).toBe(2000);
    expect(await clock.advanceToNextWake()).toBe(3000); // capped
    // Then towards the renewed certificate's deadline.
    const r = parseCertificate(renewed.cert);
    expect(await clock.nextSleep()).toBe(r.notBefore.getTime() + Math.floor((r.notAfter.getTime() - r.notBefore.getTime()) * 0.7) - clock.now());
    expect(attempts).toBe(4);
    expect(installed).toEqual([renewed]);
    expect(m.rotations).toBe(1);
    await m.stop();
    expect(lines.filter((l) => l.includes('certificate rotation failed'))).toHaveLength(3);
  });

  it('renews at once a certificate already past its deadline, and stops while waiting', async () => {
    const initial = await issue(10);
    const clock = new ManualClock(parseCertificate(initial.cert).notAfter.getTime() - 1000);
    let renewed = 0;
    const m = new CertificateRotationManager({
      name: 'client',
      initial,
      renew: async (signal) => {
        renewed++;
        // Never issued: the renewal waits until the manager is stopped.
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
        throw new Error('aborted');
      },
      install: () => {},
      logger: pino({ level: 'silent' }),
      clock,
    }).start();
    expect(await clock.advanceToNextWake()).toBe(0);
    await new Promise((r) => setTimeout(r, 10));
    expect(renewed).toBe(1);
    await m.stop();
    expect(m.rotations).toBe(0);
  });

  it('gives up (onExpired) when the certificate has expired and the apiserver answers 401; retries other failures', async () => {
    const initial = await issue(10);
    const notAfter = parseCertificate(initial.cert).notAfter.getTime();
    const clock = new ManualClock(notAfter - 1000);
    let expiredCalls = 0;
    let attempts = 0;
    const m = new CertificateRotationManager({
      name: 'client',
      initial,
      renew: async () => {
        attempts++;
        // Before expiry the apiserver is unreachable; after it, the expired certificate gets 401.
        if (clock.now() < notAfter) throw new Error('connect ECONNREFUSED');
        throw new ApiError(401, 'Unauthorized', 'Unauthorized');
      },
      install: () => {},
      logger: pino({ level: 'silent' }),
      clock,
      backoff: { initialMs: 2000, maxMs: 2000 },
      onExpired: () => expiredCalls++,
    }).start();
    expect(await clock.advanceToNextWake()).toBe(0); // past the deadline: at once
    expect(await clock.advanceToNextWake()).toBe(2000); // refused connection: retried
    await new Promise((r) => setTimeout(r, 10));
    expect([attempts, expiredCalls]).toEqual([2, 1]);
    await m.stop();
  });

  it('does not ask again at once when the renewed certificate is itself already due', async () => {
    const initial = await issue(10);
    const clock = new ManualClock(parseCertificate(initial.cert).notAfter.getTime() + DAY);
    let renewCalls = 0;
    const m = new CertificateRotationManager({
      name: 'client',
      initial,
      renew: async () => {
        renewCalls++;
        return initial; // a signer handing out certificates already past their deadline
      },
      install: () => {},
      logger: pino({ level: 'silent' }),
      clock,
      backoff: { initialMs: 500, maxMs: 1000 },
    }).start();
    expect(await clock.advanceToNextWake()).toBe(0);
    expect(await clock.advanceToNextWake()).toBe(500);
    await clock.nextSleep();
    expect(renewCalls).toBe(2);
    await m.stop();
  });
});

describe('realClock', () => {
  it('sleeps, and returns early when aborted', async () => {
    const t0 = Date.now();
    await realClock.sleep(30, new AbortController().signal);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    const t1 = Date.now();
    // Longer than one timer can hold: chained, and cut short by the abort.
    await realClock.sleep(40 * DAY, ac.signal);
    expect(Date.now() - t1).toBeLessThan(2000);
  });
});
