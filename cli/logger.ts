/** The process logger: pino JSON on stdout, level from $TKUBE_LOG_LEVEL (info by default). */
import pino, { type Logger } from 'pino';

export function componentLogger(component: string): Logger {
  return pino({ level: process.env.TKUBE_LOG_LEVEL ?? 'info', base: { component } });
}
