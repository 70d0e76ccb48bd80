/**
 * Liveness, readiness and startup probes: one timer loop per (running container,
 * probe kind), with initialDelaySeconds, periodSeconds, timeoutSeconds and the
 * success/failure thresholds. Liveness and readiness wait for the startup probe. A
 * failed liveness (or startup) probe stops the container with an event; the pod
 * worker then restarts it per restartPolicy. Result changes trigger a pod sync.
 */
import type { Logger } from 'pino';
import type { EventRecorder } from '../api/events/recorder.js';
import type { Container, Probe } from '../api/types/container.js';
import type { Pod } from '../api/types/pod.js';
import type { ContainerStatus as CriContainerStatus } from '../runtime/cri/types.js';
import type { CriClient } from './cri-client.js';
import { runHandler } from './handler-runner.js';

type Kind = 'liveness' | 'readiness' | 'startup';

interface Worker {
  timer?: NodeJS.Timeout;
  stopped: boolean;
}

interface ContainerProbes {
  id: string;
  /** undefined until the first readiness result. */
  ready?: boolean;
  started: boolean;
  workers: Worker[];
}

export interface ProbeManagerOptions {
  cri: CriClient;
  recorder?: EventRecorder;
  logger: Logger;
  onChange: (uid: string) => void;
  /** The pod's current IP (probes start before the status carrying it is written). */
  podIP: (uid: string) => string | undefined;
}

export class ProbeManager {
  private readonly pods = new Map<string, Map<string, ContainerProbes>>();

  constructor(private readonly o: ProbeManagerOptions) {}

  /** Ready/started for a container with probes; undefined when it has none (ready = running). */
  result(uid: string, name: string, id: string): { ready: boolean; started: boolean } | undefined {
    const p = this.pods.get(uid)?.get(name);
    if (!p || p.id !== id) return undefined;
    return { ready: (p.ready ?? false) && p.started, started: p.started };
  }

  /** Starts probing newly running containers and stops probing exited ones. */
  track(pod: Pod, rt: { containers: Map<string, CriContainerStatus[]> }): void {
    const uid = pod.metadata.uid!;
    let byName = this.pods.get(uid);
    if (!byName) {
      byName = new Map();
      this.pods.set(uid, byName);
    }
    for (const c of pod.spec.containers) {
      const latest = rt.containers.get(c.name)?.[0];
      const current = byName.get(c.name);
      const running = latest?.state === 'CONTAINER_RUNNING';
      if (current && (!running || current.id !== latest?.id)) {
        this.stopProbes(current);
        byName.delete(c.name);
      }
      if (!running || byName.has(c.name) || pod.metadata.deletionTimestamp) continue;
      if (!c.livenessProbe && !c.readinessProbe && !c.startupProbe) continue;
      const cp: ContainerProbes = { id: latest!.id, ready: c.readinessProbe ? false : true, started: !c.startupProbe, workers: [] };
      byName.set(c.name, cp);
      const ip = () => this.o.podIP(uid) ?? pod.status?.podIP;
      if (c.startupProbe) cp.workers.push(this.startWorker(pod, c, cp, 'startup', c.startupProbe, ip));
      if (c.livenessProbe) cp.workers.push(this.startWorker(pod, c, cp, 'liveness', c.livenessProbe, ip));
      if (c.readinessProbe) cp.workers.push(this.startWorker(pod, c, cp, 'readiness', c.readinessProbe, ip));
    }
  }

  private startWorker(pod: Pod, c: Container, cp: ContainerProbes, kind: Kind, probe: Probe, podIP: () => string | undefined): Worker {
    const w: Worker = { stopped: false };
    const uid = pod.metadata.uid!;
    let successes = 0;
    let failures = 0;
    const period = Math.max(1, probe.periodSeconds ?? 10) * 1000;
    const tick = async () => {
      if (w.stopped) return;
      // Liveness and readiness wait for the startup probe to succeed.
      if (kind !== 'startup' && !cp.started) return schedule(period);
      const r = await runHandler(this.o.cri, c, cp.id, podIP(), probe, probe.timeoutSeconds ?? 1);
      if (w.stopped) return;
      if (r.ok) {
        successes++;
        failures = 0;
      } else {
        failures++;
        successes = 0;
        this.o.recorder?.event(pod, 'Warning', 'Unhealthy', `${kind[0]!.toUpperCase()}${kind.slice(1)} probe failed: ${r.message.trim()}`);
      }
      if (kind === 'readiness') {
        const threshold = probe.successThreshold ?? 1;
        const next = cp.ready ? failures < (probe.failureThreshold ?? 3) : successes >= threshold;
        if (next !== cp.ready) {
          cp.ready = next;
          this.o.onChange(uid);
        }
      } else if (kind === 'startup' && r.ok) {
        cp.started = true;
        this.o.onChange(uid);
        return; // a startup probe stops once it succeeded
      } else if (!r.ok && failures >= (probe.failureThreshold ?? 3)) {
        this.o.recorder?.event(pod, 'Normal', 'Killing', `Container ${c.name} failed ${kind} probe, will be restarted`);
        this.stopProbes(cp);
        const grace = probe.terminationGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
        await this.o.cri.runtime('StopContainer', { container_id: cp.id, timeout: grace }, { timeoutMs: (grace + 30) * 1000 })
          .catch((err: unknown) => this.o.logger.warn({ err, container: c.name }, 'stopping unhealthy container failed'));
        this.o.onChange(uid);
        return;
      }
      schedule(period);
    };
    const schedule = (ms: number) => {
      if (w.stopped) return;
      w.timer = setTimeout(() => void tick().catch((err: unknown) => this.o.logger.warn({ err }, 'probe failed to run')), ms);
    };
    schedule(Math.max(0, probe.initialDelaySeconds ?? 0) * 1000);
    return w;
  }

  private stopProbes(cp: ContainerProbes): void {
    for (const w of cp.workers) {
      w.stopped = true;
      if (w.timer) clearTimeout(w.timer);
    }
  }

  forget(uid: string): void {
    for (const cp of this.pods.get(uid)?.values() ?? []) this.stopProbes(cp);
    this.pods.delete(uid);
  }

  stop(): void {
    for (const uid of [...this.pods.keys()]) this.forget(uid);
  }
}
