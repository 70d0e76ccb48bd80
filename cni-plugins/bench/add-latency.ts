/**
 * ADD/DEL latency of tkube-bridge against the reference bridge + host-local plugin,
 * measured the same way in the same run: N sequential ADDs, each into a fresh netns,
 * then N DELs. Also the bare start-up cost (VERSION). Needs root.
 *
 *   npx tsc -p cni-plugins/tsconfig.build.json && node dist/cni-plugins/bench/add-latency.js [N]
 */
import { join } from 'node:path';
import { HostFixture, PLUGIN_BIN_DIR, REFERENCE_BIN_DIR, execPlugin } from '../testing/host-fixture.js';

const N = Number(process.argv[2] ?? 20);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

function p90(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.9))] ?? NaN;
}

async function timed(fn: () => Promise<{ code: number; stdout: string }>): Promise<number> {
  const t = performance.now();
  const r = await fn();
  if (r.code !== 0) throw new Error(`plugin failed: ${r.stdout}`);
  return performance.now() - t;
}

interface Row {
  version: number[];
  add: number[];
  del: number[];
}

async function measure(fx: HostFixture, plugin: string, conf: Record<string, unknown>, tag: string): Promise<Row> {
  const row: Row = { version: [], add: [], del: [] };
  const stdin = JSON.stringify(conf);
  for (let i = 0; i < N; i++) row.version.push(await timed(() => execPlugin(plugin, { CNI_COMMAND: 'VERSION' }, '')));
  const namespaces: string[] = [];
  for (let i = 0; i < N; i++) namespaces.push(await fx.netns(`${tag}${i}`));
  const env = (cmd: string, i: number) => ({
    CNI_COMMAND: cmd,
    CNI_CONTAINERID: `bench-${tag}-${i}`,
    CNI_NETNS: namespaces[i] ?? '',
    CNI_IFNAME: 'eth0',
    CNI_PATH: `${PLUGIN_BIN_DIR}:${REFERENCE_BIN_DIR}`,
  });
  for (let i = 0; i < N; i++) row.add.push(await timed(() => execPlugin(plugin, env('ADD', i), stdin)));
  for (let i = 0; i < N; i++) row.del.push(await timed(() => execPlugin(plugin, env('DEL', i), stdin)));
  return row;
}

const fx = new HostFixture();
try {
  await fx.setup();
  const dataDir = await fx.tempDir();
  const common = { cniVersion: '1.0.0', isGateway: true, ipMasq: true, hairpinMode: true };
  const own = await measure(
    fx,
    join(PLUGIN_BIN_DIR, 'tkube-bridge'),
    { ...common, name: fx.network('own'), type: 'tkube-bridge', bridge: fx.bridge, ipam: { subnet: '10.203.0.0/24', dataDir } },
    'o',
  );
  const refBridge = fx.addBridge(`tktrf${fx.suffix}`);
  const ref = await measure(
    fx,
    join(REFERENCE_BIN_DIR, 'bridge'),
    {
      ...common,
      name: fx.network('ref'),
      type: 'bridge',
      bridge: refBridge,
      ipam: { type: 'host-local', subnet: '10.203.1.0/24', routes: [{ dst: '0.0.0.0/0' }], dataDir },
    },
    'r',
  );
  const fmt = (x: number) => x.toFixed(1).padStart(7);
  console.log(`CNI plugin latency, ${N} sequential operations each, ms (median / p90)`);
  console.log('                          VERSION            ADD                DEL');
  for (const [label, r] of [['tkube-bridge', own], ['reference bridge+host-local', ref]] as const) {
    console.log(
      `${label.padEnd(28)}${fmt(median(r.version))} /${fmt(p90(r.version))}  ${fmt(median(r.add))} /${fmt(p90(r.add))}  ${fmt(median(r.del))} /${fmt(p90(r.del))}`,
    );
  }
  console.log(`ADD median ratio tkube/reference: ${(median(own.add) / median(ref.add)).toFixed(2)}`);
} finally {
  await fx.cleanup();
}
