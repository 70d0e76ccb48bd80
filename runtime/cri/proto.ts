// Loads proto/api.proto with the options every tkube CRI client and server share.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** proto/api.proto, found upward from this module (works from sources and from a build output dir). */
function findProto(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'proto', 'api.proto');
    if (existsSync(candidate)) return candidate;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('proto/api.proto not found');
    dir = up;
  }
}

export const CRI_PROTO_PATH = process.env.TKUBE_CRI_PROTO ?? findProto();

export const CRI_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

export interface CriServices {
  RuntimeService: grpc.ServiceClientConstructor;
  ImageService: grpc.ServiceClientConstructor;
}

let cached: CriServices | undefined;

export function loadCriServices(): CriServices {
  if (cached) return cached;
  const def = protoLoader.loadSync(CRI_PROTO_PATH, CRI_LOADER_OPTIONS);
  const pkg = grpc.loadPackageDefinition(def) as unknown as { runtime: { v1: CriServices } };
  cached = { RuntimeService: pkg.runtime.v1.RuntimeService, ImageService: pkg.runtime.v1.ImageService };
  return cached;
}

/** Nanoseconds since the epoch as a decimal string (exact beyond 2^53). */
export function toNanos(ms: number): string {
  if (!ms) return '0';
  return (BigInt(Math.round(ms * 1000)) * 1000n).toString();
}
