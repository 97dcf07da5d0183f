import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { CYCLONEDX_JSON, SPDX_JSON } from '../../../../src/oci/media-types.js';
import { silentLogger } from '../../../../src/observability/logger.js';
import { createSbomVerifier } from '../../../../src/verifiers/sbom/create-sbom-verifier.js';
import type { ReferrerArtifact, Subject, VerifierConfigEntry, VerifierResult } from '../../../../src/verifiers/verifier.js';
import { referrerArtifact } from '../../../helpers/referrer-artifact.js';
import { VECTORS } from '../../../helpers/tools.js';

const SYFT_SPDX = readFileSync(join(VECTORS, 'sbom/syft.spdx.json'));
const BOM_SPDX = readFileSync(join(VECTORS, 'sbom/bom.json'));
const deps = { baseDir: '/', logger: silentLogger() };
const subject: Subject = {
  reference: '127.0.0.1:5000/app@sha256:' + 'a'.repeat(64), registry: '127.0.0.1:5000', repository: 'app',
  digest: 'sha256:' + 'a'.repeat(64), mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 1,
};
// Shortly after syft.spdx.json was created (2023-11-29T01:44:41Z).
const NOW = new Date('2023-12-01T00:00:00Z');

async function run(options: Partial<VerifierConfigEntry>, artifact: ReferrerArtifact, ctx: { now?: Date; nested?: VerifierResult[] } = {}): Promise<VerifierResult> {
  const verifier = await createSbomVerifier({ name: 'sbom', type: 'sbom', ...options }, 'verifiers[0]', deps);
  return verifier.verify(subject, artifact, { signal: new AbortController().signal, now: ctx.now ?? NOW, nested: ctx.nested ?? [] });
}
const spdx = (bytes: Uint8Array | string, mediaType = SPDX_JSON): ReferrerArtifact => referrerArtifact({ artifactType: SPDX_JSON, layers: [{ mediaType, bytes }] });
const cyclonedx = (doc: unknown): ReferrerArtifact => referrerArtifact({ artifactType: CYCLONEDX_JSON, layers: [{ mediaType: CYCLONEDX_JSON, bytes: JSON.stringify(doc) }] });
const packagesOf = (r: VerifierResult): string[] => (r.details.violations as Array<{ package: string; version: string }>).map((v) => `${v.package}@${v.version}`);

