import { describe, expect, it } from '@jest/globals';
import { findTrustPolicy } from '../../../../src/verifiers/notation/trust-policy/find-trust-policy.js';
import { parseTrustPolicy } from '../../../../src/verifiers/notation/trust-policy/parse-trust-policy.js';

const statement = (over: Record<string, unknown> = {}) => ({
  name: 'p', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:s'], trustedIdentities: ['*'], ...over,
});
const doc = (...trustPolicies: unknown[]) => ({ version: '1.0', trustPolicies });
const refused = (d: unknown) => {
  try {
    parseTrustPolicy(d, 'verifiers[0].trustPolicy');
  } catch (e) {
    return e as Error & { code: string; path: string };
  }
  throw new Error('accepted');
};

describe('parseTrustPolicy', () => {
  describe('levels and overrides', () => {
    it.each([
      ['strict', { integrity: 'enforce', authenticity: 'enforce', authenticTimestamp: 'enforce', expiry: 'enforce', revocation: 'enforce' }],
      ['permissive', { integrity: 'enforce', authenticity: 'enforce', authenticTimestamp: 'log', expiry: 'log', revocation: 'log' }],
      ['audit', { integrity: 'enforce', authenticity: 'log', authenticTimestamp: 'log', expiry: 'log', revocation: 'log' }],
    ])('maps %s to the spec table', (level, actions) => {
      expect(parseTrustPolicy(doc(statement({ signatureVerification: { level } })), 'x').trustPolicies[0]!.actions).toEqual(actions);
    });
    it('applies override on top of the level', () => {
      const p = parseTrustPolicy(doc(statement({ signatureVerification: { level: 'strict', override: { expiry: 'log', revocation: 'skip' } } })), 'x');
      expect(p.trustPolicies[0]!.actions).toMatchObject({ expiry: 'log', revocation: 'skip', authenticity: 'enforce' });
    });
    it('refuses skipping anything but revocation', () => {
      expect(refused(doc(statement({ signatureVerification: { level: 'strict', override: { authenticity: 'skip' } } }))).message).toMatch(/authenticity validation cannot be skipped/);
    });
    it('refuses an unknown level or validation', () => {
      expect(refused(doc(statement({ signatureVerification: { level: 'lenient' } }))).message).toMatch(/level "lenient"/);
      expect(refused(doc(statement({ signatureVerification: { level: 'strict', override: { colour: 'log' } } }))).message).toMatch(/unknown validation "colour"/);
    });
    it('refuses trust stores or identities under skip', () => {
      expect(refused(doc(statement({ signatureVerification: { level: 'skip' } }))).message).toMatch(/must not configure trustStores/);
    });
    it('refuses an unknown verifyTimestamp', () => {
      expect(refused(doc(statement({ signatureVerification: { level: 'strict', verifyTimestamp: 'never' } }))).message).toMatch(/verifyTimestamp/);
    });
  });

  it('refuses a missing or other version, naming the config path', () => {
    expect(refused({ trustPolicies: [statement()] })).toMatchObject({ code: 'INVALID_CONFIG', path: 'verifiers[0].trustPolicy' });
    expect(refused(doc()).message).toMatch(/at least one trust policy statement/);
    expect(refused({ version: '2.0', trustPolicies: [statement()] }).message).toMatch(/version "2.0" is not supported/);
  });

  it.each([
    ['localhost:5000/repo'], ['registry.example.com/org/app'], ['[::1]:5000/x'], ['my-registry.io/a_b/c-d/e.f'],
  ])('accepts registry scope %s', (scope) => {
    expect(parseTrustPolicy(doc(statement({ registryScopes: [scope] })), 'x').trustPolicies[0]!.registryScopes).toEqual([scope]);
  });
  it.each([
    ['registry.example.com'], ['registry.example.com/Repo'], ['registry.example.com/app:1.0'], ['registry.example.com/app@sha256:abc'], ['/app'], ['*.example.com/app'],
  ])('refuses registry scope %s', (scope) => {
    expect(refused(doc(statement({ registryScopes: [scope] }))).message).toMatch(/registry scope/);
  });

  it.each([
    ['REGISTRY.example.com:443/org/app', 'registry.example.com/org/app'],
    ['index.docker.io/nginx', 'docker.io/library/nginx'],
    ['registry-1.docker.io/library/nginx', 'docker.io/library/nginx'],
  ])('stores registry scope %s in its canonical form %s', (scope, canonical) => {
    expect(parseTrustPolicy(doc(statement({ registryScopes: [scope] })), 'x').trustPolicies[0]!.registryScopes).toEqual([canonical]);
  });
  it('refuses two spellings of one scope in two statements, as it refuses the same scope twice', () => {
    const twice = doc(statement({ name: 'a', registryScopes: ['docker.io/library/nginx'] }), statement({ name: 'b', registryScopes: ['registry-1.docker.io/nginx'] }));
    expect(refused(twice).message).toMatch(/registry scope "docker.io\/library\/nginx" appears more than once \(in "a" and "b"\)/);
  });
  it('refuses a scope on a port no client can dial', () => {
    expect(refused(doc(statement({ registryScopes: ['registry.example.com:99999/app'] }))).message).toMatch(/registry scope/);
  });

  it('parses x509.subject identities into attribute maps', () => {
    const p = parseTrustPolicy(doc(statement({ trustedIdentities: ['x509.subject: C=US, ST=WA, L=Seattle, O=wabbit-networks.io, OU=Security Tools'] })), 'x');
    expect(p.trustPolicies[0]!.trustedIdentities).toEqual([new Map([['C', 'US'], ['ST', 'WA'], ['L', 'Seattle'], ['O', 'wabbit-networks.io'], ['OU', 'Security Tools']])]);
  });
  it('refuses multi-valued RDNs and repeated attributes in identities', () => {
    expect(refused(doc(statement({ trustedIdentities: ['x509.subject: C=US+ST=WA, O=x'] }))).message).toMatch(/multi-valued RDN/);
    expect(refused(doc(statement({ trustedIdentities: ['x509.subject: C=US, ST=WA, O=x, O=y'] }))).message).toMatch(/more than once/);
  });
});

describe('findTrustPolicy', () => {
  const d = parseTrustPolicy(doc(
    statement({ name: 'wild', registryScopes: ['*'] }),
    statement({ name: 'exact', registryScopes: ['registry.example/team/app'] }),
  ), 'x');
  it('prefers the statement naming the repository exactly', () => {
    expect(findTrustPolicy(d, 'registry.example', 'team/app')?.name).toBe('exact');
  });
  it('falls back to the wildcard statement', () => {
    expect(findTrustPolicy(d, 'registry.example', 'team/other')?.name).toBe('wild');
  });
  it('finds nothing when no scope matches and there is no wildcard', () => {
    const only = parseTrustPolicy(doc(statement({ registryScopes: ['registry.example/team/app'] })), 'x');
    expect(findTrustPolicy(only, 'registry.example', 'team/app2')).toBeUndefined();
  });
});
