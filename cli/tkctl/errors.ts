/** One line for any failure: API errors by their message, others by theirs; never a stack. */
import { ApiError } from '../../api/meta/errors.js';

export function errorLine(err: unknown): string {
  if (err instanceof ApiError) {
    return err.message.replace(/\s*\n\s*/g, ' ');
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ECONNREFUSED') return `the connection to the server was refused: is the apiserver running? (${err.message})`;
    return err.message.replace(/\s*\n\s*/g, ' ');
  }
  return String(err);
}
