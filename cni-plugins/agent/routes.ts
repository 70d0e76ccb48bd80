/**
 * Programs the routes to other nodes' pod CIDRs. Every route the agent installs carries
 * the routing protocol number ROUTE_PROTO, so the agent finds its own routes after a
 * restart (re-adopts them) and never touches routes someone else installed.
 */
import type { DesiredRoute } from './desired-state.js';
import { isAlreadyGone, type NetnsHost } from './host.js';

/** `proto 77` marks tkube network-agent routes (unassigned in /etc/iproute2/rt_protos). */
export const ROUTE_PROTO = '77';

interface IpRouteJson {
  dst?: string;
  gateway?: string;
  dev?: string;
  flags?: string[];
}

export interface InstalledRoute {
  dst: string;
  gateway?: string;
  dev?: string;
  onlink: boolean;
}

export async function listAgentRoutes(host: NetnsHost): Promise<InstalledRoute[]> {
  const rows = await host.ipJson<IpRouteJson>(['-4', 'route', 'show', 'table', 'main', 'proto', ROUTE_PROTO]);
  return rows
    .filter((r): r is IpRouteJson & { dst: string } => typeof r.dst === 'string')
    .map((r) => ({
      dst: r.dst.includes('/') ? r.dst : `${r.dst}/32`,
      ...(r.gateway ? { gateway: r.gateway } : {}),
      ...(r.dev ? { dev: r.dev } : {}),
      onlink: (r.flags ?? []).includes('onlink'),
    }));
}

/** Whether an installed route already is the desired one (host-gw leaves dev to the kernel). */
export function routeMatches(have: InstalledRoute, want: DesiredRoute): boolean {
  return have.dst === want.dst && have.gateway === want.gateway && (want.dev === undefined || have.dev === want.dev) && have.onlink === want.onlink;
}

export interface RouteChanges {
  replace: DesiredRoute[];
  remove: InstalledRoute[];
}

export function diffRoutes(have: readonly InstalledRoute[], want: readonly DesiredRoute[]): RouteChanges {
  const wanted = new Map(want.map((r) => [r.dst, r]));
  const remove = have.filter((r) => !wanted.has(r.dst));
  const replace = want.filter((w) => !have.some((h) => routeMatches(h, w)));
  return { replace, remove };
}

export function routeArgs(r: DesiredRoute): string[] {
  return [r.dst, 'via', r.gateway, ...(r.dev ? ['dev', r.dev] : []), ...(r.onlink ? ['onlink'] : []), 'proto', ROUTE_PROTO];
}

/**
 * Makes the agent's routes exactly `want`. A route that cannot be installed (host-gw
 * to a gateway that is not on a local subnet) does not stop the others; the errors
 * are returned for the caller to report and retry.
 */
export async function syncRoutes(host: NetnsHost, want: readonly DesiredRoute[]): Promise<{ changes: RouteChanges; errors: Error[] }> {
  const changes = diffRoutes(await listAgentRoutes(host), want);
  const errors: Error[] = [];
  for (const r of changes.remove) {
    await host.ip(['-4', 'route', 'del', r.dst, 'proto', ROUTE_PROTO]).catch((err: unknown) => {
      if (!isAlreadyGone(err)) errors.push(err as Error);
    });
  }
  for (const r of changes.replace) {
    await host.ip(['-4', 'route', 'replace', ...routeArgs(r)]).catch((err: unknown) => errors.push(err as Error));
  }
  return { changes, errors };
}

export async function removeAgentRoutes(host: NetnsHost): Promise<void> {
  const { errors } = await syncRoutes(host, []);
  if (errors.length > 0) throw errors[0];
}
