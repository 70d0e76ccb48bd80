// The network the runtime uses when the CNI conf dir holds none: tkube's own bridge
// plugin (with its built-in IPAM over the node's pod CIDR) chained with the reference
// portmap (hostPort) and loopback plugins.
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_CONFLIST_FILE = '10-tkube.conflist';
export const DEFAULT_NETWORK_NAME = 'tkube';
export const DEFAULT_BRIDGE = 'tkube0';

export interface DefaultConflistOptions {
  /** The node's pod CIDR, e.g. 10.244.1.0/24. */
  podCidr: string;
  name?: string;
  bridge?: string;
  /** Allocation store of tkube-bridge's IPAM (default /var/lib/cni/networks). */
  ipamDataDir?: string;
}

const CIDR_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

function assertIpv4Cidr(cidr: string): void {
  const m = CIDR_RE.exec(cidr);
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const bits = m ? Number(m[5]) : -1;
  // A pod subnet needs room for network, gateway, broadcast and at least one pod.
  if (!m || octets.some((o) => o > 255) || bits < 8 || bits > 30) {
    throw new Error(`invalid pod CIDR ${JSON.stringify(cidr)}: want an IPv4 a.b.c.d/8..30`);
  }
}

export function defaultConflist(opts: DefaultConflistOptions): Record<string, unknown> {
  assertIpv4Cidr(opts.podCidr);
  return {
    cniVersion: '1.0.0',
    name: opts.name ?? DEFAULT_NETWORK_NAME,
    plugins: [
      {
        type: 'tkube-bridge',
        bridge: opts.bridge ?? DEFAULT_BRIDGE,
        isGateway: true,
        ipMasq: true,
        hairpinMode: true,
        ipam: { subnet: opts.podCidr, ...(opts.ipamDataDir ? { dataDir: opts.ipamDataDir } : {}) },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
      { type: 'loopback' },
    ],
  };
}

/** True when the dir holds a file the runtime would read as a network config. */
export async function hasNetworkConfig(confDir: string): Promise<boolean> {
  const names = await fs.readdir(confDir).catch(() => [] as string[]);
  return names.some((n) => /\.(conflist|conf|json)$/.test(n));
}

/**
 * Writes the default conflist into confDir unless it already holds a network config
 * (an operator's own config always wins). Returns the file written, or undefined.
 */
export async function ensureDefaultConflist(confDir: string, opts: DefaultConflistOptions): Promise<string | undefined> {
  const conf = defaultConflist(opts); // validate before touching the disk
  if (await hasNetworkConfig(confDir)) return undefined;
  await fs.mkdir(confDir, { recursive: true });
  const file = path.join(confDir, DEFAULT_CONFLIST_FILE);
  // Written whole then renamed: the runtime may be reading the dir concurrently.
  const tmp = `${file}.tmp-${process.pid}`;
  await fs.writeFile(tmp, `${JSON.stringify(conf, null, 2)}\n`, { mode: 0o644 });
  await fs.rename(tmp, file);
  return file;
}

/**
 * The repository's cni-plugins/bin, found from this module whether it runs from
 * source (runtime/network/) or compiled (dist/runtime/network/); undefined when absent.
 */
export function repoPluginBinDir(fromUrl: string = import.meta.url): string | undefined {
  let dir = path.dirname(fileURLToPath(fromUrl));
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'cni-plugins', 'bin');
    if (existsSync(path.join(candidate, 'tkube-bridge'))) return candidate;
    dir = path.dirname(dir);
  }
  return undefined;
}

/** CNI bin dirs when none are configured: tkube's own plugins first, then the distro's. */
export function defaultCniBinDirs(): string[] {
  const own = repoPluginBinDir();
  return [...(own ? [own] : []), '/usr/lib/cni', '/opt/cni/bin'];
}
