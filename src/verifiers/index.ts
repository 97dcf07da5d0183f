/**
 * The explicit verifier registry (DESIGN: no registration by side-effect imports): config
 * `verifiers[].type` → factory. `buildVerifiers` builds every configured verifier.
 */
import { ConfigError } from '../shared/coded-error.js';
import { createNotationVerifier } from './notation/create-notation-verifier.js';
import { createCosignVerifier } from './cosign/create-cosign-verifier.js';
import { createSbomVerifier } from './sbom/create-sbom-verifier.js';
import { createVulnerabilityReportVerifier } from './vulnerability/create-vulnerability-report-verifier.js';
import type { Verifier, VerifierConfigEntry, VerifierDeps, VerifierFactory, VerifierType } from './verifier.js';

export const verifierFactories = {
  notation: createNotationVerifier,
  cosign: createCosignVerifier,
  sbom: createSbomVerifier,
  vulnerabilityreport: createVulnerabilityReportVerifier,
} satisfies Record<VerifierType, VerifierFactory>;

/**
 * Builds the verifiers of config `verifiers[]`, in order. Names must be unique (they key the
 * result cache and name the verifier in policy input and reasons). Errors name the entry,
 * e.g. `verifiers[1].name`.
 */
export async function buildVerifiers(
  entries: readonly VerifierConfigEntry[],
  deps: VerifierDeps,
  factories: Readonly<Record<VerifierType, VerifierFactory>> = verifierFactories,
): Promise<Verifier[]> {
  const seen = new Map<string, number>();
  const out: Verifier[] = [];
  for (const [i, entry] of entries.entries()) {
    const path = `verifiers[${i}]`;
    if (typeof entry?.name !== 'string' || entry.name === '') throw new ConfigError('INVALID_CONFIG', `${path}.name`, 'a verifier needs a name');
    const first = seen.get(entry.name);
    if (first !== undefined) throw new ConfigError('INVALID_CONFIG', `${path}.name`, `duplicate verifier name "${entry.name}" (also verifiers[${first}])`);
    seen.set(entry.name, i);
    const factory = Object.hasOwn(factories, entry.type) ? factories[entry.type] : undefined;
    if (!factory) {
      throw new ConfigError('UNKNOWN_VERIFIER_TYPE', `${path}.type`, `unknown verifier type "${String(entry.type)}" (known: ${Object.keys(factories).join(', ')})`);
    }
    const verifier = await factory(entry, path, deps);
    if (verifier.name !== entry.name) throw new ConfigError('INVALID_CONFIG', path, `the ${entry.type} factory named its verifier "${verifier.name}", expected "${entry.name}"`);
    out.push(verifier);
  }
  return out;
}

/** Stops whatever the verifiers watch (trust material files); for verifiers that have `close()`. */
export async function closeVerifiers(verifiers: readonly Verifier[]): Promise<void> {
  await Promise.all(verifiers.map(async (v) => {
    const close = (v as { close?: () => Promise<void> }).close;
    if (typeof close === 'function') await close.call(v);
  }));
}
