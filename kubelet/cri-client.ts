/**
 * A typed gRPC client of the CRI (runtime.v1 RuntimeService + ImageService) over a
 * unix socket. Message shapes are the runtime's (runtime/cri/types.ts), loaded with
 * the same proto-loader options, so both sides agree on field casing and int64s.
 */
import * as grpc from '@grpc/grpc-js';
import { loadCriServices } from '../runtime/cri/proto.js';
import type { ImageServiceMethods, RuntimeServiceMethods } from '../runtime/cri/types.js';

type Req<M, K extends keyof M> = M[K] extends [infer Q, unknown] ? Partial<Q> : never;
type Res<M, K extends keyof M> = M[K] extends [unknown, infer R] ? R : never;
type UnaryFn = (req: unknown, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: unknown) => void) => void;

/**
 * An in-process CRI: per service, the methods it implements. Used instead of a socket
 * by hollow nodes (kubelet/hollow/fake-cri.ts); a method it lacks fails as UNIMPLEMENTED.
 */
export interface InProcessCri {
  runtime: { [K in keyof RuntimeServiceMethods]?: (req: Req<RuntimeServiceMethods, K>) => Promise<Res<RuntimeServiceMethods, K>> };
  image: { [K in keyof ImageServiceMethods]?: (req: Req<ImageServiceMethods, K>) => Promise<Res<ImageServiceMethods, K>> };
}

export interface CriClientOptions {
  /** unix:///run/tkube/runtime.sock or a plain socket path. Ignored when inProcess is given. */
  endpoint: string;
  inProcess?: InProcessCri;
  /** Default per-call deadline (ms). Image pulls get pullTimeoutMs. */
  timeoutMs?: number;
  pullTimeoutMs?: number;
}

export function socketTarget(endpoint: string): string {
  if (endpoint.startsWith('unix://')) return endpoint;
  return `unix://${endpoint}`;
}

export class CriClient {
  private readonly rt: grpc.Client | undefined;
  private readonly img: grpc.Client | undefined;
  private readonly inProcess: InProcessCri | undefined;
  private readonly timeoutMs: number;
  private readonly pullTimeoutMs: number;

  constructor(opts: CriClientOptions) {
    this.inProcess = opts.inProcess;
    if (!opts.inProcess) {
      const services = loadCriServices();
      const target = socketTarget(opts.endpoint);
      this.rt = new services.RuntimeService(target, grpc.credentials.createInsecure());
      this.img = new services.ImageService(target, grpc.credentials.createInsecure());
    }
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.pullTimeoutMs = opts.pullTimeoutMs ?? 300_000;
  }

  private call<T>(client: grpc.Client | undefined, method: string, req: unknown, timeoutMs: number): Promise<T> {
    if (!client) return Promise.reject(new Error('CRI client has no connection'));
    const fn = (client as unknown as Record<string, UnaryFn>)[method];
    if (!fn) return Promise.reject(new Error(`CRI method ${method} unknown`));
    return new Promise<T>((resolve, reject) => {
      fn.call(client, req, { deadline: Date.now() + timeoutMs }, (err, res) => (err ? reject(err) : resolve(res as T)));
    });
  }

  runtime<K extends keyof RuntimeServiceMethods>(
    method: K,
    req: Req<RuntimeServiceMethods, K>,
    opts: { timeoutMs?: number } = {},
  ): Promise<Res<RuntimeServiceMethods, K>> {
    if (this.inProcess) {
      const fn = this.inProcess.runtime[method];
      return fn ? fn(req) : Promise.reject(unimplemented(method));
    }
    return this.call(this.rt, method, req, opts.timeoutMs ?? this.timeoutMs);
  }

  image<K extends keyof ImageServiceMethods>(
    method: K,
    req: Req<ImageServiceMethods, K>,
    opts: { timeoutMs?: number } = {},
  ): Promise<Res<ImageServiceMethods, K>> {
    if (this.inProcess) {
      const fn = this.inProcess.image[method];
      return fn ? fn(req) : Promise.reject(unimplemented(method));
    }
    const timeout = opts.timeoutMs ?? (method === 'PullImage' ? this.pullTimeoutMs : this.timeoutMs);
    return this.call(this.img, method, req, timeout);
  }

  close(): void {
    this.rt?.close();
    this.img?.close();
  }
}

/** A gRPC-shaped error (code + details), as the socket client would reject with. */
export function criError(code: grpc.status, message: string): Error & { code: grpc.status; details: string } {
  return Object.assign(new Error(`${code} ${grpc.status[code]}: ${message}`), { code, details: message });
}

function unimplemented(method: string): Error {
  return criError(grpc.status.UNIMPLEMENTED, `in-process CRI does not implement ${method}`);
}

/** gRPC NOT_FOUND (the runtime's answer for an unknown sandbox/container/image). */
export function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === grpc.status.NOT_FOUND;
}
