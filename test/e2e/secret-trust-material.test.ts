/**
 * Trust material from Kubernetes Secrets against a real kube-apiserver: a notation CA
 * certificate (`notation cert generate-test`) and a Cosign public key (`cosign
 * generate-key-pair`) held in a Secret, named in verifier configs as `secret:` references and
 * read as Portcullis' own identity (the manifests' RBAC). Real signatures by the real CLIs are
 * verified; updating the Secret flips the verdicts without rebuilding the verifiers.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { secretTrustSource } from '../../src/compose-ports.js';
import { createKubeReader } from '../../src/kubernetes/create-kube-reader.js';
import { silentLogger } from '../../src/observability/logger.js';
import { createRegistryClient, parseReference, type PortcullisRegistryClient } from '../../src/oci/index.js';
import { COSIGN_LEGACY_SIGNATURE } from '../../src/oci/media-types.js';
import { buildVerifiers, closeVerifiers } from '../../src/verifiers/index.js';
import type { ReferrerArtifact, Subject, Verifier } from '../../src/verifiers/verifier.js';
import { applyManifests } from '../helpers/apply-manifests.js';
import { cosignCli, type CosignCli, type CosignKeyPair } from '../helpers/cosign-cli.js';
import { createOciLayoutImage } from '../helpers/create-oci-layout-image.js';
import { startControlPlane, type ControlPlane } from '../helpers/control-plane.js';
import { createKubeClient, type KubeClient } from '../helpers/kube-client.js';
import { loadManifests } from '../helpers/load-manifests.js';
import { createNotationCli, type NotationCli } from '../helpers/notation-cli.js';
import { readOciLayout } from '../helpers/oci-layout.js';
import { pushImage } from '../helpers/push-image.js';
import { startRegistry, type RunningRegistry } from '../helpers/registry-server.js';
import { waitFor } from '../helpers/wait-for.js';

const NAMESPACE = 'portcullis-system';
const SECRET = 'release-trust';
const SECRETS = `/api/v1/namespaces/${NAMESPACE}/secrets`;
const signal = (): AbortSignal => AbortSignal.timeout(20_000);
const b64 = (b: Buffer | string): string => Buffer.from(b).toString('base64');

interface Signed {
  readonly subject: Subject;
  readonly signature: ReferrerArtifact;
}

/** Resolve → list referrers → fetch the `.sig` manifest and its layers, as the pipeline does. */
async function cosignSignature(client: PortcullisRegistryClient, image: string): Promise<Signed> {
  const ref = parseReference(image);
  const d = await client.resolve(ref, signal());
  const subject: Subject = { reference: `${ref.registry}/${ref.repository}@${d.digest}`, registry: ref.registry, repository: ref.repository, digest: d.digest, mediaType: d.mediaType, size: d.size };
  const descriptor = (await client.listReferrers(ref, d, signal())).find((r) => r.descriptor.artifactType === COSIGN_LEGACY_SIGNATURE)?.descriptor;
  if (!descriptor) throw new Error(`no cosign signature found for ${image}`);
  const manifest = await client.fetchManifest(ref, descriptor, signal());
  const layers = (JSON.parse(Buffer.from(manifest.bytes).toString('utf8')) as { layers: { mediaType: string; digest: string; size: number }[] }).layers;
  const blobs = await Promise.all(layers.map((l) => client.fetchBlob(ref, l, signal())));
  return { subject, signature: { descriptor, manifest, blobs } };
}

