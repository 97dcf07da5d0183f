import { InvalidArgumentError } from 'commander';
import { canonicalPlainHttpHost } from '../oci/registry-identity.js';

/**
 * Commander collector for a repeatable `--insecure <host>`: the host in the canonical registry
 * identity, as `registries.insecure` entries are (docs/registry-identity.md), so
 * `--insecure LOCALHOST:5000` reaches `localhost:5000/app` over plain HTTP.
 */
export function collectInsecureHost(value: string, previous: string[]): string[] {
  try {
    return [...previous, canonicalPlainHttpHost(value)];
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}
