/** Key files for `cache.redis.hmacKeys` in tests: random 32-byte keys, hex, in a temporary folder. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CacheHmacKeys {
  readonly dir: string;
  /** Writes `name` (a file in `dir`) with a new random key, or `hex` if given; returns its path. */
  write(name: string, hex?: string): string;
  cleanup(): void;
}

export function createCacheHmacKeys(): CacheHmacKeys {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-cache-keys-'));
  return {
    dir,
    write(name, hex = randomBytes(32).toString('hex')) {
      const p = join(dir, name);
      writeFileSync(p, `${hex}\n`);
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
