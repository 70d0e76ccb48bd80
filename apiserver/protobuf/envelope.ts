/**
 * The Kubernetes protobuf envelope: the 4-byte magic "k8s\0", then a runtime.Unknown message
 * whose typeMeta names the object's apiVersion and kind and whose raw bytes hold the object.
 */
import protobuf from 'protobufjs';
import { badRequest } from '../../api/meta/errors.js';
import { k8sProtoRoot } from './schema.js';

export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

export interface ProtobufEnvelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

interface UnknownMessage {
  typeMeta?: { apiVersion?: string; kind?: string };
  raw?: Uint8Array;
  contentEncoding?: string;
  contentType?: string;
}

export function hasProtobufMagic(body: Uint8Array): boolean {
  return body.length >= 4 && PROTOBUF_MAGIC.equals(body.subarray(0, 4));
}

export function readEnvelope(body: Uint8Array): ProtobufEnvelope {
  if (body.length === 0) throw badRequest('the request body is empty: expected a protobuf-encoded object');
  if (!hasProtobufMagic(body)) {
    throw badRequest('the request body is not a Kubernetes protobuf object: it does not start with the "k8s\\x00" prefix');
  }
  const unknownType = k8sProtoRoot().lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
  let message: UnknownMessage;
  try {
    message = unknownType.decode(body.subarray(4)) as protobuf.Message & UnknownMessage;
  } catch (err) {
    throw badRequest(`the request body is not valid protobuf: ${(err as Error).message}`);
  }
  return {
    apiVersion: message.typeMeta?.apiVersion ?? '',
    kind: message.typeMeta?.kind ?? '',
    raw: message.raw ?? new Uint8Array(0),
    contentEncoding: message.contentEncoding ?? '',
    contentType: message.contentType ?? '',
  };
}

/** Wraps an encoded object in the envelope (the inverse of readEnvelope; used by tests and clients). */
export function writeEnvelope(apiVersion: string, kind: string, raw: Uint8Array): Buffer {
  const unknownType = k8sProtoRoot().lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
  const inner = unknownType.encode(unknownType.create({ typeMeta: { apiVersion, kind }, raw })).finish();
  return Buffer.concat([PROTOBUF_MAGIC, inner]);
}
