/** This tkube: the node binary running it and dist/cli/tkube.js, both absolute (what units and netns nodes exec). */
import { fileURLToPath } from 'node:url';
import type { TkubeExecutable } from './component-plan.js';

export function thisTkube(): TkubeExecutable {
  return { node: process.execPath, tkubeJs: fileURLToPath(new URL('../tkube.js', import.meta.url)) };
}
