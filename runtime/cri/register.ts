// Adapts promise-returning handlers to grpc-js unary handlers with CRI error codes.
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { CriError } from './grpc-errors.js';

type Handlers = Record<string, (req: never) => Promise<unknown>>;

export function toGrpcImplementation(handlers: Handlers, log: Logger): grpc.UntypedServiceImplementation {
  const impl: grpc.UntypedServiceImplementation = {};
  for (const [name, fn] of Object.entries(handlers)) {
    impl[name] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const started = Date.now();
      (fn as (req: unknown) => Promise<unknown>)(call.request).then(
        (res) => {
          log.debug({ method: name, ms: Date.now() - started }, 'cri call');
          callback(null, res);
        },
        (err: unknown) => {
          const code = err instanceof CriError ? err.code : grpc.status.UNKNOWN;
          const message = err instanceof Error ? err.message : String(err);
          if (code !== grpc.status.NOT_FOUND) log.warn({ method: name, code, err: message }, 'cri call failed');
          callback({ code, details: message, name: 'CriError', message });
        },
      );
    };
  }
  return impl;
}
