import { randomBytes } from 'node:crypto';

/** A 64-hex-digit id, like the ones containerd and CRI-O hand out. */
export function newId(): string {
  return randomBytes(32).toString('hex');
}
