/** The pure parts of scripts/release/: the provenance predicate, reference splitting, secret masking. */
import { describe, expect, it } from '@jest/globals';
import { httpsRepository } from '../../../scripts/release/collect-build-facts.js';
import { splitReference } from '../../../scripts/release/release-image.js';
import { redact } from '../../../scripts/release/run-tool.js';
import { buildSlsaProvenance, PORTCULLIS_BUILD_TYPE, type BuildFacts } from '../../../scripts/release/slsa-provenance.js';

const facts: BuildFacts = {
  sourceRepository: 'https://github.com/portcullis-dev/portcullis', sourceRef: 'refs/tags/v0.1.0',
  sourceCommit: 'a'.repeat(40), sourceTreeClean: true, platforms: ['linux/amd64'], sourceDateEpoch: 1_700_000_000,
  commands: ['npm run build', 'scripts/build-image.sh --no-build'], builderNodeVersion: 'v24.21.0',
  dependencies: [{ uri: 'file:package-lock.json', digest: { sha256: 'b'.repeat(64) } }],
};
const run = { builderId: 'https://ci.example/release', invocationId: 'id-1', startedOn: new Date('2026-01-01T00:00:00Z'), finishedOn: new Date('2026-01-01T00:01:00Z'), byproducts: [] };

describe('buildSlsaProvenance', () => {
  it('writes the source in both shapes policies/attestations.rego reads, the commit first among the dependencies', () => {
    const p = buildSlsaProvenance(facts, run) as { buildDefinition: Record<string, unknown>; runDetails: unknown };
    expect(p.buildDefinition.buildType).toBe(PORTCULLIS_BUILD_TYPE);
    expect(p.buildDefinition.externalParameters).toEqual({
      repository: facts.sourceRepository, ref: facts.sourceRef, source: 'git+https://github.com/portcullis-dev/portcullis@refs/tags/v0.1.0', platforms: ['linux/amd64'],
    });
    expect(p.buildDefinition.internalParameters).toEqual({ commands: facts.commands, builderNodeVersion: 'v24.21.0', sourceTreeClean: true, sourceDateEpoch: 1_700_000_000 });
    expect(p.buildDefinition.resolvedDependencies).toEqual([{ uri: 'git+https://github.com/portcullis-dev/portcullis@refs/tags/v0.1.0', digest: { gitCommit: 'a'.repeat(40) } }, ...facts.dependencies]);
    expect(p.runDetails).toEqual({ builder: { id: run.builderId }, metadata: { invocationId: 'id-1', startedOn: '2026-01-01T00:00:00.000Z', finishedOn: '2026-01-01T00:01:00.000Z' }, byproducts: [] });
  });

  it('refuses a commit that is not 40 hex digits', () => {
    expect(() => buildSlsaProvenance({ ...facts, sourceCommit: 'HEAD' }, run)).toThrow(TypeError);
  });
});

describe('splitReference', () => {
  it('splits host:port/repo:tag and repo@digest', () => {
    expect(splitReference('127.0.0.1:5000/portcullis/portcullis:0.1.0')).toEqual({ repository: '127.0.0.1:5000/portcullis/portcullis', tag: '0.1.0' });
    expect(splitReference(`ghcr.io/a/b@sha256:${'c'.repeat(64)}`)).toEqual({ repository: 'ghcr.io/a/b', digest: `sha256:${'c'.repeat(64)}` });
    expect(splitReference('127.0.0.1:5000/app')).toEqual({ repository: '127.0.0.1:5000/app' });
  });

  it('refuses a bad digest or a name without a host', () => {
    expect(() => splitReference('ghcr.io/a/b@sha256:xyz')).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    expect(() => splitReference('portcullis')).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
  });
});

describe('httpsRepository', () => {
  it('turns scp-style and .git remotes into the https URL', () => {
    expect(httpsRepository('git@github.com:portcullis-dev/portcullis.git')).toBe('https://github.com/portcullis-dev/portcullis');
    expect(httpsRepository('https://github.com/portcullis-dev/portcullis.git')).toBe('https://github.com/portcullis-dev/portcullis');
  });
});

describe('redact', () => {
  it('masks every occurrence of every secret, and ignores empty ones', () => {
    expect(redact('pw=hunter2 again hunter2', ['hunter2', ''])).toBe('pw=*** again ***');
  });
});
