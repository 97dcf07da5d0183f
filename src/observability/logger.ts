/**
 * pino JSON logger. Credentials never reach a log line: the redact paths below cover the
 * places they travel (auth headers, config credentials, private keys, tokens), and code must
 * not interpolate them into messages either.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

export const REDACT_PATHS = [
  'password', '*.password', '*.*.password',
  'token', '*.token', '*.*.token', 'accessToken', '*.accessToken', 'identitytoken', '*.identitytoken',
  'auth', '*.auth', 'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization',
  'privateKey', '*.privateKey', 'key', '*.key', 'keyPem', '*.keyPem',
  'credentials', '*.credentials',
];

export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  const opts = {
    level: options.level ?? process.env.PORTCULLIS_LOG_LEVEL ?? 'info',
    base: { service: 'portcullis' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}

/** A logger that drops everything (tests that do not assert on logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

export type { Logger };
