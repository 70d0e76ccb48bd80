import { describe, expect, it } from 'vitest';
import { diffRoutes, routeArgs, type InstalledRoute } from './routes.js';

describe('diffRoutes', () => {
  it('keeps matching routes, replaces changed ones, removes ones no longer wanted', () => {
    const have: InstalledRoute[] = [
      { dst: '10.244.1.0/24', gateway: '192.168.1.3', dev: 'eth0', onlink: false },
      { dst: '10.244.2.0/24', gateway: '192.168.1.4', dev: 'eth0', onlink: false },
      { dst: '10.244.9.0/24', gateway: '192.168.1.9', dev: 'eth0', onlink: false },
    ];
    const { replace, remove } = diffRoutes(have, [
      { dst: '10.244.1.0/24', gateway: '192.168.1.3', onlink: false },
      { dst: '10.244.2.0/24', gateway: '192.168.1.5', onlink: false },
      { dst: '10.244.3.0/24', gateway: '192.168.1.6', onlink: false },
    ]);
    expect(replace.map((r) => r.dst)).toEqual(['10.244.2.0/24', '10.244.3.0/24']);
    expect(remove.map((r) => r.dst)).toEqual(['10.244.9.0/24']);
  });

  it('a host-gw route becomes a vxlan route when the mode changes', () => {
    const have: InstalledRoute[] = [{ dst: '10.244.1.0/24', gateway: '192.168.1.3', dev: 'eth0', onlink: false }];
    const { replace, remove } = diffRoutes(have, [{ dst: '10.244.1.0/24', gateway: '10.244.1.0', dev: 'tkube.1', onlink: true }]);
    expect(replace).toHaveLength(1);
    expect(remove).toHaveLength(0);
  });

  it('marks every route with the agent protocol', () => {
    expect(routeArgs({ dst: '10.244.1.0/24', gateway: '10.244.1.0', dev: 'tkube.1', onlink: true })).toEqual([
      '10.244.1.0/24', 'via', '10.244.1.0', 'dev', 'tkube.1', 'onlink', 'proto', '77',
    ]);
  });
});
