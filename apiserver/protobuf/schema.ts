/** Loads proto/k8s/*.proto (the Kubernetes generated.proto subsets) and finds the message of an apiVersion/kind. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const PROTO_FILES = [
  'runtime.proto',
  'intstr.proto',
  'resource.proto',
  'meta-v1.proto',
  'core-v1.proto',
  'apps-v1.proto',
  'coordination-v1.proto',
  'autoscaling-v1.proto',
  'certificates-v1.proto',
  'authentication-v1.proto',
  'rbac-v1.proto',
  'authorization-v1.proto',
];

const META_V1 = 'k8s.io.apimachinery.pkg.apis.meta.v1';

/** Kinds of meta/v1 that clients send under the version of the resource they act on. */
const META_KINDS = new Set(['DeleteOptions']);

/** proto/k8s, found upward from this module (works from sources and from a build output dir). */
function findProtoDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'proto', 'k8s');
    if (existsSync(path.join(candidate, 'core-v1.proto'))) return candidate;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('proto/k8s/core-v1.proto not found');
    dir = up;
  }
}

let root: protobuf.Root | undefined;

export function k8sProtoRoot(): protobuf.Root {
  if (root) return root;
  const dir = process.env.TKUBE_K8S_PROTO_DIR ?? findProtoDir();
  // keepCase: the generated.proto field names are the JSON names (generateName, not generate_name).
  const loaded = new protobuf.Root().loadSync(
    PROTO_FILES.map((f) => path.join(dir, f)),
    { keepCase: true },
  );
  loaded.resolveAll();
  root = loaded;
  return root;
}

/** The protobuf package of an API group version: "apps/v1" → k8s.io.api.apps.v1, "v1" → k8s.io.api.core.v1. */
export function protoPackage(apiVersion: string): string | undefined {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  if (!version) return undefined;
  if (group === 'meta.k8s.io') return META_V1;
  const short = group === '' ? 'core' : group.replace(/\.k8s\.io$/, '');
  // rbac.authorization.k8s.io is the one built-in group whose package drops more than the suffix.
  if (group === 'rbac.authorization.k8s.io') return `k8s.io.api.rbac.${version}`;
  if (short.includes('.')) return undefined; // not a built-in Kubernetes group
  return `k8s.io.api.${short}.${version}`;
}

/** The message type of an object, or undefined when tkube has no protobuf definition for it. */
export function messageTypeFor(apiVersion: string, kind: string): protobuf.Type | undefined {
  const pkg = META_KINDS.has(kind) ? META_V1 : protoPackage(apiVersion);
  if (!pkg || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return undefined;
  const found = k8sProtoRoot().lookup(`${pkg}.${kind}`);
  return found instanceof protobuf.Type ? found : undefined;
}
