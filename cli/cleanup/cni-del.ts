/**
 * CNI DEL for attachments a crashed runtime left behind, from the runtime's own cache
 * (`<state>/cni/<sandbox id>.json`: network config, attachment, result), so the plugins
 * undo what they did (veth, IPAM allocation, masquerade and port-mapping rules) exactly
 * as they would for a normal pod removal.
 */
import { readFileSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import { CniInvoker, type CniAttachment } from '../../runtime/network/cni.js';
import type { NetworkConfList } from '../../runtime/network/cni-config.js';
import { defaultCniBinDirs } from '../../runtime/network/default-conflist.js';

interface CniCache {
  network: NetworkConfList;
  attachment: CniAttachment;
  result?: unknown;
}

function readCache(file: string): CniCache | undefined {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<CniCache>;
    return v.network && v.attachment ? { network: v.network, attachment: v.attachment, result: v.result ?? undefined } : undefined;
  } catch {
    return undefined;
  }
}

/** Runs DEL for each cached attachment and removes the cache file; returns the sandbox ids done. */
export async function cniDelCached(files: string[], onError: (file: string, err: Error) => void): Promise<string[]> {
  const cni = new CniInvoker(defaultCniBinDirs());
  const done: string[] = [];
  for (const file of files) {
    const cache = readCache(file);
    if (cache) {
      try {
        await cni.del(cache.network, cache.attachment, cache.result);
      } catch (err) {
        onError(file, err as Error); // the sweep that follows removes what DEL could not
      }
    }
    rmSync(file, { force: true });
    done.push(basename(file, '.json'));
  }
  return done;
}
