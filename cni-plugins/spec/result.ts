/**
 * The CNI Result (spec 1.0.0 shape) that ADD prints and later plugins receive as
 * prevResult, with the conversion to the older 0.3.x/0.4.0 shape (ips carry a
 * `version` field there).
 */
import { z } from 'zod';
import { compareVersions } from './version.js';

export const InterfaceSchema = z.looseObject({
  name: z.string(),
  mac: z.string().optional(),
  mtu: z.number().int().optional(),
  sandbox: z.string().optional(),
});

export const IpConfigSchema = z.looseObject({
  address: z.string(),
  gateway: z.string().optional(),
  interface: z.number().int().nonnegative().optional(),
  version: z.string().optional(),
});

export const RouteSchema = z.looseObject({
  dst: z.string(),
  gw: z.string().optional(),
  mtu: z.number().int().optional(),
  advmss: z.number().int().optional(),
  priority: z.number().int().optional(),
  table: z.number().int().optional(),
  scope: z.number().int().optional(),
});

export const DnsSchema = z.looseObject({
  nameservers: z.array(z.string()).optional(),
  domain: z.string().optional(),
  search: z.array(z.string()).optional(),
  options: z.array(z.string()).optional(),
});

export const CniResultSchema = z.looseObject({
  cniVersion: z.string(),
  interfaces: z.array(InterfaceSchema).optional(),
  ips: z.array(IpConfigSchema).optional(),
  routes: z.array(RouteSchema).optional(),
  dns: DnsSchema.optional(),
});

export type CniInterface = z.infer<typeof InterfaceSchema>;
export type CniIpConfig = z.infer<typeof IpConfigSchema>;
export type CniRoute = z.infer<typeof RouteSchema>;
export type CniDns = z.infer<typeof DnsSchema>;
export type CniResult = z.infer<typeof CniResultSchema>;

/** Renders a result for the requested cniVersion (adds/removes ips[].version). */
export function formatResult(result: CniResult, cniVersion: string): CniResult {
  const legacy = compareVersions(cniVersion, '1.0.0') < 0;
  const ips = result.ips?.map((ip) => {
    const { version: _drop, ...rest } = ip;
    return legacy ? { ...rest, version: ip.address.includes(':') ? '6' : '4' } : rest;
  });
  const out: CniResult = { ...result, cniVersion };
  if (ips !== undefined) out.ips = ips;
  return out;
}

/**
 * Appends this plugin's own interfaces/ips/routes to a prevResult (spec: a chained
 * plugin passes the previous result through with its additions). Interface indices of
 * the new ips are shifted past the interfaces already present.
 */
export function mergeResults(prev: CniResult | undefined, own: CniResult): CniResult {
  if (prev === undefined) return own;
  const offset = prev.interfaces?.length ?? 0;
  const ownIps = (own.ips ?? []).map((ip) =>
    ip.interface === undefined ? ip : { ...ip, interface: ip.interface + offset },
  );
  const dns = own.dns !== undefined && Object.keys(own.dns).length > 0 ? own.dns : prev.dns;
  const merged: CniResult = {
    ...prev,
    cniVersion: own.cniVersion,
    interfaces: [...(prev.interfaces ?? []), ...(own.interfaces ?? [])],
    ips: [...(prev.ips ?? []), ...ownIps],
    routes: [...(prev.routes ?? []), ...(own.routes ?? [])],
  };
  if (dns !== undefined) merged.dns = dns;
  return merged;
}
