import type { z } from 'zod';
import { ConfigError } from '../../shared/coded-error.js';

/** A ConfigError naming the first invalid field under `path` (`verifiers[2].maximumAge: …`). */
export function configErrorFromZod(error: z.ZodError, path: string): ConfigError {
  const issue = error.issues[0];
  const field = (issue?.path ?? []).reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : `${acc}.${String(key)}`), path);
  return new ConfigError('INVALID_CONFIG', field, issue?.message ?? 'invalid', { cause: error });
}
