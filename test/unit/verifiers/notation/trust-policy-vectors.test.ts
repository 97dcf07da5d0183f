/**
 * The ~45 trust policies of notation's e2e suite (../shared/vectors/notation-e2e-config/trustpolicies),
 * each accepted or refused at config load as its name says.
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../../../src/observability/logger.js';
import { createNotationVerifier } from '../../../../src/verifiers/notation/create-notation-verifier.js';
import { VECTORS } from '../../../helpers/tools.js';

const CONFIG = join(VECTORS, 'notation-e2e-config');
const POLICIES = join(CONFIG, 'trustpolicies');

/** Refused, with a word the message must contain. */
const INVALID: Record<string, RegExp> = {
  'blob_trust_policy.json': /registryScopes/,
  'empty_registry_scope_trustpolicy.json': /registryScopes must list at least one scope/,
  'empty_trusted_identity_trustpolicy.json': /empty trusted identity/,
  'invalid_format_trustpolicy.json': /not valid JSON/,
  'invalid_trust_store_trustpolicy.json': /ca:invalid_store, which is not configured/,
  'malformed_registry_scope_trustpolicy.json': /registry scope "localhost:5000\\\\test-repo"/,
  'malformed_trust_store_trustpolicy.json': /trust store name "" in "ca:"/,
  'malformed_trusted_identity_trustpolicy.json': /is not <type>:<value>/,
  'missing_country_trusted_identity_trustpolicy.json': /lacks C;/,
  'missing_organization_trusted_identity_trustpolicy.json': /lacks O;/,
  'missing_state_trusted_identity_trustpolicy.json': /lacks ST;/,
  'multi_statements_with_multi_wildcard_registry_scope_trustpolicy.json': /registry scope "\*" appears more than once/,
  'multi_statements_with_the_same_name_trustpolicy.json': /name "e2e" is used by more than one statement/,
  'multi_statements_with_the_same_registry_scope_trustpolicy.json': /registry scope "localhost:5000\/test-repo8" appears more than once/,
  'overlapped_registry_scope_trustpolicy.json': /registry scope "localhost:5000\/test-repo6" appears more than once/,
  'overlapped_trust_store_trustpolicy.json': /"ca:e2e" is listed more than once/,
  'overlapped_trusted_identity_trustpolicy.json': /overlap/,
  'override_integrity_for_permissive_trustpolicy.json': /integrity validation cannot be overridden/,
  'unset_trust_store_trustpolicy.json': /trustStores and trustedIdentities must both be set/,
  'unset_trusted_identity_trustpolicy.json': /trustStores and trustedIdentities must both be set/,
  'wildcard_plus_other_registry_scope_trustpolicy.json': /wildcard registry scope "\*" cannot be combined/,
  'wildcard_plus_other_trusted_identity_trustpolicy.json': /wildcard trusted identity "\*" cannot be combined/,
  'wildcard_trust_store_trustpolicy.json': /trust store "\*" is not <type>:<name>/,
};

const ALL = readdirSync(POLICIES).filter((f) => f.endsWith('.json')).sort();
const VALID = ALL.filter((f) => !(f in INVALID));

// Every store any valid policy names, so only the policy itself decides.
const STORES = {
  ca: { e2e: ['localkeys/e2e.crt'], 'e2e-new': ['localkeys/new_e2e.crt'], sKey: ['localkeys/new_e2e.crt'], 'wabbit-networks.io': ['localkeys/e2e.crt'] },
  tsa: { e2e: ['timestamp/globalsignTSARoot.cer'] },
};

const load = (file: string) => createNotationVerifier(
  { name: 'e2e', type: 'notation', trustStores: STORES, trustPolicyFile: join(POLICIES, file), watch: false },
  'verifiers[0]',
  { baseDir: CONFIG, logger: silentLogger() },
);

describe('trust policies of the notation e2e suite', () => {
  it('covers every file of the folder', () => {
    expect(ALL.length).toBeGreaterThanOrEqual(40);
    expect(Object.keys(INVALID).every((f) => ALL.includes(f))).toBe(true);
  });

  it.each(VALID)('accepts %s', async (file) => {
    const v = await load(file);
    expect(v.configHash()).toMatch(/^[a-f0-9]{64}$/);
  });

  it.each(Object.entries(INVALID))('refuses %s at load, naming what is wrong', async (file, why) => {
    const err = await load(file).then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ name: 'ConfigError', code: 'INVALID_CONFIG', path: 'verifiers[0].trustPolicyFile' });
    expect((err as Error).message).toMatch(why);
  });
});
