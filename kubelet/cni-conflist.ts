/**
 * The CNI network configuration the kubelet hands the runtime once the node has a
 * pod CIDR: the reference bridge + host-local + loopback + portmap plugins. Written
 * atomically (temp file + rename) and only when its content changes.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface ConflistOptions {
  podCIDR: string;
  bridge: string;
  networkName?: string;
  /** host-local's state dir (default: its own /var/lib/cni/networks). */
  ipamDataDir?: string;
  portmap?: boolean;
}

export function buildConflist(o: ConflistOptions): Record<string, unknown> {
  const plugins: Record<string, unknown>[] = [
    {
      type: 'bridge',
      bridge: o.bridge,
      isGateway: true,
      ipMasq: true,
      hairpinMode: true,
      ipam: {
        type: 'host-local',
        ranges: [[{ subnet: o.podCIDR }]],
        routes: [{ dst: '0.0.0.0/0' }],
        ...(o.ipamDataDir ? { dataDir: o.ipamDataDir } : {}),
      },
    },
  ];
  if (o.portmap !== false) plugins.push({ type: 'portmap', capabilities: { portMappings: true } });
  plugins.push({ type: 'loopback' });
  return { cniVersion: '1.0.0', name: o.networkName ?? 'tkube', plugins };
}

export const CONFLIST_FILE = '10-tkube.conflist';

/** Writes <dir>/10-tkube.conflist; returns whether it changed. */
export async function writeConflist(dir: string, o: ConflistOptions): Promise<boolean> {
  const file = path.join(dir, CONFLIST_FILE);
  const content = `${JSON.stringify(buildConflist(o), null, 2)}\n`;
  const old = await fs.readFile(file, 'utf8').catch(() => '');
  if (old === content) return false;
  await fs.mkdir(dir, { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  await fs.writeFile(tmp, content);
  await fs.rename(tmp, file);
  return true;
}
