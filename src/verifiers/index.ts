/**
 * The explicit verifier registry (DESIGN: no registration by side-effect imports): config
 * `verifiers[].type` → factory. `buildVerifiers` builds every configured verifier.
 */
import { ConfigError } from '../shared/coded-error.js';
import { createNotationVerifier } from './notation/create-notation-verifier.js';
import type { Verifier, VerifierConfigEntry, VerifierDeps, VerifierFactory, VerifierType } from './verifier.js';

/**
 * Notation is the verifier nearly every config has; the others are imported the first time a
 * config names one, so a config without them never loads their dependencies (cosign:
 * @sigstore/* ~35 MiB; vulnerabilityreport: ajv; issue 15 "RSS at ready", bench/memory-startup.ts).
 */
export const verifierFactories = {
  notation: createNotationVerifier,
  cosign: async (...a) => (await import('./cosign/create-cosign-verifier.js')).createCosignVerifier(...a),
  sbom: async (...a) => (await import('./sbom/create-sbom-verifier.js')).createSbomVerifier(...a),
  vulnerabilityreport: async (...a) => (await import('./vulnerability/create-vulnerability-report-verifier.js')).createVulnerabilityReportVerifier(...a),
  intoto: async (...a) => (await import('./intoto/create-in-toto-verifier.js')).createInTotoVerifier(...a),
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
