// Public entry points of the CRI runtime (what `bin/tkube runtime` and tests use).
export { startRuntime, resolveBinary, type RunningRuntime, type RuntimeOptions } from './server.js';
export { runRuntimeCommand, RUNTIME_USAGE } from './cli.js';
export { loadCriServices, CRI_PROTO_PATH, CRI_LOADER_OPTIONS } from './cri/proto.js';
export type { RuntimeImageStore, ImageRecord, ImageConfig } from './image-source.js';
export type * from './cri/types.js';
