/**
 * What every controller in the controller-manager gets and provides. A controller is
 * built from shared dependencies (one client, one informer factory, so a process opens
 * one list+watch per resource), registers informer handlers that enqueue keys, and runs
 * reconcile workers until its signal aborts (losing the leader lease aborts it).
 */
import type { Logger } from 'pino';
import type { KubeClient } from '../api/client/kube-client.js';
import type { EventRecorder } from '../api/events/recorder.js';
import type { SharedInformerFactory } from '../api/informer/factory.js';

export interface ControllerDeps {
  client: KubeClient;
  informers: SharedInformerFactory;
  /** An event recorder whose source component is this controller's name. */
  recorder(component: string): EventRecorder;
  logger: Logger;
}

export interface Controller {
  readonly name: string;
  /** Runs `workers` reconcile workers after the informers have synced; resolves when `signal` aborts and the workers stopped. */
  run(signal: AbortSignal, workers: number): Promise<void>;
}

export type ControllerFactory = (deps: ControllerDeps) => Controller;
