/** Reading request bodies: a size limit (413), JSON, YAML or Kubernetes protobuf by Content-Type (415 otherwise), parse errors as 400. */
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError, badRequest, tooLarge, unsupportedMediaType } from '../../api/meta/errors.js';
import { SUPPORTED_PATCH_TYPES } from '../patch/apply-patch.js';
import { decodeProtobufObject, PROTOBUF_MEDIA_TYPE } from '../protobuf/decode.js';

/** kube-apiserver's limit on a request body (--max-request-bytes is 3 MiB by default for most requests). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) {
    req.resume();
    return Promise.reject(tooLarge(`Request entity too large: limit is ${limit}`));
  }
  // Plain 'data'/'end' listeners: the async iterator of a stream costs noticeably more per request.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        fail(tooLarge(`Request entity too large: limit is ${limit}`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (settled) return;
      settled = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.once('error', fail);
    // 'close' follows 'end' on every request: build the error (and its stack trace) only when it is one.
    req.once('close', () => {
      if (!settled) fail(badRequest('the client closed the connection before sending the whole request body'));
    });
  });
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
    case PROTOBUF_MEDIA_TYPE:
      return decodeProtobufObject(body);
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
  if (!PATCH_TYPES.includes(contentType)) {
    // unsupportedMediaType lists the media types of object bodies; a patch takes only the patch types served.
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${SUPPORTED_PATCH_TYPES.join(', ')} (got ${JSON.stringify(contentType)})`,
    );
  }
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
