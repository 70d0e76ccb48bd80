/**
 * Decodes a Kubernetes watch stream: newline-delimited JSON `{"type","object"}` frames,
 * delivered in chunks that may split a frame, a line break or a multi-byte UTF-8
 * character anywhere. The streaming TextDecoder carries incomplete characters over to
 * the next chunk; we carry incomplete lines.
 */
import type { Status } from '../meta/errors.js';
import type { KubeObject } from '../meta/object-meta.js';

/** A watch event as the client yields it: ERROR events carry a Status, the others an object. */
export type TypedWatchEvent<T extends KubeObject = KubeObject> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; object: T }
  | { type: 'ERROR'; object: Status };

const eventTypes = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

export class WatchDecodeError extends Error {
  constructor(message: string, readonly line: string) {
    super(message);
    this.name = 'WatchDecodeError';
  }
}

function parseFrame<T extends KubeObject>(line: string): TypedWatchEvent<T> {
  let frame: unknown;
  try {
    frame = JSON.parse(line);
  } catch {
    throw new WatchDecodeError('watch frame is not valid JSON', line);
  }
  if (
    typeof frame !== 'object' || frame === null ||
    typeof (frame as { type?: unknown }).type !== 'string' ||
    !eventTypes.has((frame as { type: string }).type) ||
    typeof (frame as { object?: unknown }).object !== 'object' ||
    (frame as { object?: unknown }).object === null
  ) {
    throw new WatchDecodeError('watch frame is not a {"type","object"} event', line);
  }
  return frame as TypedWatchEvent<T>;
}

export class WatchDecoder<T extends KubeObject = KubeObject> {
  private readonly text = new TextDecoder('utf-8');
  private pending = '';

  /** Feeds one chunk; returns the events completed by it. */
  push(chunk: Uint8Array | string): TypedWatchEvent<T>[] {
    this.pending += typeof chunk === 'string' ? chunk : this.text.decode(chunk, { stream: true });
    const events: TypedWatchEvent<T>[] = [];
    let start = 0;
    for (let nl = this.pending.indexOf('\n'); nl >= 0; nl = this.pending.indexOf('\n', start)) {
      const line = this.pending.slice(start, nl).trim();
      start = nl + 1;
      if (line) events.push(parseFrame<T>(line));
    }
    this.pending = this.pending.slice(start);
    return events;
  }

  /** Ends the stream; a last frame without a trailing newline still counts. */
  end(): TypedWatchEvent<T>[] {
    this.pending += this.text.decode();
    const line = this.pending.trim();
    this.pending = '';
    return line ? [parseFrame<T>(line)] : [];
  }
}

/** Turns a byte stream into watch events. */
export async function* decodeWatchStream<T extends KubeObject = KubeObject>(
  chunks: AsyncIterable<Uint8Array | string>,
): AsyncGenerator<TypedWatchEvent<T>> {
  const decoder = new WatchDecoder<T>();
  for await (const chunk of chunks) yield* decoder.push(chunk);
  yield* decoder.end();
}