describe('verifier trust material from Kubernetes Secrets, against a real API server', () => {
  let cp: ControlPlane;
  let admin: KubeClient;
  let registry: RunningRegistry;
  let client: PortcullisRegistryClient;
  let notation: NotationCli;
  let cosign: CosignCli;
  let work: string;
  // Two CAs / two keys: the Secret holds one pair, then the other, then the first again.
  let alphaCa: Buffer;
  let betaCa: Buffer;
  let alphaKey: CosignKeyPair;
  let betaKey: CosignKeyPair;
  let notationSigned: Signed;
  let cosignSigned: Signed;
  let verifiers: Verifier[] = [];

  const putSecret = async (ca: Buffer, cosignPub: Buffer): Promise<void> => {
    const res = await admin.request('PUT', `${SECRETS}/${SECRET}`, { metadata: { name: SECRET }, data: { 'ca.crt': b64(ca), 'cosign.pub': b64(cosignPub) } });
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'secret-trust-material-'));
    [cp, registry] = await Promise.all([startControlPlane(), startRegistry('distribution')]);
    // Namespace, ServiceAccount and RBAC only: the reads below are what the manifests allow.
    await applyManifests(cp.kubeConfig, loadManifests().map((m) => m.object).filter((o) => !o.kind.endsWith('WebhookConfiguration')));
    admin = createKubeClient(cp.kubeConfig);

    // notation: two test certificates; an image in an OCI layout signed by "alpha".
    notation = createNotationCli();
    await notation.run(['cert', 'generate-test', 'alpha']);
    await notation.run(['cert', 'generate-test', 'beta']);
    alphaCa = readFileSync(join(notation.configDir, 'localkeys', 'alpha.crt'));
    betaCa = readFileSync(join(notation.configDir, 'localkeys', 'beta.crt'));
    const layoutDir = join(work, 'layout');
    createOciLayoutImage(layoutDir, 'app');
    await notation.run(['sign', '--oci-layout', `${layoutDir}:app`, '--key', 'alpha']);
    const layout = readOciLayout(layoutDir);
    const image = layout.tagged('app');
    const [sig] = layout.referrers(image.digest);
    if (!sig) throw new Error('notation left no signature in the layout');
    notationSigned = { subject: layout.subject(image, 'registry.example', 'team/app'), signature: sig };

    // cosign: two key pairs; an image in the registry signed by "alpha".
    cosign = cosignCli();
    alphaKey = await cosign.generateKeyPair('alpha');
    betaKey = await cosign.generateKeyPair('beta');
    const pushed = await pushImage(`${registry.host}/team/app:1.0`, { content: 'secret trust material' });
    const pinned = `${registry.host}/team/app@${pushed.digest}`;
    await cosign.sign(pinned, alphaKey);
    client = createRegistryClient({ insecure: [registry.host] });
    cosignSigned = await cosignSignature(client, pinned);

    expect((await admin.create(SECRETS, { metadata: { name: SECRET }, data: { 'ca.crt': b64(alphaCa), 'cosign.pub': b64(readFileSync(alphaKey.publicKeyPath)) } })).status).toBe(201);
  }, 300_000);

  afterAll(async () => {
    await closeVerifiers(verifiers);
    await client?.close();
    await Promise.all([cp?.stop(), registry?.stop()]);
    notation?.cleanup();
    cosign?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('verifies with the Secret\'s material, follows each update of the Secret, and back', async () => {
    const reader = createKubeReader({ kubeConfig: cp.portcullisKubeConfig, logger: silentLogger() });
    verifiers = await buildVerifiers(
      [
        {
          name: 'release-notation', type: 'notation',
          trustStores: { ca: { release: [`secret:${NAMESPACE}/${SECRET}/ca.crt`] } },
          trustPolicy: {
            version: '1.0',
            trustPolicies: [{ name: 'release', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:release'], trustedIdentities: ['*'] }],
          },
        },
        { name: 'release-cosign', type: 'cosign', key: `secret:${NAMESPACE}/${SECRET}/cosign.pub`, tlog: { required: false } },
      ],
      { baseDir: work, logger: silentLogger(), trustSource: secretTrustSource(reader, silentLogger()) },
    );
    const [notationVerifier, cosignVerifier] = verifiers as [Verifier, Verifier];
    const verdicts = async () => {
      const ctx = { signal: signal(), now: new Date(), nested: [] };
      const n = await notationVerifier.verify(notationSigned.subject, notationSigned.signature, ctx);
      const c = await cosignVerifier.verify(cosignSigned.subject, cosignSigned.signature, ctx);
      return { notation: n.valid ? 'valid' : n.error?.code, cosign: c.valid ? 'valid' : 'invalid' };
    };
    /** Polls until both verdicts are `expected` (the Secret watch reloads the material in the background). */
    const reach = (expected: { notation: string | undefined; cosign: string }) => waitFor(
      `verdicts ${JSON.stringify(expected)}`,
      async () => { const v = await verdicts(); return v.notation === expected.notation && v.cosign === expected.cosign ? v : undefined; },
      30_000,
    );

    const alphaHashes = verifiers.map((v) => v.configHash());
    expect(await verdicts()).toEqual({ notation: 'valid', cosign: 'valid' });

    // Let the watches establish (their first list reports the state already loaded).
    await new Promise((r) => setTimeout(r, 1_000));
    await putSecret(betaCa, readFileSync(betaKey.publicKeyPath));
    await expect(reach({ notation: 'UNTRUSTED_CHAIN', cosign: 'invalid' })).resolves.toBeDefined();
    const betaHashes = verifiers.map((v) => v.configHash());
    expect(betaHashes[0]).not.toBe(alphaHashes[0]);
    expect(betaHashes[1]).not.toBe(alphaHashes[1]);

    // Material that is not a certificate / key is refused: the beta material stays in force.
    // reload() reads the Secret now, so the refusal is certain to have happened.
    await putSecret(Buffer.from('not a certificate'), Buffer.from('not a key'));
    await Promise.all(verifiers.map((v) => (v as Verifier & { reload(): Promise<void> }).reload()));
    expect(await verdicts()).toEqual({ notation: 'UNTRUSTED_CHAIN', cosign: 'invalid' });
    expect(verifiers.map((v) => v.configHash())).toEqual(betaHashes);

    await putSecret(alphaCa, readFileSync(alphaKey.publicKeyPath));
    await expect(reach({ notation: 'valid', cosign: 'valid' })).resolves.toBeDefined();
    expect(verifiers.map((v) => v.configHash())).toEqual(alphaHashes);
  }, 120_000);
});
