/** Decodes an `application/vnd.kubernetes.protobuf` request body into the object's JSON form. */
import { badRequest } from '../../api/meta/errors.js';
import { readEnvelope } from './envelope.js';
import { messageTypeFor } from './schema.js';
import { messageToJson, type JsonObject } from './to-json.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

export function decodeProtobufObject(body: Uint8Array): JsonObject {
  const envelope = readEnvelope(body);
  if (envelope.contentEncoding) {
    throw badRequest(`protobuf body: unsupported contentEncoding ${JSON.stringify(envelope.contentEncoding)}`);
  }
  if (!envelope.kind || !envelope.apiVersion) {
    throw badRequest('protobuf body: the object has no apiVersion or kind in its type metadata');
  }
  const type = messageTypeFor(envelope.apiVersion, envelope.kind);
  if (!type) {
    throw badRequest(`no kind "${envelope.kind}" is registered for version "${envelope.apiVersion}" in the protobuf encoding; send it as application/json`);
  }
  let message;
  try {
    message = type.decode(envelope.raw);
  } catch (err) {
    throw badRequest(`protobuf body: the ${envelope.kind} is not valid protobuf: ${(err as Error).message}`);
  }
  return { apiVersion: envelope.apiVersion, kind: envelope.kind, ...messageToJson(type, message) };
}
