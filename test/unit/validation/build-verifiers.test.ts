import { describe, expect, it } from '@jest/globals';
import { silentLogger } from '../../../src/observability/logger.js';
import { buildVerifiers, verifierFactories } from '../../../src/verifiers/index.js';
import type { VerifierFactory, VerifierType } from '../../../src/verifiers/verifier.js';
import { createFakeVerifier } from '../../helpers/fake-verifier.js';

const deps = { baseDir: '/tmp', logger: silentLogger() };
const fake: VerifierFactory = async (entry) => createFakeVerifier({ name: entry.name, type: entry.type, artifactTypes: [...(entry.artifactTypes ?? ['x'])] });
const factories = { notation: fake, cosign: fake, sbom: fake, vulnerabilityreport: fake, intoto: fake } satisfies Record<VerifierType, VerifierFactory>;

describe('buildVerifiers', () => {
  it('has a factory for every verifier type', () => {
    expect(Object.keys(verifierFactories).sort()).toEqual(['cosign', 'intoto', 'notation', 'sbom', 'vulnerabilityreport']);
  });

  it('builds the configured verifiers in order', async () => {
    const vs = await buildVerifiers([{ name: 'a', type: 'notation' }, { name: 'b', type: 'sbom', artifactTypes: ['application/spdx+json'] }], deps, factories);
    expect(vs.map((v) => [v.name, v.type, v.artifactTypes])).toEqual([['a', 'notation', ['x']], ['b', 'sbom', ['application/spdx+json']]]);
  });

  it('refuses duplicate names, naming both entries', async () => {
    await expect(buildVerifiers([{ name: 'a', type: 'notation' }, { name: 'a', type: 'cosign' }], deps, factories))
      .rejects.toMatchObject({ code: 'INVALID_CONFIG', path: 'verifiers[1].name', message: expect.stringContaining('verifiers[0]') });
  });

  it('refuses an unknown type, naming the field', async () => {
    await expect(buildVerifiers([{ name: 'a', type: 'pgp' as VerifierType }], deps, factories))
      .rejects.toMatchObject({ code: 'UNKNOWN_VERIFIER_TYPE', path: 'verifiers[0].type' });
  });

  it('passes each factory the path of its entry', async () => {
    const paths: string[] = [];
    const spy: VerifierFactory = async (entry, path, d) => { paths.push(path); return fake(entry, path, d); };
    await buildVerifiers([{ name: 'a', type: 'cosign' }, { name: 'b', type: 'cosign' }], deps, { ...factories, cosign: spy });
    expect(paths).toEqual(['verifiers[0]', 'verifiers[1]']);
  });

  it('reports a factory error as is (it names the field)', async () => {
    await expect(buildVerifiers([{ name: 'c', type: 'cosign', key: 42 }], deps)).rejects.toMatchObject({ path: expect.stringMatching(/^verifiers\[0\]/) });
  });
});
