// Vitest setup file: runs in every test file. Its afterAll is registered first, so it runs
// after the file's own afterAll hooks (which stop the processes that use these directories).
import { afterAll } from 'vitest';
import { removeFileTempDirs } from './file-temp-dirs.js';

afterAll(() => {
  removeFileTempDirs();
});
