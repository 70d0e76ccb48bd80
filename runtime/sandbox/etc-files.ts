// The per-sandbox /etc/hostname, /etc/hosts and /etc/resolv.conf that every
// container of the pod bind-mounts.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { DNSConfig } from '../cri/types.js';

export interface EtcFiles { hostname: string; hosts: string; resolvConf: string }

export function etcFilePaths(dir: string): EtcFiles {
  return { hostname: path.join(dir, 'hostname'), hosts: path.join(dir, 'hosts'), resolvConf: path.join(dir, 'resolv.conf') };
}

export function hostsContent(hostname: string, ip: string): string {
  const lines = [
    '# Kubernetes-managed hosts file (tkube runtime).',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
  ];
  if (ip) lines.push(`${ip}\t${hostname}`);
  return `${lines.join('\n')}\n`;
}

export function resolvConfContent(dns: DNSConfig | null, hostResolvConf: string): string {
  if (!dns || (dns.servers.length === 0 && dns.searches.length === 0 && dns.options.length === 0)) return hostResolvConf;
  const lines: string[] = [];
  if (dns.searches.length) lines.push(`search ${dns.searches.join(' ')}`);
  for (const s of dns.servers) lines.push(`nameserver ${s}`);
  if (dns.options.length) lines.push(`options ${dns.options.join(' ')}`);
  return `${lines.join('\n')}\n`;
}

export async function writeEtcFiles(dir: string, hostname: string, ip: string, dns: DNSConfig | null): Promise<EtcFiles> {
  const p = etcFilePaths(dir);
  let hostResolv = '';
  try {
    hostResolv = await fs.readFile('/etc/resolv.conf', 'utf8');
  } catch {
    /* no host resolv.conf */
  }
  await fs.writeFile(p.hostname, `${hostname}\n`);
  await fs.writeFile(p.hosts, hostsContent(hostname, ip));
  await fs.writeFile(p.resolvConf, resolvConfContent(dns, hostResolv));
  return p;
}
