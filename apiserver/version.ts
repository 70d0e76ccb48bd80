/**
 * The /version document (k8s.io/apimachinery version.Info). kubectl compares its own
 * minor version with `minor` here and warns past a skew of one, so we claim the
 * Kubernetes API level tkube follows (1.32) and mark the build with a `-tkube` suffix.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const KUBERNETES_MAJOR = '1';
export const KUBERNETES_MINOR = '32';

export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

const GO_ARCH: Partial<Record<NodeJS.Architecture, string>> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
};

/** Kubernetes reports platforms as Go does: linux/amd64, linux/arm64. */
export function platformString(platform: string = process.platform, arch: NodeJS.Architecture = process.arch): string {
  return `${platform}/${GO_ARCH[arch] ?? arch}`;
}

/** The commit of the checkout this module runs from, or "unknown" (installed without .git). */
export function gitCommitOf(startDir: string): string {
  let dir = startDir;
  for (let depth = 0; depth < 6; depth++) {
    try {
      const head = readFileSync(join(dir, '.git', 'HEAD'), 'utf8').trim();
      if (!head.startsWith('ref: ')) return head;
      const ref = head.slice(5);
      try {
        return readFileSync(join(dir, '.git', ref), 'utf8').trim();
      } catch {
        const packed = readFileSync(join(dir, '.git', 'packed-refs'), 'utf8');
        const line = packed.split('\n').find((l) => l.endsWith(` ${ref}`));
        return line ? line.split(' ')[0]! : 'unknown';
      }
    } catch {
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return 'unknown';
}

/** RFC 3339 without fractional seconds, as Kubernetes prints buildDate. */
function rfc3339Seconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

let cached: VersionInfo | undefined;

export function versionInfo(): VersionInfo {
  if (cached) return cached;
  const here = fileURLToPath(import.meta.url);
  // The build date is when this module was built (compiled or checked out); good enough for humans.
  let built: Date;
  try {
    built = statSync(here).mtime;
  } catch {
    built = new Date();
  }
  cached = {
    major: KUBERNETES_MAJOR,
    minor: KUBERNETES_MINOR,
    gitVersion: `v${KUBERNETES_MAJOR}.${KUBERNETES_MINOR}.0-tkube`,
    gitCommit: process.env.TKUBE_GIT_COMMIT ?? gitCommitOf(dirname(here)),
    gitTreeState: 'clean',
    buildDate: rfc3339Seconds(built),
    // tkube is not written in Go; say which runtime serves instead of inventing a Go version.
    goVersion: `n/a (node ${process.version})`,
    compiler: 'tsc',
    platform: platformString(),
  };
  return cached;
}

export function versionResponse(): { body: string; contentType: string } {
  return { body: JSON.stringify(versionInfo(), null, 2), contentType: 'application/json' };
}
