/**
 * The validation pipeline over a real registry (olareg, OCI 1.1 referrers API) with real
 * signatures made by the real `notation` and `cosign` CLIs, the real registry client, the real
 * verifiers and the default Rego policy compiled to Wasm by the real `opa`. `portcullis verify`
 * runs against the same images and must decide the same.
 * (Modes warn/audit are applied by the admission layer on these verdicts; here the verdicts.)
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AdmissionContext } from '../../../src/admission/ports.js';
import { verifyCommand } from '../../../src/cli/verify.js';
import { parseConfig, type ConfigInput } from '../../../src/config/index.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { createRegistryClient, type PortcullisRegistryClient } from '../../../src/oci/registry-client.js';
import { buildValidationPipeline, type ValidationPipeline } from '../../../src/validation/build-validation-pipeline.js';
import { buildFixtureBundle } from '../../helpers/build-fixture-bundle.js';
import { createNotationCli, type NotationCli } from '../../helpers/notation-cli.js';
import { attachArtifact, pushImage, pushIndex } from '../../helpers/push-image.js';
import { startRegistry, type RunningRegistry } from '../../helpers/registry-server.js';
import { PROJECT_ROOT, toolPath } from '../../helpers/tools.js';

const exec = promisify(execFile);
const NOTARY = 'application/vnd.cncf.notary.signature';
const SPDX = 'application/spdx+json';

function spdx(license: string): string {
  return JSON.stringify({
    spdxVersion: 'SPDX-2.3', dataLicense: 'CC0-1.0', SPDXID: 'SPDXRef-DOCUMENT', name: 'app', documentNamespace: 'https://example.com/spdx/app',
    creationInfo: { created: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), creators: ['Tool: test'] },
    packages: [{ name: 'libexample', SPDXID: 'SPDXRef-Package-libexample', versionInfo: '1.0.0', downloadLocation: 'NOASSERTION', licenseConcluded: license }],
  });
}

let registry: RunningRegistry;
let work: string;
let notation: NotationCli;
let client: PortcullisRegistryClient;
let defaultBundle: string;
let multi: string;
const img: Record<'notation' | 'cosign' | 'unsigned' | 'tool' | 'otherCa' | 'sbomSigned' | 'sbomUnsigned' | 'sbomGpl', string> = {
  notation: '', cosign: '', unsigned: '', tool: '', otherCa: '', sbomSigned: '', sbomUnsigned: '', sbomGpl: '',
};

async function cosign(args: string[]): Promise<void> {
  await exec(toolPath('cosign'), args, {
    cwd: work, timeout: 60_000,
    env: { PATH: process.env.PATH ?? '', HOME: work, DOCKER_CONFIG: work, COSIGN_PASSWORD: 'test-password', COSIGN_YES: 'true', SIGSTORE_NO_CACHE: '1', TUF_ROOT: join(work, 'tuf') },
  });
}

function config(overrides: Partial<ConfigInput> = {}) {
  const input: ConfigInput = {
    registries: { insecure: [registry.host] },
    admission: { failurePolicy: 'deny' },
    policy: { bundle: defaultBundle, data: {} },
    verifiers: [
      {
        name: 'release-signatures', type: 'notation', artifactTypes: [NOTARY], watch: false,
        trustStores: { ca: { release: [join(notation.configDir, 'localkeys', 'release.crt')] } },
        trustPolicy: { version: '1.0', trustPolicies: [{ name: 'all', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:release'], trustedIdentities: ['*'] }] },
      },
      { name: 'cosign-key', type: 'cosign', key: join(work, 'cosign.pub'), tlog: { required: false } },
      { name: 'sbom-policy', type: 'sbom', artifactTypes: [SPDX], disallowedLicenses: ['GPL-3.0-only'], requireSignature: { verifiers: ['release-signatures'] } },
    ],
    ...overrides,
    // Images are named by tag: these tests are about verification, not pinning.
    validation: { requireDigest: false, ...overrides.validation },
  };
  return parseConfig(input, { baseDir: work, file: null });
}

function ctx(namespace = 'default'): AdmissionContext {
  return {
    signal: AbortSignal.timeout(20_000), deadline: Date.now() + 20_000,
    request: { uid: 'u1', operation: 'CREATE', namespace, kind: { group: '', version: 'v1', kind: 'Pod' }, name: 'web', userInfo: { username: 'dev', groups: [] }, dryRun: false },
    pod: { imagePullSecrets: [] },
  };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'portcullis-validation-'));
  registry = await startRegistry('olareg');
  notation = createNotationCli();
  const push = async (repo: string) => {
    const d = await pushImage(`${registry.host}/${repo}:1`, { content: `content of ${repo}` });
    return `${registry.host}/${repo}@${d.digest}`;
  };
  const [notationRef, cosignRef, , , otherCaRef, sbomSignedRef, sbomUnsignedRef, sbomGplRef] = await Promise.all(
    ['app/notation', 'app/cosign', 'app/unsigned', 'tools/debug', 'app/other-ca', 'app/sbom-signed', 'app/sbom-unsigned', 'app/sbom-gpl'].map(push),
  );
  img.sbomSigned = `${registry.host}/app/sbom-signed:1`;
  img.sbomUnsigned = `${registry.host}/app/sbom-unsigned:1`;
  img.sbomGpl = `${registry.host}/app/sbom-gpl:1`;
  img.notation = `${registry.host}/app/notation:1`;
  img.cosign = `${registry.host}/app/cosign:1`;
  img.unsigned = `${registry.host}/app/unsigned:1`;
  img.tool = `${registry.host}/tools/debug:1`;
  img.otherCa = `${registry.host}/app/other-ca:1`;
  await notation.run(['cert', 'generate-test', 'release']);
  await notation.run(['cert', 'generate-test', 'rogue']);
  await notation.run(['sign', '--insecure-registry', '--key', 'release', notationRef!]);
  await notation.run(['sign', '--insecure-registry', '--key', 'rogue', otherCaRef!]);
  // SBOMs as referrers; the signed ones carry their own Notation signature (nested referrer).
  for (const [ref, license, signSbom] of [[sbomSignedRef!, 'MIT', true], [sbomUnsignedRef!, 'MIT', false], [sbomGplRef!, 'GPL-3.0-only', true]] as const) {
    await notation.run(['sign', '--insecure-registry', '--key', 'release', ref]);
    const sbom = await attachArtifact(ref, SPDX, { content: spdx(license), mediaType: SPDX });
    if (signSbom) await notation.run(['sign', '--insecure-registry', '--key', 'release', `${ref.split('@')[0]}@${sbom.digest}`]);
  }
  // A multi-arch index signed as a whole, with only its linux/amd64 manifest signed on its own.
  const amd64 = await pushImage(`${registry.host}/app/multi:amd64`, { content: 'amd64', platform: 'linux/amd64' });
  await pushImage(`${registry.host}/app/multi:arm64`, { content: 'arm64', platform: 'linux/arm64/v8' });
  const index = await pushIndex(`${registry.host}/app/multi:1`, ['amd64', 'arm64']);
  multi = `${registry.host}/app/multi:1`;
  await notation.run(['sign', '--insecure-registry', '--key', 'release', `${registry.host}/app/multi@${index.digest}`]);
  await notation.run(['sign', '--insecure-registry', '--key', 'release', `${registry.host}/app/multi@${amd64.digest}`]);
  await cosign(['generate-key-pair']);
  await cosign(['sign', '--key', join(work, 'cosign.key'), '--tlog-upload=false', '--allow-http-registry', '--allow-insecure-registry', cosignRef!]);
  defaultBundle = (await buildFixtureBundle(join(PROJECT_ROOT, 'policies'), { out: join(work, 'default.tar.gz') })).path;
  client = createRegistryClient({ insecure: [registry.host] });
}, 180_000);

afterAll(async () => {
  await client?.close();
  notation?.cleanup();
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the validation pipeline over a real registry', () => {
  let pipeline: ValidationPipeline;
  beforeAll(async () => { pipeline = await buildValidationPipeline(config(), { client, logger: silentLogger(), watchPolicy: false }); }, 60_000);
  afterAll(async () => { await pipeline?.close(); });

  it('denies a Pod with one signed and one unsigned image, naming the unsigned one', async () => {
    const verdicts = await pipeline.validator.validate([img.notation, img.unsigned], ctx());
    expect(verdicts).toEqual([
      { image: img.notation, allowed: true, reasons: [], warnings: [], summary: 'allowed: release-signatures ok' },
      {
        image: img.unsigned, allowed: false, reasons: ['no valid signature: no Notation or Cosign signature found for this image'],
        warnings: [], summary: 'denied: no verified referrers',
      },
    ]);
  }, 60_000);

  it('allows a Pod whose images are all signed (Notation and Cosign)', async () => {
    const verdicts = await pipeline.validator.validate([img.notation, img.cosign], ctx());
    expect(verdicts.map((v) => [v.image, v.allowed, v.reasons])).toEqual([[img.notation, true, []], [img.cosign, true, []]]);
    expect(verdicts[1]!.summary).toBe('allowed: cosign-key ok');
  }, 60_000);

  it('denies a Notation signature from an untrusted CA with an actionable reason', async () => {
    const [v] = await pipeline.validator.validate([img.otherCa], ctx());
    expect(v!.allowed).toBe(false);
    expect(v!.reasons).toEqual(['no valid signature: notation "release-signatures": certificate chain does not lead to trust store ca:release']);
  }, 60_000);

  describe('SBOMs with nested signatures', () => {
    it('allows an image whose SBOM is signed and within policy', async () => {
      const [v] = await pipeline.validator.validateDetailed([img.sbomSigned], ctx());
      expect(v).toMatchObject({ allowed: true, reasons: [], summary: 'allowed: release-signatures ok, sbom-policy ok' });
      const sbom = v!.targets[0]!.input.results.find((r) => r.type === 'sbom')!;
      expect(sbom.nested.map((n) => [n.verifier, n.valid])).toEqual([['release-signatures', true]]);
    }, 60_000);

    it('denies an image whose SBOM is not signed', async () => {
      const [v] = await pipeline.validator.validate([img.sbomUnsigned], ctx());
      expect(v!.allowed).toBe(false);
      expect(v!.reasons).toHaveLength(1);
      expect(v!.reasons[0]).toMatch(/^sbom "sbom-policy": .*sign/i);
    }, 60_000);

    it('denies an image whose SBOM lists a disallowed license', async () => {
      const [v] = await pipeline.validator.validate([img.sbomGpl], ctx());
      expect(v!.allowed).toBe(false);
      expect(v!.reasons[0]).toMatch(/^sbom "sbom-policy": .*GPL-3\.0-only/);
    }, 60_000);
  });

  it('gives the policy the real verifier results', async () => {
    const [v] = await pipeline.validator.validateDetailed([img.notation], ctx());
    const r = v!.targets[0]!.input.results[0]!;
    expect(r).toMatchObject({ verifier: 'release-signatures', type: 'notation', artifactType: NOTARY, valid: true });
    expect((r.details as { signer?: { subject?: string } }).signer?.subject).toContain('CN=release');
  }, 60_000);

  it('portcullis verify gives the same decisions, exit 1 when one is denied', async () => {
    const images = [img.notation, img.cosign, img.unsigned, img.otherCa];
    const expected = (await pipeline.validator.validate(images, ctx())).map((v) => ({ image: v.image, allowed: v.allowed, reasons: v.reasons }));
    const file = join(work, 'portcullis.yaml');
    writeFileSync(file, JSON.stringify({
      registries: { insecure: [registry.host] }, policy: { bundle: defaultBundle },
      verifiers: config().verifiers,
    }));
    const out: string[] = [];
    const err: string[] = [];
    let code = -1;
    await verifyCommand({ stdout: (l) => out.push(l), stderr: (l) => err.push(l), exit: (c) => { code = c; } })
      .parseAsync([...images, '--config', file, '--output', 'json'], { from: 'user' });
    expect(err).toEqual([]);
    expect(code).toBe(1);
    const printed = JSON.parse(out.join('\n')) as Array<{ image: string; allowed: boolean; reasons: string[] }>;
    expect(printed.map(({ image, allowed, reasons }) => ({ image, allowed, reasons }))).toEqual(expected);

    const text: string[] = [];
    await verifyCommand({ stdout: (l) => text.push(l), stderr: () => undefined, exit: (c) => { code = c; } })
      .parseAsync([img.notation, img.cosign, '--config', file], { from: 'user' });
    expect(code).toBe(0);
    expect(text.join('\n')).toContain(`${img.notation}: ALLOWED`);
    expect(text.join('\n')).toMatch(/release-signatures\s+notation\s+sha256:\S+\s+valid/);
  }, 120_000);
});

describe('validation.platforms on a multi-arch index', () => {
  const verdict = async (platforms: 'index' | 'both' | string[]) => {
    const pipeline = await buildValidationPipeline(config({ validation: { platforms } }), { client, logger: silentLogger(), watchPolicy: false });
    try {
      const [v] = await pipeline.validator.validate([multi], ctx());
      return v!;
    } finally {
      await pipeline.close();
    }
  };

  it('index: the signed index is enough', async () => {
    expect(await verdict('index')).toMatchObject({ allowed: true, summary: 'allowed: release-signatures ok' });
  }, 60_000);

  it('a platform list: only the listed, signed platform', async () => {
    expect((await verdict(['linux/amd64'])).allowed).toBe(true);
    expect(await verdict(['linux/arm64'])).toMatchObject({
      allowed: false, reasons: ['linux/arm64/v8: no valid signature: no Notation or Cosign signature found for this image'],
    });
  }, 60_000);

  it('both: the index and every platform must pass', async () => {
    expect(await verdict('both')).toMatchObject({
      allowed: false,
      reasons: ['linux/arm64/v8: no valid signature: no Notation or Cosign signature found for this image'],
      summary: 'denied: release-signatures ok; linux/amd64: release-signatures ok; linux/arm64/v8: no verified referrers',
    });
  }, 60_000);
});

describe('exemptions', () => {
  it('allows an image excluded by policy data, with a warning, and still denies others', async () => {
    const dir = join(PROJECT_ROOT, 'policies/examples/exemptions');
    const bundle = (await buildFixtureBundle(dir, { entrypoint: 'portcullis/examples/exemptions/decision', out: join(work, 'exemptions.tar.gz') })).path;
    const pipeline = await buildValidationPipeline(
      config({ policy: { bundle, data: { exemptions: { images: [`${registry.host}/tools/*`], namespaces: ['sandbox'] } } } }),
      { client, logger: silentLogger(), watchPolicy: false },
    );
    try {
      const [tool, unsigned] = await pipeline.validator.validate([img.tool, img.unsigned], ctx());
      expect(tool).toMatchObject({ allowed: true, warnings: [`not verified: image matches exemption ${registry.host}/tools/*`] });
      expect(unsigned!.allowed).toBe(false);
      const [inSandbox] = await pipeline.validator.validate([img.unsigned], ctx('sandbox'));
      expect(inSandbox).toMatchObject({ allowed: true, warnings: ['not verified: namespace sandbox is exempt'] });
    } finally {
      await pipeline.close();
    }
  }, 120_000);

  it('allows an image excluded by validation.excludeImages without verifying it', async () => {
    const pipeline = await buildValidationPipeline(config({ validation: { excludeImages: [`${registry.host}/tools/**`] } }), { client, logger: silentLogger(), watchPolicy: false });
    try {
      const [v] = await pipeline.validator.validate([img.tool], ctx());
      expect(v).toEqual({ image: img.tool, allowed: true, reasons: [], warnings: [], summary: 'excluded by validation.excludeImages' });
    } finally {
      await pipeline.close();
    }
  }, 60_000);
});
