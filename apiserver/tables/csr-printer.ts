/** `kubectl get csr`: NAME, AGE, SIGNERNAME, REQUESTOR, REQUESTEDDURATION, CONDITION, as kube-apiserver prints them. */
import type { KubeObject } from '../../api/meta/object-meta.js';
import type { CertificateSigningRequest } from '../../api/types/certificates.js';
import { humanDuration, timestampSince } from './duration.js';
import { ageColumn, column, nameColumn, type PrintContext, type PrintedRow, type TablePrinter } from './printer.js';

/** "Pending", or the outcome so far: Approved or Denied, then Failed, then Issued. */
export function csrCondition(csr: Pick<CertificateSigningRequest, 'status'>): string {
  const types = new Set((csr.status?.conditions ?? []).filter((c) => (c.status ?? 'True') === 'True').map((c) => c.type));
  const parts: string[] = [];
  if (types.has('Denied')) parts.push('Denied');
  else if (types.has('Approved')) parts.push('Approved');
  if (types.has('Failed')) parts.push('Failed');
  if (csr.status?.certificate) parts.push('Issued');
  return parts.length ? parts.join(',') : 'Pending';
}

export const csrPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    ageColumn(),
    column('SignerName', 'string', 'The signer asked to sign the request.'),
    column('Requestor', 'string', 'The user who created the request.'),
    column('RequestedDuration', 'string', 'The validity the requester asked for (spec.expirationSeconds).'),
    column('Condition', 'string', 'Pending, Approved, Denied, Failed and Issued.'),
  ],
  print(obj: KubeObject, { now }: PrintContext): PrintedRow {
    const csr = obj as unknown as CertificateSigningRequest;
    const seconds = csr.spec?.expirationSeconds;
    return {
      cells: [
        obj.metadata.name ?? '',
        timestampSince(obj.metadata.creationTimestamp, now),
        csr.spec?.signerName ?? '',
        csr.spec?.username ?? '',
        seconds === undefined ? '<none>' : humanDuration(seconds * 1000),
        csrCondition(csr),
      ],
    };
  },
};
