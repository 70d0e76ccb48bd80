/**
 * `tkctl edit TYPE NAME`: the object as YAML in $KUBE_EDITOR / $EDITOR (default vi), then
 * an update. When the update fails (a conflict with another writer, an invalid object)
 * the editor opens again on the edited text with the error as a comment, as kubectl does;
 * for a conflict the resourceVersion is refreshed so that saving again wins.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { isApiError } from '../../api/meta/errors.js';
import type { KubeObject } from '../../api/meta/object-meta.js';
import { errorLine } from './errors.js';
import { CliError, type CliIO } from './io.js';
import { withTypeMeta } from './output.js';
import { parseTypeAndNames, typePrefix } from './resource-types.js';
import type { Session } from './session.js';

const HEADER = [
  '# Please edit the object below. Lines beginning with a \'#\' will be ignored,',
  '# and an empty file will abort the edit. If an error occurs while saving this file will be',
  '# reopened with the relevant failures.',
  '#',
];

function stripComments(text: string): string {
  return text
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join('\n');
}

/** Runs the editor on the file and waits for it (asynchronously: the event loop keeps running). */
async function openEditor(file: string, io: CliIO): Promise<void> {
  const editor = io.env.KUBE_EDITOR || io.env.EDITOR || 'vi';
  // Through the shell, so EDITOR may carry arguments ("code --wait").
  const child = spawn('/bin/sh', ['-c', `${editor} "$1"`, 'editor', file], { stdio: 'inherit', env: io.env });
  const code = await new Promise<number | null>((resolve) => {
    child.on('error', () => resolve(null));
    child.on('exit', (c) => resolve(c));
  });
  if (code !== 0) throw new CliError(`there was a problem with the editor "${editor}"`);
}

export async function runEdit(session: Session, args: string[], io: CliIO): Promise<void> {
  const targets = parseTypeAndNames(args);
  if (targets.length !== 1 || targets[0]!.names.length !== 1) throw new CliError('edit takes exactly one object: TYPE NAME or TYPE/NAME');
  const { def, names } = targets[0]!;
  const name = names[0]!;
  const rc = session.client.resource(def, def.namespaced ? session.namespace : undefined);
  const original = withTypeMeta(def, await rc.get(name));
  const originalText = stringify(original, { lineWidth: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'tkctl-edit-'));
  const file = join(dir, `${def.plural}-${name}.yaml`);
  try {
    let text = [...HEADER, originalText].join('\n');
    for (;;) {
      writeFileSync(file, text);
      await openEditor(file, io);
      const edited = readFileSync(file, 'utf8');
      const body = stripComments(edited);
      if (body.trim() === '') {
        io.stdout.write('Edit cancelled, no changes made.\n');
        return;
      }
      let obj: KubeObject;
      try {
        obj = parse(body) as KubeObject;
      } catch (err) {
        text = [...HEADER, `# error: ${errorLine(err)}`, '#', body].join('\n');
        continue;
      }
      if (JSON.stringify(obj) === JSON.stringify(parse(originalText))) {
        io.stdout.write('Edit cancelled, no changes made.\n');
        return;
      }
      try {
        await rc.update(obj);
        io.stdout.write(`${typePrefix(def)}/${name} edited\n`);
        return;
      } catch (err) {
        if (!isApiError(err, 'Conflict') && !isApiError(err, 'Invalid') && !isApiError(err, 'BadRequest')) throw err;
        if (isApiError(err, 'Conflict')) {
          const latest = await rc.get(name);
          obj.metadata = { ...obj.metadata, resourceVersion: latest.metadata.resourceVersion };
        }
        text = [...HEADER, `# ${typePrefix(def)} "${name}" was not valid:`, `# * ${errorLine(err)}`, '#', stringify(obj, { lineWidth: 0 })].join('\n');
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
