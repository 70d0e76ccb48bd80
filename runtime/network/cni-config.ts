// Loading a CNI network configuration list (libcni's ConfFromFile/ConfListFromFile).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const PluginConfSchema = z.looseObject({
  type: z.string(),
  capabilities: z.record(z.string(), z.boolean()).optional(),
});
export type PluginConf = z.infer<typeof PluginConfSchema>;

const ConfListSchema = z.looseObject({
  cniVersion: z.string(),
  name: z.string(),
  plugins: z.array(PluginConfSchema).min(1),
  disableCheck: z.boolean().optional(),
});

const SingleConfSchema = z.looseObject({
  cniVersion: z.string(),
  name: z.string(),
  type: z.string(),
});

export interface NetworkConfList {
  cniVersion: string;
  name: string;
  plugins: PluginConf[];
  file: string;
}

/** Parses one .conflist or .conf/.json file; a single plugin becomes a one-entry list. */
export function parseNetworkConf(text: string, file: string): NetworkConfList {
  const raw: unknown = JSON.parse(text);
  if (file.endsWith('.conflist')) {
    const l = ConfListSchema.parse(raw);
    return { cniVersion: l.cniVersion, name: l.name, plugins: l.plugins, file };
  }
  const c = SingleConfSchema.parse(raw);
  const { cniVersion, name, ...plugin } = c;
  return { cniVersion, name, plugins: [PluginConfSchema.parse(plugin)], file };
}

/** The first network configuration in lexical order, as the kubelet/CRI runtimes choose it. */
export async function loadDefaultNetwork(confDir: string): Promise<NetworkConfList> {
  let names: string[];
  try {
    names = await fs.readdir(confDir);
  } catch {
    throw new Error(`no CNI configuration directory ${confDir}`);
  }
  const candidates = names.filter((n) => /\.(conflist|conf|json)$/.test(n)).sort();
  for (const n of candidates) {
    const file = path.join(confDir, n);
    try {
      return parseNetworkConf(await fs.readFile(file, 'utf8'), file);
    } catch {
      continue; // libcni skips invalid files too
    }
  }
  throw new Error(`no valid CNI network configuration in ${confDir}`);
}
