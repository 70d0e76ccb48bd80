// A directory of JSON records kept in memory and persisted atomically on every change.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { readJson, writeJsonAtomic } from './json-file.js';

export class RecordStore<T extends { id: string }> {
  private readonly items = new Map<string, T>();

  constructor(
    private readonly dir: string,
    private readonly schema: z.ZodType<T>,
  ) {}

  /** Reads every record from disk; unreadable files are reported, not fatal. */
  async load(onBad: (file: string, err: unknown) => void): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    for (const name of await fs.readdir(this.dir)) {
      if (!name.endsWith('.json') || name.startsWith('.')) continue;
      const file = path.join(this.dir, name);
      try {
        const rec = this.schema.parse(await readJson(file));
        this.items.set(rec.id, rec);
      } catch (err) {
        onBad(file, err);
      }
    }
  }

  get(id: string): T | undefined {
    return this.items.get(id);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  async put(rec: T): Promise<void> {
    this.items.set(rec.id, rec);
    await writeJsonAtomic(path.join(this.dir, `${rec.id}.json`), rec);
  }

  async delete(id: string): Promise<void> {
    this.items.delete(id);
    await fs.rm(path.join(this.dir, `${id}.json`), { force: true });
  }
}
