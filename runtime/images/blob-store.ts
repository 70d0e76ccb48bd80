// Content-addressed blob store: blobs/sha256/<hex>, written through a temp file and
// renamed into place only after the sha256 of the bytes matched the digest.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { access, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { tempName } from './fs-util.js';

export class DigestMismatchError extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string,
    what = 'blob',
  ) {
    super(`${what} digest mismatch: expected ${expected}, got ${actual}`);
    this.name = 'DigestMismatchError';
  }
}

export class SizeMismatchError extends Error {
  constructor(digest: string, expected: number, actual: number) {
    super(`blob ${digest} size mismatch: expected ${expected} bytes, got ${actual}`);
    this.name = 'SizeMismatchError';
  }
}

const SHA256 = /^sha256:([a-f0-9]{64})$/;

export function hexOf(digest: string): string {
  const m = SHA256.exec(digest);
  if (!m) throw new Error(`unsupported digest "${digest}" (only sha256)`);
  return m[1]!;
}

export function sha256Digest(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Throws DigestMismatchError unless sha256(data) == digest. */
export function verifyBuffer(digest: string, data: Uint8Array, what = 'blob'): void {
  hexOf(digest);
  const actual = sha256Digest(data);
  if (actual !== digest) throw new DigestMismatchError(digest, actual, what);
}

export class BlobStore {
  private readonly dir: string;

  constructor(
    root: string,
    private readonly tmpDir: string,
  ) {
    this.dir = join(root, 'sha256');
  }

  path(digest: string): string {
    return join(this.dir, hexOf(digest));
  }

  async has(digest: string): Promise<boolean> {
    try {
      await access(this.path(digest));
      return true;
    } catch {
      return false;
    }
  }

  async get(digest: string): Promise<Buffer> {
    const data = await readFile(this.path(digest));
    verifyBuffer(digest, data);
    return data;
  }

  async putBuffer(digest: string, data: Uint8Array): Promise<void> {
    verifyBuffer(digest, data);
    await this.put(digest, Readable.from([data]), data.byteLength);
  }

  /** Stream a blob in; on any mismatch nothing is left behind. */
  async put(digest: string, source: Readable | AsyncIterable<Uint8Array>, expectedSize?: number): Promise<string> {
    const final = this.path(digest);
    await mkdir(this.dir, { recursive: true });
    await mkdir(this.tmpDir, { recursive: true });
    const tmp = tempName(this.tmpDir, 'blob');
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
    });
    try {
      await pipeline(source, meter, createWriteStream(tmp, { mode: 0o644 }));
      const actual = `sha256:${hash.digest('hex')}`;
      if (actual !== digest) throw new DigestMismatchError(digest, actual);
      if (expectedSize !== undefined && size !== expectedSize) throw new SizeMismatchError(digest, expectedSize, size);
      await rename(tmp, final);
      return final;
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async delete(digest: string): Promise<void> {
    await rm(this.path(digest), { force: true });
  }

  async list(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`);
    } catch {
      return [];
    }
  }
}
