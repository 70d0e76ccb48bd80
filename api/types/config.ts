/** core/v1 ConfigMap, Secret and ServiceAccount: configuration and identity objects. */
import { z } from 'zod';
import { ObjectMeta } from '../meta/object-meta.js';
import { mergeList } from '../meta/patch-meta.js';
import { LocalObjectReference, ObjectReference, StringMap, listOf, typeMeta } from './common.js';

export const ConfigMap = z
  .strictObject({
    ...typeMeta('v1', 'ConfigMap'),
    metadata: ObjectMeta,
    data: StringMap.optional().describe('UTF-8 configuration values by key.'),
    binaryData: StringMap.optional().describe('Binary values by key, base64-encoded.'),
    immutable: z.boolean().optional().describe('When true, data can no longer be changed.'),
  })
  .describe('Non-confidential configuration as key/value pairs.');
export type ConfigMap = z.infer<typeof ConfigMap>;
export type ConfigMapInput = z.input<typeof ConfigMap>;
export const ConfigMapList = listOf('v1', 'ConfigMap', ConfigMap);

export const Secret = z
  .strictObject({
    ...typeMeta('v1', 'Secret'),
    metadata: ObjectMeta,
    data: StringMap.optional().describe('Secret values by key, base64-encoded.'),
    stringData: StringMap.optional().describe('Write-only plain-text values, merged into data by the server.'),
    type: z.string().default('Opaque').describe('Opaque, kubernetes.io/tls, kubernetes.io/dockerconfigjson, ...'),
    immutable: z.boolean().optional().describe('When true, data can no longer be changed.'),
  })
  .describe('Confidential data as key/value pairs.');
export type Secret = z.infer<typeof Secret>;
export type SecretInput = z.input<typeof Secret>;
export const SecretList = listOf('v1', 'Secret', Secret);

export const ServiceAccount = z
  .strictObject({
    ...typeMeta('v1', 'ServiceAccount'),
    metadata: ObjectMeta,
    secrets: mergeList(ObjectReference, 'name').optional(),
    imagePullSecrets: z.array(LocalObjectReference).optional().describe('Secrets added to pods that use this account.'),
    automountServiceAccountToken: z.boolean().optional(),
  })
  .describe('An identity for processes running in pods.');
export type ServiceAccount = z.infer<typeof ServiceAccount>;
export type ServiceAccountInput = z.input<typeof ServiceAccount>;
export const ServiceAccountList = listOf('v1', 'ServiceAccount', ServiceAccount);

/** Moves stringData into data (base64), as the Secret strategy does before storage. */
export function mergeSecretStringData(secret: Secret): void {
  if (!secret.stringData) return;
  const data = (secret.data ??= {});
  for (const [key, value] of Object.entries(secret.stringData)) data[key] = Buffer.from(value, 'utf8').toString('base64');
  delete secret.stringData;
}
