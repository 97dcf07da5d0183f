/**
 * The Sigstore client conformance suite's bundle-verification cases
 * (../shared/vectors/sigstore-conformance/bundle-verify, README there), run through
 * `verifyBundle` — the function the Cosign verifier uses for bundle referrers.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { verifyBundle } from '../../../../src/verifiers/cosign/bundle/verify-bundle.js';
import { compileIdentity } from '../../../../src/verifiers/cosign/identity-matcher.js';
import { parsePublicKeyPem } from '../../../../src/verifiers/cosign/load-public-key.js';
import { parseTrustedRoot } from '../../../../src/verifiers/cosign/load-trusted-root.js';
import type { CosignPolicy } from '../../../../src/verifiers/cosign/verify-signed-entity.js';
import { PROJECT_ROOT, VECTORS } from '../../../helpers/tools.js';

const SUITE = join(VECTORS, 'sigstore-conformance/bundle-verify');
const DEFAULT_IDENTITY = 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const DEFAULT_ISSUER = 'https://token.actions.githubusercontent.com';

/** "the Sigstore public good production instance": its trusted root as shipped in @sigstore/tuf's seeds. */
function publicGoodTrustedRoot(): Buffer {
  const seeds = JSON.parse(readFileSync(join(PROJECT_ROOT, 'node_modules/@sigstore/tuf/seeds.json'), 'utf8')) as Record<string, { targets: Record<string, string> }>;
  const target = seeds['https://tuf-repo-cdn.sigstore.dev']?.targets['trusted_root.json'];
  if (!target) throw new Error('no public-good trusted_root.json in @sigstore/tuf seeds');
  return Buffer.from(target, 'base64');
}

function optional(dir: string, file: string): Buffer | undefined {
  const p = join(dir, file);
  return existsSync(p) ? readFileSync(p) : undefined;
}

/** Decides one case the way a client would: true when the bundle verifies. */
function decide(dir: string): { valid: boolean; reason: string } {
  const bundle = readFileSync(join(dir, 'bundle.sigstore.json'));
  const artifact = optional(dir, 'artifact') ?? readFileSync(join(SUITE, 'a.txt'));
  let trust;
  try {
    trust = parseTrustedRoot(optional(dir, 'trusted_root.json') ?? publicGoodTrustedRoot()).material;
  } catch (err) {
    return { valid: false, reason: `trusted root refused: ${(err as Error).message}` };
  }
  const keyPem = optional(dir, 'key.pub');
  let keys: CosignPolicy['keys'] = [];
  try {
    // A key the verifier cannot load is a configuration error: nothing verifies.
    if (keyPem) keys = [{ label: 'key.pub', ...parsePublicKeyPem(keyPem.toString('utf8'), 'key.pub', 'key.pub') }];
  } catch (err) {
    return { valid: false, reason: `key refused: ${(err as Error).message}` };
  }
  const identity = optional(dir, 'identity')?.toString('utf8').trim() ?? DEFAULT_IDENTITY;
  const issuer = optional(dir, 'issuer')?.toString('utf8').trim() ?? DEFAULT_ISSUER;
  const policy: CosignPolicy = {
    keys,
    identities: keyPem ? [] : [compileIdentity({ subject: identity, issuer }, 'conformance')],
    trust,
    tlogRequired: true,
    sctRequired: true,
  };
  const digest = `sha256:${createHash('sha256').update(artifact).digest('hex')}`;
  const outcome = verifyBundle(bundle, { digest, bytes: artifact }, policy);
  return { valid: outcome.valid, reason: outcome.message };
}

const cases = readdirSync(SUITE, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

describe('verifyBundle on the Sigstore conformance cases', () => {
  let passed = 0;
  afterAll(() => {
    console.log(`conformance: ${passed}/${cases.length}`);
  });

  it('finds the cases', () => {
    expect(cases.length).toBeGreaterThan(60);
  });

  for (const name of cases) {
    const shouldFail = name.endsWith('_fail');
    it(`${shouldFail ? 'rejects' : 'accepts'} ${name}`, () => {
      const { valid, reason } = decide(join(SUITE, name));
      expect({ name, valid, reason: valid === !shouldFail ? 'as expected' : reason }).toEqual({ name, valid: !shouldFail, reason: 'as expected' });
      passed += 1;
    });
  }
});
