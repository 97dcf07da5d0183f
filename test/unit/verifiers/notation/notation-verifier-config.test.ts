import { describe, expect, it } from '@jest/globals';
import { parseNotationVerifierConfig } from '../../../../src/verifiers/notation/notation-verifier-config.js';

const policy = { version: '1.0', trustPolicies: [] };
const parse = (entry: Record<string, unknown>) => parseNotationVerifierConfig({ name: 'n', type: 'notation', ...entry }, 'verifiers[1]');

describe('parseNotationVerifierConfig', () => {
  it('reads the SPEC example, defaulting artifactTypes and watch', () => {
    const c = parse({ trustStores: { ca: { release: ['certs/release-ca.pem'] }, tsa: { ts: 'certs/tsa' } }, trustPolicy: policy });
    expect(c.artifactTypes).toEqual(['application/vnd.cncf.notary.signature']);
    expect(c.watch).toBe(true);
    expect([...c.trustStores]).toEqual([['ca:release', ['certs/release-ca.pem']], ['tsa:ts', ['certs/tsa']]]);
  });
  it.each([
    [{ trustPolicy: policy, colour: 'blue' }, 'verifiers[1].colour'],
    [{ trustStores: { root: { x: ['a'] } }, trustPolicy: policy }, 'verifiers[1].trustStores.root'],
    [{ trustStores: { ca: { 'bad name': ['a'] } }, trustPolicy: policy }, 'verifiers[1].trustStores.ca.bad name'],
    [{ trustStores: { ca: { x: [] } }, trustPolicy: policy }, 'verifiers[1].trustStores.ca.x'],
    [{}, 'verifiers[1].trustPolicy'],
    [{ trustPolicy: policy, trustPolicyFile: 'p.json' }, 'verifiers[1].trustPolicy'],
    [{ trustPolicyFile: '' }, 'verifiers[1].trustPolicyFile'],
    [{ trustPolicy: policy, watch: 'yes' }, 'verifiers[1].watch'],
    [{ trustPolicy: policy, artifactTypes: [1] }, 'verifiers[1].artifactTypes'],
  ])('refuses %j naming %s', (entry, path) => {
    expect(() => parse(entry)).toThrow(expect.objectContaining({ name: 'ConfigError', code: 'INVALID_CONFIG', path }));
  });
});
