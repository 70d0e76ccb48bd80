// Errors carrying a gRPC status code, as CRI clients expect (NotFound matters:
// the kubelet treats it as "already gone").
import { status } from '@grpc/grpc-js';

export class CriError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: string): CriError => new CriError(status.NOT_FOUND, `${what} ${JSON.stringify(id)} not found`);
export const invalidArgument = (msg: string): CriError => new CriError(status.INVALID_ARGUMENT, msg);
export const failedPrecondition = (msg: string): CriError => new CriError(status.FAILED_PRECONDITION, msg);
export const deadlineExceeded = (msg: string): CriError => new CriError(status.DEADLINE_EXCEEDED, msg);