describe('createSbomVerifier', () => {
  describe('on the Syft SPDX 2.3 vector (syft.spdx.json)', () => {
    it('reports format, creation time, creators and packages, and passes with no rules', async () => {
      const r = await run({}, spdx(SYFT_SPDX));
      expect(r).toMatchObject({ verifier: 'sbom', type: 'sbom', artifactType: SPDX_JSON, valid: true, nested: [] });
      expect(r.error).toBeUndefined();
      expect(r.details).toEqual({
        format: 'spdx', specVersion: '2.3', creationTime: '2023-11-29T01:44:41.000Z',
        creators: ['Organization: Anchore, Inc', 'Tool: syft-0.76.0'], packageCount: 16, violationCount: 0, violations: [],
      });
      expect(r.message).toBe('SBOM (SPDX 2.3, 16 packages) meets the policy');
    });

    it('passes when no package uses a disallowed license', async () => {
      const r = await run({ disallowedLicenses: ['AGPL-3.0-only', 'GPL-3.0-or-later'] }, spdx(SYFT_SPDX));
      expect(r.valid).toBe(true);
    });

    it('fails on GPL-2.0-only with one violation per package', async () => {
      const r = await run({ disallowedLicenses: ['GPL-2.0-only'] }, spdx(SYFT_SPDX));
      expect(r.valid).toBe(false);
      expect(r.details.violationCount).toBe(7);
      expect(packagesOf(r)).toEqual([
        'alpine-baselayout@3.4.0-r0', 'alpine-baselayout-data@3.4.0-r0', 'apk-tools@2.12.10-r1', 'busybox@1.35.0-r29',
        'busybox-binsh@1.35.0-r29', 'scanelf@1.3.5-r1', 'ssl_client@1.35.0-r29',
      ]);
      expect((r.details.violations as unknown[])[0]).toEqual({
        kind: 'license', package: 'alpine-baselayout', version: '3.4.0-r0',
        purl: 'pkg:apk/alpine/alpine-baselayout@3.4.0-r0?arch=x86_64&distro=alpine-3.17.1',
        license: 'GPL-2.0-only', disallowed: ['GPL-2.0-only'],
        message: 'alpine-baselayout@3.4.0-r0 license "GPL-2.0-only" cannot be satisfied without a disallowed license (GPL-2.0-only)',
      });
      expect(r.message).toMatch(/^SBOM has 7 violations: alpine-baselayout@3\.4\.0-r0 license .*; and 4 more$/);
    });

    it('finds a disallowed license inside an AND expression', async () => {
      const r = await run({ disallowedLicenses: ['GPL-2.0-or-later'] }, spdx(SYFT_SPDX));
      expect(r.details.violations).toEqual([expect.objectContaining({
        kind: 'license', package: 'musl-utils', version: '1.2.3-r4',
        license: 'MIT AND LicenseRef-AND AND BSD-2-Clause AND LicenseRef-AND AND GPL-2.0-or-later', disallowed: ['GPL-2.0-or-later'],
      })]);
    });

    it('fails on MIT in plain and compound licenses', async () => {
      const r = await run({ disallowedLicenses: ['mit'] }, spdx(SYFT_SPDX));
      expect(packagesOf(r)).toEqual(['alpine-keys@2.4-r1', 'ca-certificates-bundle@20220614-r4', 'musl@1.2.3-r4', 'musl-utils@1.2.3-r4']);
    });

    it('reports a package listed twice once', async () => {
      const doc = JSON.parse(SYFT_SPDX.toString()) as { packages: unknown[] };
      doc.packages.push(doc.packages[15]); // zlib again, as Syft writes a package two catalogers found
      const r = await run({ disallowedPackages: [{ name: 'zlib' }], disallowedLicenses: ['Zlib'] }, spdx(JSON.stringify(doc)));
      expect(r.details.violations).toEqual([expect.objectContaining({ kind: 'license', package: 'zlib' }), expect.objectContaining({ kind: 'package', package: 'zlib' })]);
    });

    it('fails on a package denied by name, every version', async () => {
      const r = await run({ disallowedPackages: [{ name: 'busybox' }] }, spdx(SYFT_SPDX));
      expect(r.details.violations).toEqual([
        { kind: 'package', package: 'busybox', version: '1.35.0', rule: 'busybox', message: 'busybox@1.35.0 is a disallowed package (busybox)' },
        {
          kind: 'package', package: 'busybox', version: '1.35.0-r29', purl: 'pkg:apk/alpine/busybox@1.35.0-r29?arch=x86_64&distro=alpine-3.17.1',
          rule: 'busybox', message: 'busybox@1.35.0-r29 is a disallowed package (busybox)',
        },
      ]);
    });

    it('matches a version range, reading Alpine revisions as revisions', async () => {
      expect((await run({ disallowedPackages: [{ name: 'busybox', version: '<1.35.0' }] }, spdx(SYFT_SPDX))).valid).toBe(true);
      const r = await run({ disallowedPackages: [{ name: 'zlib', version: '>=1.2.0 <1.2.14' }, { name: 'musl', version: '<1.2.3' }] }, spdx(SYFT_SPDX));
      expect(packagesOf(r)).toEqual(['zlib@1.2.13-r0']);
    });

    it('matches by PURL where the document has PURLs', async () => {
      const byPurl = await run({ disallowedPackages: [{ name: 'pkg:apk/alpine/busybox' }] }, spdx(SYFT_SPDX));
      expect(packagesOf(byPurl)).toEqual(['busybox@1.35.0-r29']); // the PURL-less busybox binary is not matched by a PURL rule
      const exact = await run({ disallowedPackages: [{ name: 'pkg:apk/alpine/libssl3@3.0.7-r2' }] }, spdx(SYFT_SPDX));
      expect(packagesOf(exact)).toEqual(['libssl3@3.0.7-r2']);
      const otherVersion = await run({ disallowedPackages: [{ name: 'pkg:apk/alpine/libssl3@3.0.8-r0' }] }, spdx(SYFT_SPDX));
      expect(otherVersion.valid).toBe(true);
      const otherNamespace = await run({ disallowedPackages: [{ name: 'pkg:apk/wolfi/libssl3' }] }, spdx(SYFT_SPDX));
      expect(otherNamespace.valid).toBe(true);
      const ranged = await run({ disallowedPackages: [{ name: 'pkg:apk/alpine/libcrypto3', version: '<3.0.8' }] }, spdx(SYFT_SPDX));
      expect(packagesOf(ranged)).toEqual(['libcrypto3@3.0.7-r2']);
    });

    it('passes within the maximum age and fails beyond it', async () => {
      expect((await run({ maximumAge: '720h' }, spdx(SYFT_SPDX))).valid).toBe(true);
      const r = await run({ maximumAge: '30d' }, spdx(SYFT_SPDX), { now: new Date('2024-06-01T00:00:00Z') });
      expect(r.valid).toBe(false);
      expect(r.details.violations).toEqual([{ kind: 'age', message: 'the SBOM created 2023-11-29T01:44:41.000Z is older than the maximum age 30d' }]);
    });

    it('fails a creation time that is not RFC 3339, and one that is missing', async () => {
      const doc = JSON.parse(BOM_SPDX.toString()) as { creationInfo: { created: string } };
      doc.creationInfo.created = 'November 2023';
      const r = await run({ maximumAge: '30d' }, spdx(JSON.stringify(doc)));
      expect(r.details.violations).toEqual([{ kind: 'age', message: 'the SBOM creation time "November 2023" is not an RFC 3339 time, so its age (maximum 30d) cannot be checked' }]);
      expect(r.details.creationTime).toBeNull();
      const cdx = await run({ maximumAge: '30d' }, cyclonedx({ bomFormat: 'CycloneDX', specVersion: '1.6', components: [] }));
      expect(cdx.details.violations).toEqual([{ kind: 'age', message: 'the SBOM has no creation time, so its age (maximum 30d) cannot be checked' }]);
    });

    it('fails a creation time in the future', async () => {
      const r = await run({ maximumAge: '30d' }, spdx(SYFT_SPDX), { now: new Date('2023-11-01T00:00:00Z') });
      expect(r.details.violations).toEqual([{ kind: 'age', message: 'the SBOM creation time 2023-11-29T01:44:41.000Z is in the future' }]);
    });

    it('reports every kind of violation together', async () => {
      const r = await run(
        { disallowedLicenses: ['Zlib'], disallowedPackages: [{ name: 'scanelf' }], maximumAge: '1h' },
        spdx(SYFT_SPDX),
      );
      expect((r.details.violations as Array<{ kind: string }>).map((v) => v.kind)).toEqual(['age', 'package', 'license']);
    });

    it('finds the SBOM in a layer oras attach wrote without a media type', async () => {
      const artifact = referrerArtifact({ artifactType: SPDX_JSON, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', bytes: SYFT_SPDX }] });
      expect((await run({}, artifact)).details.format).toBe('spdx');
    });
  });

  describe('on the bom SPDX 2.3 vector (bom.json)', () => {
    it('reads it and passes any license rule (its package states no license)', async () => {
      const r = await run({ disallowedLicenses: ['GPL-2.0-only', 'MIT'] }, spdx(BOM_SPDX));
      expect(r.valid).toBe(true);
      expect(r.details).toMatchObject({ format: 'spdx', specVersion: '2.3', creationTime: '2023-04-11T16:42:56.000Z', creators: ['Tool: bom-v0.5.1'], packageCount: 1 });
    });
    it('fails a deny rule on its package', async () => {
      const r = await run({ disallowedPackages: [{ name: 'demo2' }] }, spdx(BOM_SPDX));
      expect(r.details.violations).toEqual([{ kind: 'package', package: 'demo2', rule: 'demo2', message: 'demo2 is a disallowed package (demo2)' }]);
    });
  });

  describe('on CycloneDX JSON', () => {
    const bom = (specVersion: string): unknown => ({
      bomFormat: 'CycloneDX', specVersion, version: 1,
      metadata: {
        timestamp: '2024-05-01T10:00:00Z',
        tools: specVersion === '1.4' ? [{ vendor: 'anchore', name: 'syft', version: '1.0.0' }] : { components: [{ type: 'application', author: 'anchore', name: 'syft', version: '1.0.0' }] },
        component: { type: 'container', name: 'app', licenses: [{ license: { id: 'GPL-3.0-only' } }] },
      },
      components: [
        { type: 'library', name: 'left-pad', version: '1.3.0', purl: 'pkg:npm/left-pad@1.3.0', licenses: [{ license: { id: 'WTFPL' } }] },
        {
          type: 'library', name: 'core', group: '@angular', version: '16.0.0', purl: 'pkg:npm/%40angular/core@16.0.0', licenses: [{ expression: 'MIT OR GPL-3.0-only' }],
          components: [{ type: 'library', name: 'tslib', version: '2.6.0', purl: 'pkg:npm/tslib@2.6.0', licenses: [{ license: { name: 'Proprietary License' } }] }],
        },
      ],
    });

    it.each(['1.4', '1.5', '1.6', '1.7'])('reads version %s with nested components', async (v) => {
      const r = await run({}, cyclonedx(bom(v)), { now: new Date('2024-05-02T00:00:00Z') });
      expect(r.valid).toBe(true);
      expect(r.details).toMatchObject({ format: 'cyclonedx', specVersion: v, creationTime: '2024-05-01T10:00:00.000Z', packageCount: 3 });
      expect(r.details.creators).toEqual([v === '1.4' ? 'Tool: anchore syft-1.0.0' : 'Tool: syft-1.0.0']);
    });

    it('checks license ids, expressions and names, but not the described component', async () => {
      const r = await run({ disallowedLicenses: ['WTFPL', 'GPL-3.0-only', 'proprietary license'] }, cyclonedx(bom('1.5')));
      expect(packagesOf(r)).toEqual(['left-pad@1.3.0', 'tslib@2.6.0']);
      expect((r.details.violations as Array<{ license: string }>).map((v) => v.license)).toEqual(['WTFPL', 'Proprietary License']);
    });

    it('matches a scoped npm PURL rule with a range', async () => {
      const r = await run({ disallowedPackages: [{ name: 'pkg:npm/%40angular/core', version: '>=16.0.0 <16.2.0' }, { name: 'pkg:npm/left-pad', version: '>=1.3.1' }] }, cyclonedx(bom('1.6')));
      expect(packagesOf(r)).toEqual(['core@16.0.0']);
    });

    it('finds the layer whose media type carries a version parameter', async () => {
      const artifact = referrerArtifact({ artifactType: CYCLONEDX_JSON, layers: [
        { mediaType: 'text/plain', bytes: 'not this one' },
        { mediaType: 'application/vnd.cyclonedx+json; version=1.5', bytes: JSON.stringify(bom('1.5')) },
      ] });
      expect((await run({}, artifact, { now: new Date('2024-05-02T00:00:00Z') })).details).toMatchObject({ format: 'cyclonedx', packageCount: 3 });
    });

    it('refuses CycloneDX 1.3 and 1.8', async () => {
      for (const v of ['1.3', '1.8']) {
        const r = await run({}, cyclonedx(bom(v)));
        expect(r).toMatchObject({ valid: false, error: { code: 'UNSUPPORTED_VERSION' } });
      }
    });
  });

  describe('with requireSignature', () => {
    const signature = (verifier: string, valid: boolean, message: string): VerifierResult => ({
      verifier, type: 'notation', artifactType: 'application/vnd.cncf.notary.signature',
      referrer: { digest: 'sha256:' + 'b'.repeat(64), mediaType: 'application/vnd.oci.image.manifest.v1+json', annotations: {} },
      valid, message, details: {}, nested: [],
    });

    it('asks the pipeline for nested verification', async () => {
      const all = await createSbomVerifier({ name: 's', type: 'sbom', requireSignature: true }, 'verifiers[0]', deps);
      expect(all.nestedRequirement).toEqual({ verifiers: [] });
      const named = await createSbomVerifier({ name: 's', type: 'sbom', requireSignature: { verifiers: ['release'] } }, 'verifiers[0]', deps);
      expect(named.nestedRequirement).toEqual({ verifiers: ['release'] });
      const off = await createSbomVerifier({ name: 's', type: 'sbom' }, 'verifiers[0]', deps);
      expect(off.nestedRequirement).toBeUndefined();
    });

    it('passes when a nested signature result is valid, and reports the nested results', async () => {
      const nested = [signature('other', false, 'untrusted'), signature('release', true, 'signed by CN=release')];
      const r = await run({ requireSignature: true }, spdx(SYFT_SPDX), { nested });
      expect(r.valid).toBe(true);
      expect(r.nested).toEqual(nested);
      expect(r.details.signature).toEqual({ required: true, satisfied: true, trustedBy: ['release'] });
      expect(r.message).toBe('SBOM (SPDX 2.3, 16 packages) meets the policy, signed (release)');
    });

    it('fails when the SBOM is unsigned', async () => {
      const r = await run({ requireSignature: true }, spdx(SYFT_SPDX));
      expect(r.valid).toBe(false);
      expect(r.message).toBe('SBOM is not signed by a trusted signer: no signature was found');
      expect(r.error).toBeUndefined();
    });

    it('fails when no nested result is valid, quoting their reasons', async () => {
      const r = await run({ requireSignature: true }, spdx(SYFT_SPDX), { nested: [signature('release', false, 'certificate expired')] });
      expect(r.valid).toBe(false);
      expect(r.message).toBe('SBOM is not signed by a trusted signer: release: certificate expired');
    });

    it('counts only the named verifiers', async () => {
      const r = await run({ requireSignature: { verifiers: ['release'] } }, spdx(SYFT_SPDX), { nested: [signature('dev', true, 'signed by CN=dev')] });
      expect(r.valid).toBe(false);
      expect(r.message).toBe('SBOM is not signed by a trusted signer: no signature was found (checked by release)');
    });

    it('reports both an unsigned SBOM and its violations', async () => {
      const r = await run({ requireSignature: true, disallowedPackages: [{ name: 'zlib' }] }, spdx(SYFT_SPDX));
      expect(r.message).toBe('SBOM is not signed by a trusted signer: no signature was found; SBOM has 1 violation: zlib@1.2.13-r0 is a disallowed package (zlib)');
    });
  });

  describe('with invalid options', () => {
    it.each([
      [{ disallowedLicenses: 'MIT' }, 'verifiers[3].disallowedLicenses'],
      [{ disallowedPackages: [{ name: 'x', version: 'not a range!' }] }, 'verifiers[3].disallowedPackages[0].version'],
      [{ disallowedPackages: [{ name: 'pkg:npm' }] }, 'verifiers[3].disallowedPackages[0].name'],
      [{ maximumAge: '30 days' }, 'verifiers[3].maximumAge'],
      [{ requireSignature: 'yes' }, 'verifiers[3].requireSignature'],
      [{ maxDocumentBytes: -1 }, 'verifiers[3].maxDocumentBytes'],
      [{ disalowedLicenses: ['MIT'] }, 'verifiers[3]'],
    ])('refuses %j naming %s', async (options, path) => {
      await expect(createSbomVerifier({ name: 's', type: 'sbom', ...options } as VerifierConfigEntry, 'verifiers[3]', deps)).rejects.toMatchObject({ code: 'INVALID_CONFIG', path });
    });
  });

  describe('configHash', () => {
    it('is stable across key order and changes with the rules', async () => {
      const a = await createSbomVerifier({ name: 's', type: 'sbom', disallowedLicenses: ['MIT'], maximumAge: '1h' }, 'v', deps);
      const b = await createSbomVerifier({ maximumAge: '1h', type: 'sbom', name: 's', disallowedLicenses: ['MIT'] } as VerifierConfigEntry, 'v', deps);
      const c = await createSbomVerifier({ name: 's', type: 'sbom', disallowedLicenses: ['GPL-2.0-only'], maximumAge: '1h' }, 'v', deps);
      expect(a.configHash()).toBe(b.configHash());
      expect(a.configHash()).not.toBe(c.configHash());
      expect(a.configHash()).toMatch(/^[0-9a-f]{64}$/);
    });
  });
});
