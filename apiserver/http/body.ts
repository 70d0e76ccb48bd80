/** Reading request bodies: a size limit (413), JSON or YAML by Content-Type (415 otherwise), parse errors as 400. */
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { badRequest, tooLarge, unsupportedMediaType } from '../../api/meta/errors.js';

/** kube-apiserver's limit on a request body (--max-request-bytes is 3 MiB by default for most requests). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) {
    req.resume();
    throw tooLarge(`Request entity too large: limit is ${limit}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw tooLarge(`Request entity too large: limit is ${limit}`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Parses a create/update body. Patch bodies are parsed by parsePatchBody. */
export function parseObjectBody(body: Buffer, contentType: string): unknown {
  switch (contentType) {
    case '':
    case 'application/json':
      return parseJson(body);
    case 'application/yaml':
    case 'application/x-yaml':
    case 'text/yaml':
      return parseYamlBody(body);
    default:
      throw unsupportedMediaType(contentType);
  }
}

export const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

export function parsePatchBody(body: Buffer, contentType: string): unknown {
  if (!PATCH_TYPES.includes(contentType)) throw unsupportedMediaType(contentType);
  if (contentType === 'application/apply-patch+yaml') return parseYamlBody(body);
  return parseJson(body);
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) throw badRequest('the request body is empty: expected a JSON object');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw badRequest(`the request body is not valid JSON: ${(err as Error).message}`);
  }
}

function parseYamlBody(body: Buffer): unknown {
  if (body.length === 0) throw badRequest('the request body is empty: expected a YAML object');
  try {
    return parseYaml(body.toString('utf8'));
  } catch (err) {
    throw badRequest(`the request body is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
}
