/**
 * Signatures made by the real cosign CLI (offline: --tlog-upload=false, no TUF), pushed to a real
 * registry, discovered and fetched by Portcullis' registry client exactly as the validation
 * pipeline does, then verified by the Cosign verifier.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { configCredentialProvider, createRegistryClient, parseReference, type PortcullisRegistryClient } from '../../../../src/oci/index.js';
import { COSIGN_LEGACY_SIGNATURE, SIGSTORE_BUNDLE_TYPES } from '../../../../src/oci/media-types.js';
import type { ReferrerArtifact, Subject, Verifier } from '../../../../src/verifiers/verifier.js';
import { cosignCli, type CosignCli, type CosignKeyPair } from '../../../helpers/cosign-cli.js';
import { buildCosignVerifier, tempDirWith, verifyContext } from '../../../helpers/cosign-test-fixtures.js';
import { htpasswd } from '../../../helpers/htpasswd.js';
import { pushImage } from '../../../helpers/push-image.js';
import { startRegistry, type RunningRegistry } from '../../../helpers/registry-server.js';
import { createTestSigstoreCa } from '../../../helpers/test-sigstore-ca.js';
import { toolPath } from '../../../helpers/tools.js';

const exec = promisify(execFile);
const signal = () => AbortSignal.timeout(20_000);

interface Discovered {
  readonly subject: Subject;
  readonly artifacts: ReferrerArtifact[];
}

/** Resolve → list referrers → fetch each referrer's manifest and layers: the pipeline's steps. */
async function discover(client: PortcullisRegistryClient, image: string): Promise<Discovered> {
  const ref = parseReference(image);
  const d = await client.resolve(ref, signal());
  const subject: Subject = { reference: `${ref.registry}/${ref.repository}@${d.digest}`, registry: ref.registry, repository: ref.repository, digest: d.digest, mediaType: d.mediaType, size: d.size };
  const artifacts: ReferrerArtifact[] = [];
  for (const { descriptor } of await client.listReferrers(ref, d, signal())) {
    const manifest = await client.fetchManifest(ref, descriptor, signal());
    const parsed = JSON.parse(Buffer.from(manifest.bytes).toString('utf8')) as { artifactType?: string; layers?: { mediaType: string; digest: string; size: number }[] };
    const blobs = await Promise.all((parsed.layers ?? []).map((l) => client.fetchBlob(ref, l, signal())));
    // cosign's tag-schema index entry lists a bundle referrer with its config type (the empty
    // descriptor); the manifest's own artifactType is the bundle media type.
    const artifactType = descriptor.artifactType && descriptor.artifactType !== 'application/vnd.oci.empty.v1+json' ? descriptor.artifactType : parsed.artifactType;
    artifacts.push({ descriptor: { ...descriptor, artifactType }, manifest, blobs });
  }
  return { subject, artifacts };
}

function pick(found: Discovered, kind: 'legacy' | 'bundle'): ReferrerArtifact {
  const a = found.artifacts.find((x) => (kind === 'legacy' ? x.descriptor.artifactType === COSIGN_LEGACY_SIGNATURE : SIGSTORE_BUNDLE_TYPES.includes(x.descriptor.artifactType ?? '')));
  if (!a) throw new Error(`no ${kind} signature among ${found.artifacts.map((x) => x.descriptor.artifactType).join(', ')}`);
  return a;
}

async function verdict(verifier: Verifier, found: Discovered, kind: 'legacy' | 'bundle') {
  const result = await verifier.verify(found.subject, pick(found, kind), verifyContext());
  return { result, signatures: result.details.signatures as Array<Record<string, unknown>> };
}

async function oras(args: string[], cwd: string): Promise<string> {
  const { stdout } = await exec(toolPath('oras'), args, { cwd, timeout: 30_000, env: { ...process.env, HOME: cwd, DOCKER_CONFIG: cwd } });
  return stdout;
}

