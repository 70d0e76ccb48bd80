import { describe, expect, it } from 'vitest';
import { isApiError } from '../../api/meta/errors.js';
import { parseIncludeObject, wantsTable } from './table-request.js';

describe('wantsTable', () => {
  it('recognises the Accept header kubectl get sends', () => {
    expect(wantsTable('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json')).toBe(true);
  });

  it('serves the plain object when JSON without a table is preferred', () => {
    expect(wantsTable('application/json')).toBe(false);
    expect(wantsTable(undefined)).toBe(false);
    expect(wantsTable('*/*')).toBe(false);
    expect(wantsTable('application/json, application/json;as=Table;v=v1;g=meta.k8s.io')).toBe(false);
  });

  it('skips table versions and media types it cannot serve', () => {
    expect(wantsTable('application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json')).toBe(false);
    expect(wantsTable('application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1;g=meta.k8s.io')).toBe(true);
    expect(wantsTable('application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json')).toBe(false);
  });

  it('honours q values and tolerates spaces', () => {
    expect(wantsTable('application/json;q=0.5, application/json; as=Table; v=v1; g=meta.k8s.io')).toBe(true);
    expect(wantsTable('application/json;as=Table;v=v1;g=meta.k8s.io;q=0, application/json')).toBe(false);
  });
});

describe('parseIncludeObject', () => {
  it('defaults to Metadata and accepts the three policies', () => {
    expect(parseIncludeObject(undefined)).toBe('Metadata');
    expect(parseIncludeObject('')).toBe('Metadata');
    expect(parseIncludeObject('None')).toBe('None');
    expect(parseIncludeObject('Object')).toBe('Object');
  });

  it('rejects other values with a BadRequest', () => {
    let err: unknown;
    try {
      parseIncludeObject('Everything');
    } catch (e) {
      err = e;
    }
    expect(isApiError(err, 'BadRequest')).toBe(true);
  });
});
