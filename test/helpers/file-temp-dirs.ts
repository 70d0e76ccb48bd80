/**
 * Temporary directories that live as long as one test file. Vitest ends its worker
 * processes without running their 'exit' handlers, so a helper that makes a directory for
 * the whole file (the test PKI) registers it here, and the setup file's afterAll
 * (file-cleanup.setup.ts) removes it once the file's own afterAll hooks are done.
 */
import { rmSync } from 'node:fs';

const KEY = Symbol.for('tkube.test.fileTempDirs');
type Registry = { [KEY]?: Set<string> };

function registry(): Set<string> {
  const g = globalThis as Registry;
  g[KEY] ??= new Set<string>();
  return g[KEY];
}

/** Removes `dir` at the end of the current test file. */
export function removeAfterThisFile(dir: string): void {
  registry().add(dir);
}

export function removeFileTempDirs(): void {
  const dirs = registry();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}
