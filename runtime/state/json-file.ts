// Atomic JSON files: write to a temp file in the same dir, then rename over the record.
import { promises as fs } from 'node:fs';
import path from 'node:path';

let tmpCounter = 0;

export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  // Unique per call: two concurrent writes of one record must not share a temp file.
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${++tmpCounter}.tmp`);
  const fh = await fs.open(tmp, 'w', 0o600);
  try {
    // No fsync: the records must survive the runtime being killed (the page cache
    // does), not the machine losing power (the containers would not survive that
    // either). Skipping it keeps pod start-up off the disk's flush queue, which etcd
    // on the same disk keeps busy; temp file + rename still keeps a record whole.
    await fh.writeFile(JSON.stringify(value));
  } finally {
    await fh.close();
  }
  await fs.rename(tmp, file);
}

export async function readJson(file: string): Promise<unknown | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