describe('Cosign verifier on signatures made by the cosign CLI', () => {
  let registry: RunningRegistry;
  let cli: CosignCli;
  let client: PortcullisRegistryClient;
  let ecdsa: CosignKeyPair;
  let rsa: CosignKeyPair;
  const images: Record<'ecdsa' | 'rsa' | 'tampered' | 'copied' | 'bundle' | 'referrer', string> = { ecdsa: '', rsa: '', tampered: '', copied: '', bundle: '', referrer: '' };
  let keysDir: string;
  const sigstore = createTestSigstoreCa();

  beforeAll(async () => {
    registry = await startRegistry('distribution');
    cli = cosignCli();
    ecdsa = await cli.generateKeyPair('ecdsa');
    const rsaPem = generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    rsa = await cli.importKeyPair(rsaPem, 'rsa');
    for (const name of Object.keys(images) as (keyof typeof images)[]) {
      const pushed = await pushImage(`${registry.host}/demo/app:${name}`, { content: `image ${name}` });
      images[name] = `${registry.host}/demo/app@${pushed.digest}`;
    }
    await cli.sign(images.ecdsa, ecdsa);
    await cli.sign(images.rsa, rsa);
    await cli.sign(images.tampered, rsa);
    await cli.sign(images.bundle, ecdsa, ['--new-bundle-format']);
    // Cosign's (experimental) OCI 1.1 mode: the same .sig manifest, stored as a referrer.
    await cli.sign(images.referrer, ecdsa, ['--registry-referrers-mode=oci-1-1'], { COSIGN_EXPERIMENTAL: '1' });
    keysDir = tempDirWith({
      'ecdsa.pub': readFileSync(ecdsa.publicKeyPath),
      'rsa.pub': readFileSync(rsa.publicKeyPath),
      'trusted_root.json': sigstore.trustedRootJson,
    });
    client = createRegistryClient({ insecure: [registry.host] });
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    await registry?.stop();
    cli?.cleanup();
  });

  const verifierFor = (key: 'ecdsa.pub' | 'rsa.pub', options: Record<string, unknown> = { tlog: { required: false } }) => buildCosignVerifier({ key, ...options }, keysDir);

  describe('legacy .sig signatures', () => {
    it('verifies an ECDSA P-256 signature from cosign generate-key-pair', async () => {
      const { result, signatures } = await verdict(await verifierFor('ecdsa.pub'), await discover(client, images.ecdsa), 'legacy');
      expect(result).toMatchObject({ valid: true, message: 'signed by key ecdsa.pub' });
      expect(signatures).toEqual([expect.objectContaining({ format: 'legacy', key: 'ecdsa.pub', tlog: null, valid: true })]);
    }, 30_000);

    it('verifies a signature by an RSA key brought in with cosign import-key-pair', async () => {
      const { result } = await verdict(await verifierFor('rsa.pub'), await discover(client, images.rsa), 'legacy');
      expect(result.valid).toBe(true);
    }, 30_000);

    it('verifies the same signature stored as an OCI 1.1 referrer (--registry-referrers-mode=oci-1-1)', async () => {
      const found = await discover(client, images.referrer);
      expect(found.artifacts.map((a) => a.descriptor.artifactType)).toEqual(['application/vnd.dev.cosign.artifact.sig.v1+json']);
      const { result } = await verdict(await verifierFor('ecdsa.pub'), found, 'legacy');
      expect(result.valid).toBe(true);
    }, 30_000);

    it('agrees with cosign verify on the same signature', async () => {
      const { stdout } = await cli.run(['verify', '--key', ecdsa.publicKeyPath, '--insecure-ignore-tlog=true', '--allow-insecure-registry', images.ecdsa]);
      expect(JSON.parse(stdout)[0].critical.image['docker-manifest-digest']).toBe(images.ecdsa.split('@')[1]);
    }, 30_000);

    it('refuses a signature by another key with WRONG_KEY', async () => {
      const { result, signatures } = await verdict(await verifierFor('rsa.pub'), await discover(client, images.ecdsa), 'legacy');
      expect(result.valid).toBe(false);
      expect(signatures[0]).toMatchObject({ valid: false, failedCheck: 'WRONG_KEY' });
    }, 30_000);

    it('refuses a signature copied from another image with PAYLOAD_DIGEST_MISMATCH', async () => {
      // Put the .sig manifest of the ECDSA-signed image at the unsigned image's .sig tag.
      const sigTag = (image: string) => `${registry.host}/demo/app:${image.split('@')[1]!.replace(':', '-')}.sig`;
      const manifest = await oras(['manifest', 'fetch', '--plain-http', sigTag(images.ecdsa)], cli.dir);
      writeFileSync(join(cli.dir, 'copied.json'), manifest);
      await oras(['manifest', 'push', '--plain-http', '--media-type', 'application/vnd.oci.image.manifest.v1+json', sigTag(images.copied), join(cli.dir, 'copied.json')], cli.dir);
      const { signatures } = await verdict(await verifierFor('ecdsa.pub'), await discover(client, images.copied), 'legacy');
      expect(signatures[0]).toMatchObject({ valid: false, failedCheck: 'PAYLOAD_DIGEST_MISMATCH' });
    }, 30_000);

    it('refuses a payload altered after signing with SIGNATURE_INVALID', async () => {
      // Re-push the .sig with a payload changed in place (same length, same image digest) and
      // the manifest updated to the new blob: consistent for the registry, not for the signature.
      const sigTag = `${registry.host}/demo/app:${images.tampered.split('@')[1]!.replace(':', '-')}.sig`;
      const manifest = JSON.parse(await oras(['manifest', 'fetch', '--plain-http', sigTag], cli.dir)) as { layers: { digest: string; size: number }[] };
      const layer = manifest.layers[0]!;
      const payload = await oras(['blob', 'fetch', '--plain-http', '--output', '-', `${registry.host}/demo/app@${layer.digest}`], cli.dir);
      const altered = payload.replace('"optional":null', '"optional":{"a":1}');
      expect(altered).not.toBe(payload);
      writeFileSync(join(cli.dir, 'altered.json'), altered);
      const pushed = JSON.parse(await oras(['blob', 'push', '--plain-http', '--descriptor', `${registry.host}/demo/app`, join(cli.dir, 'altered.json')], cli.dir)) as { digest: string; size: number };
      manifest.layers[0] = { ...layer, digest: pushed.digest, size: pushed.size };
      writeFileSync(join(cli.dir, 'tampered.json'), JSON.stringify(manifest));
      await oras(['manifest', 'push', '--plain-http', '--media-type', 'application/vnd.oci.image.manifest.v1+json', sigTag, join(cli.dir, 'tampered.json')], cli.dir);

      const { signatures } = await verdict(await verifierFor('rsa.pub'), await discover(client, images.tampered), 'legacy');
      expect(signatures[0]).toMatchObject({ valid: false, failedCheck: 'SIGNATURE_INVALID' });
    }, 30_000);

    it('refuses a signature without a transparency-log proof when one is required, with TLOG_MISSING', async () => {
      const verifier = await verifierFor('ecdsa.pub', { trustedRoot: 'trusted_root.json' });
      const { result, signatures } = await verdict(verifier, await discover(client, images.ecdsa), 'legacy');
      expect(result.valid).toBe(false);
      expect(signatures[0]).toMatchObject({ valid: false, failedCheck: 'TLOG_MISSING', tlog: null });
    }, 30_000);
  });

  describe('Sigstore bundles (cosign sign --new-bundle-format)', () => {
    it('verifies the DSSE bundle referrer against the key', async () => {
      const { result, signatures } = await verdict(await verifierFor('ecdsa.pub'), await discover(client, images.bundle), 'bundle');
      expect(result).toMatchObject({ valid: true, artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json' });
      expect(signatures[0]).toMatchObject({ format: 'bundle', key: 'ecdsa.pub', predicateType: 'https://sigstore.dev/cosign/sign/v1', valid: true });
    }, 30_000);

    it('refuses it with another key (WRONG_KEY) and without a required log entry (TLOG_MISSING)', async () => {
      const found = await discover(client, images.bundle);
      expect((await verdict(await verifierFor('rsa.pub'), found, 'bundle')).signatures[0]).toMatchObject({ failedCheck: 'WRONG_KEY' });
      expect((await verdict(await verifierFor('ecdsa.pub', { trustedRoot: 'trusted_root.json' }), found, 'bundle')).signatures[0]).toMatchObject({ failedCheck: 'TLOG_MISSING' });
    }, 30_000);

    it('refuses the bundle for another image with PAYLOAD_DIGEST_MISMATCH', async () => {
      const found = await discover(client, images.bundle);
      const other = await discover(client, images.ecdsa);
      const result = await (await verifierFor('ecdsa.pub')).verify(other.subject, pick(found, 'bundle'), verifyContext());
      expect((result.details.signatures as Array<Record<string, unknown>>)[0]).toMatchObject({ failedCheck: 'PAYLOAD_DIGEST_MISMATCH' });
    }, 30_000);
  });

  describe('keyless: a certificate from a test Fulcio-like CA, dated by a local RFC 3161 TSA', () => {
    const WORKFLOW = 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0';
    const ISSUER = 'https://token.actions.githubusercontent.com';
    let found: Discovered;

    beforeAll(async () => {
      const leaf = sigstore.issueLeaf({ san: WORKFLOW, issuer: ISSUER });
      const pair = await cli.importKeyPair(leaf.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'leaf');
      writeFileSync(join(cli.dir, 'leaf.pem'), leaf.certPem);
      writeFileSync(join(cli.dir, 'ca.pem'), sigstore.caCertPem);
      const pushed = await pushImage(`${registry.host}/demo/app:keyless`, { content: 'image keyless' });
      const image = `${registry.host}/demo/app@${pushed.digest}`;
      const tsa = await sigstore.serveTimestamps();
      try {
        await cli.sign(image, pair, ['--certificate', join(cli.dir, 'leaf.pem'), '--certificate-chain', join(cli.dir, 'ca.pem'), '--timestamp-server-url', tsa.url]);
      } finally {
        await tsa.close();
      }
      found = await discover(client, image);
    }, 60_000);

    const keyless = (identity: Record<string, string>) =>
      buildCosignVerifier({ trustedRoot: 'trusted_root.json', keyless: { identities: [identity] }, tlog: { required: false }, sct: { required: false } }, keysDir);

    it('verifies the certificate identity and issuer at the timestamp', async () => {
      const { result, signatures } = await verdict(await keyless({ subject: WORKFLOW, issuer: ISSUER }), found, 'legacy');
      expect(result.valid).toBe(true);
      expect(signatures[0]).toMatchObject({ identity: WORKFLOW, issuer: ISSUER, tlog: null, valid: true });
    }, 30_000);

    it('refuses it for an identity pattern that only matches a prefix (anchored) and for another issuer', async () => {
      expect((await verdict(await keyless({ subjectRegExp: 'https://github\\.com/acme/app', issuer: ISSUER }), found, 'legacy')).signatures[0]).toMatchObject({ failedCheck: 'IDENTITY_MISMATCH' });
      expect((await verdict(await keyless({ subject: WORKFLOW, issuer: 'https://gitlab.com' }), found, 'legacy')).signatures[0]).toMatchObject({ failedCheck: 'ISSUER_MISMATCH' });
    }, 30_000);
  });

  describe('in a registry that requires authentication', () => {
    it('verifies a signature fetched with credentials through the registry client', async () => {
      const priv = await startRegistry('distribution', { auth: { htpasswd: htpasswd('alice', 's3cret') } });
      const authed = createRegistryClient({ insecure: [priv.host], credentials: configCredentialProvider([{ host: priv.host, username: 'alice', password: 's3cret' }]) });
      try {
        const pushed = await pushImage(`${priv.host}/private/app:1`, { content: 'private image', auth: { username: 'alice', password: 's3cret' } });
        const image = `${priv.host}/private/app@${pushed.digest}`;
        cli.login(priv.host, 'alice', 's3cret');
        await cli.sign(image, ecdsa);
        await expect(discover(createRegistryClient({ insecure: [priv.host] }), image)).rejects.toMatchObject({ code: expect.any(String) });
        const { result } = await verdict(await verifierFor('ecdsa.pub'), await discover(authed, image), 'legacy');
        expect(result.valid).toBe(true);
      } finally {
        await authed.close();
        await priv.stop();
      }
    }, 60_000);
  });
});
