/**
 * OCI containers under a runtime's runc/crun root, handled directly with the OCI runtime
 * (no CRI): killed, or killed and deleted. runc and crun keep state in the same layout,
 * so each id is tried with both.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const OCI_RUNTIMES = ['runc', 'crun'];

function containerIds(ociRoot: string): string[] {
  return existsSync(ociRoot) ? readdirSync(ociRoot, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name) : [];
}

/** SIGKILL to every process of every container; returns the ids it reached. */
export async function killContainers(ociRoot: string): Promise<string[]> {
  const killed: string[] = [];
  await Promise.all(
    containerIds(ociRoot).map(async (id) => {
      for (const bin of OCI_RUNTIMES) {
        try {
          await run(bin, ['--root', ociRoot, 'kill', '--all', id, 'KILL']);
          killed.push(id);
          return;
        } catch {
          /* not this runtime's, or already stopped */
        }
      }
    }),
  );
  return killed;
}

/** Kills and deletes every container (which also removes the cgroups runc made); returns the ids deleted. */
export async function deleteContainers(ociRoot: string): Promise<string[]> {
  const deleted: string[] = [];
  for (const id of containerIds(ociRoot)) {
    for (const bin of OCI_RUNTIMES) {
      try {
        await run(bin, ['--root', ociRoot, 'delete', '--force', id]);
        deleted.push(id);
        break;
      } catch {
        /* not this runtime's, or already gone */
      }
    }
    rmSync(join(ociRoot, id), { recursive: true, force: true });
  }
  return deleted;
}
