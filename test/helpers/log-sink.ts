/**
 * A sink for the Portcullis logger (src/observability/logger.ts, with its real redaction
 * settings): every line it writes is kept, raw and parsed, so tests can assert on logs and the
 * log canary can scan every line for planted secrets.
 */
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/observability/logger.js';

export interface LogSink {
  readonly logger: Logger;
  /** Every line as written (JSON text). */
  readonly lines: string[];
  /** The same lines, parsed. */
  readonly parsed: Array<Record<string, unknown>>;
}

export function createLogSink(level = 'info'): LogSink {
  const lines: string[] = [];
  const parsed: Array<Record<string, unknown>> = [];
  let partial = '';
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      const text = partial + chunk.toString('utf8');
      const parts = text.split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        if (!line) continue;
        lines.push(line);
        parsed.push(JSON.parse(line) as Record<string, unknown>);
      }
      cb();
    },
  });
  return { logger: createLogger({ level, destination }), lines, parsed };
}

/** The planted strings (and their base64 forms, as in a Basic header) found in `texts`. */
export function findCanaries(texts: readonly string[], canaries: readonly string[]): string[] {
  const needles = canaries.flatMap((c) => [c, Buffer.from(c).toString('base64')]);
  const found = new Set<string>();
  for (const t of texts) for (const n of needles) if (t.includes(n)) found.add(n);
  return [...found];
}
