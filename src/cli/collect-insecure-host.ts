import { InvalidArgumentError } from 'commander';
import { canonicalRegistryHost } from '../oci/registry-identity.js';

/**
 * Commander collector for a repeatable `--insecure <host>`: the host in the canonical registry
 * identity, as `registries.insecure` entries are (docs/registry-identity.md), so
 * `--insecure LOCALHOST:5000` reaches `localhost:5000/app` over plain HTTP.
 */
export function collectInsecureHost(value: string, previous: string[]): string[] {
  if (/:0*443$/.test(value)) throw new InvalidArgumentError('plain HTTP on port 443 is not supported');
  try {
    return [...previous, canonicalRegistryHost(value)];
  } catch {
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not a registry host[:port]`);
  }
}
