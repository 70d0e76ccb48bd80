/**
 * Objects from -f arguments: files, directories (their .yaml/.yml/.json files, and
 * subdirectories with -R), and `-` for stdin; multi-document YAML and `kind: List`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, isAbsolute, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { parseAllDocuments } from 'yaml';
import { CliError, type CliIO } from './io.js';

export type Manifest = Record<string, unknown> & {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: Record<string, unknown>;
};

export interface SourcedManifest {
  obj: Manifest;
  source: string;
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

function listFiles(path: string, recursive: boolean, top: boolean): string[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new CliError(`the path "${path}" does not exist`);
  }
  if (!st.isDirectory()) return top || EXTENSIONS.has(extname(path)) ? [path] : [];
  if (!top && !recursive) return [];
  return readdirSync(path)
    .sort()
    .flatMap((entry) => listFiles(join(path, entry), recursive, false));
}

async function readStream(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses one file's text into objects; empty documents are skipped, Lists flattened. */
export function parseManifests(text: string, source: string): SourcedManifest[] {
  const out: SourcedManifest[] = [];
  for (const doc of parseAllDocuments(text)) {
    if ('errors' in doc && doc.errors.length > 0) {
      throw new CliError(`error parsing ${source}: ${doc.errors[0]!.message.split('\n')[0]}`);
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) throw new CliError(`error parsing ${source}: a document is not an object`);
    const obj = value as Manifest;
    if (typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items)) {
      for (const item of obj.items as Manifest[]) out.push({ obj: item, source });
      continue;
    }
    if (!obj.apiVersion || !obj.kind) {
      throw new CliError(`error validating "${source}": error validating data: ${!obj.apiVersion ? 'apiVersion' : 'kind'} not set`);
    }
    out.push({ obj, source });
  }
  return out;
}

export async function readManifests(paths: string[], recursive: boolean, io: CliIO): Promise<SourcedManifest[]> {
  if (paths.length === 0) throw new CliError('must specify one of -f and -k');
  const out: SourcedManifest[] = [];
  for (const p of paths) {
    if (p === '-') {
      out.push(...parseManifests(await readStream(io.stdin), 'STDIN'));
      continue;
    }
    const abs = isAbsolute(p) ? p : resolve(io.cwd, p);
    for (const file of listFiles(abs, recursive, true)) {
      out.push(...parseManifests(readFileSync(file, 'utf8'), p === abs ? file : file.replace(abs, p)));
    }
  }
  if (out.length === 0) throw new CliError('no objects passed to apply');
  return out;
}
