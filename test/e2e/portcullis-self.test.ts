/**
 * Issue 17, "Dogfood": Portcullis admits its own image only because its release verifies. The
 * real Portcullis image (built from this checkout, linux/amd64) is released with
 * scripts/release.sh into a real distribution registry (no referrers API: tag schema), then a
 * Portcullis behind a real kube-apiserver, configured with the release certificate and key and
 * policies/examples/portcullis-self (Notation AND Cosign signature AND a SLSA provenance of
 * Portcullis' build type from the trusted builder, repository and ref), decides on Pods that
 * run it. Tampered copies are denied with reasons naming what failed:
 *   - the image with one layer changed (a new digest: no signature or provenance covers it);
 *   - the same image in another repository, signed with the release keys but with a provenance
 *     from another builder.
 * Needs dist/ (`npm run build`): the image packs it.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse, stringify } from 'yaml';
import { startPortcullis, type RunningPortcullis } from '../../src/main.js';
import { silentLogger } from '../../src/observability/logger.js';
import { applyManifests, manifestsForTarget } from '../helpers/apply-manifests.js';
import { buildPortcullisImage, type PortcullisImage } from '../helpers/build-portcullis-image.js';
import { startControlPlane, type ControlPlane } from '../helpers/control-plane.js';
import { cosignCli, type CosignCli, type CosignKeyPair } from '../helpers/cosign-cli.js';
import { createKubeClient, type KubeClient, type KubeResponse } from '../helpers/kube-client.js';
import { loadManifests } from '../helpers/load-manifests.js';
import { createNotationSigner, type NotationSigner } from '../helpers/notation-signer.js';
import { getManifestJson, putBlob, putManifest } from '../helpers/raw-registry.js';
import { freePort, startRegistry, type RunningRegistry } from '../helpers/registry-server.js';
import { releasePortcullis, type ReleasedImage } from '../helpers/release-portcullis.js';
import { createTestCa } from '../helpers/test-ca.js';
import { PROJECT_ROOT, toolPath } from '../helpers/tools.js';
import { waitForWebhooks } from '../helpers/wait-for-webhooks.js';

const exec = promisify(execFile);
const POLICY_DATA = JSON.parse(readFileSync(join(PROJECT_ROOT, 'policies/examples/portcullis-self/data.json'), 'utf8')) as { portcullis_self: { builders: string[] } };
/** The builder the example's data.json trusts: the release below claims it. */
const TRUSTED_BUILDER = POLICY_DATA.portcullis_self.builders[0] ?? '';
const OTHER_BUILDER = 'https://ci.example/someone-else/release@v1';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

interface PodBody { spec: { containers: { image: string }[] } }
interface Manifest { layers: { mediaType: string; digest: string; size: number }[]; [k: string]: unknown }
interface Index { manifests: { digest: string; size: number; mediaType: string }[]; [k: string]: unknown }
const pod = (name: string, image: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'portcullis', image }] } });
const messageOf = (res: KubeResponse): string => (res.body as { message?: string }).message ?? JSON.stringify(res.body);

describe('Portcullis admits its own released image, and only that', () => {
  let cp: ControlPlane;
  let registry: RunningRegistry;
  let image: PortcullisImage;
  let signer: NotationSigner;
  let cosign: CosignCli;
  let key: CosignKeyPair;
  let released: ReleasedImage;
  let portcullis: RunningPortcullis | undefined;
  let admin: KubeClient;
  let dir: string;
  let savedKubeconfig: string | undefined;
  let own: string; let tampered: string; let otherBuilder: string;

  beforeAll(async () => {
    cosign = cosignCli();
    [cp, registry, image, signer, key] = await Promise.all([
      startControlPlane(),
      startRegistry('distribution'),
      buildPortcullisImage({ architectures: ['amd64'] }),
      createNotationSigner('portcullis-release'),
      cosign.generateKeyPair('release'),
    ]);
    admin = createKubeClient(cp.kubeConfig);
    own = `${registry.host}/portcullis/portcullis:${image.tag}`;
    released = await releasePortcullis({ image, target: own, builderId: TRUSTED_BUILDER, signer, cosignKey: key, cosignHome: cosign.dir });

    // --- tampered copy 1: the same index, its platform image with the app layer swapped
    const platform = released.result.platforms[0]?.digest ?? '';
    const manifest = await getManifestJson<Manifest>(registry.host, 'portcullis/portcullis', platform, OCI_MANIFEST);
    const index = await getManifestJson<Index>(registry.host, 'portcullis/portcullis', released.result.digest, OCI_INDEX);
    if (!manifest || !index) throw new Error('released image not in the registry');
    const evil = await putBlob(registry.host, 'portcullis/portcullis', gzipSync(Buffer.from('a changed app layer')), manifest.layers.at(-1)?.mediaType);
    const changed = await putManifest(registry.host, 'portcullis/portcullis', 'tampered-platform', { ...manifest, layers: [...manifest.layers.slice(0, -1), evil] }, OCI_MANIFEST);
    await putManifest(registry.host, 'portcullis/portcullis', 'tampered', { ...index, manifests: [{ ...index.manifests[0], digest: changed.digest, size: changed.size }] }, OCI_INDEX);
    tampered = `${registry.host}/portcullis/portcullis:tampered`;

    // --- tampered copy 2: the very image, elsewhere, signed with the release keys, provenance by another builder
    otherBuilder = `${registry.host}/mirror/portcullis:${image.tag}`;
    await exec(toolPath('oras'), ['cp', '--from-plain-http', '--to-plain-http', `${registry.host}/portcullis/portcullis@${released.result.digest}`, otherBuilder], { timeout: 60_000, env: { ...process.env, HOME: cosign.dir, DOCKER_CONFIG: join(cosign.dir, 'docker') } });
    const otherPinned = `${registry.host}/mirror/portcullis@${released.result.digest}`;
    const provenance = JSON.parse(readFileSync(released.result.provenanceFile, 'utf8')) as { runDetails: { builder: { id: string } } };
    await signer.sign(otherPinned);
    await cosign.sign(otherPinned, key);
    await cosign.attest(otherPinned, key, 'slsaprovenance1', { ...provenance, runDetails: { ...provenance.runDetails, builder: { id: OTHER_BUILDER } } });

    // --- Portcullis: the manifests' config, the release's trust material, the self policy
    dir = mkdtempSync(join(tmpdir(), 'portcullis-self-e2e-'));
    const bundle = join(dir, 'policy.tar.gz');
    await exec(toolPath('opa'), ['build', '-t', 'wasm', '--ignore', '*_test.rego', '-e', 'portcullis/examples/portcullis_self/decision', '-o', bundle,
      join(PROJECT_ROOT, 'policies/attestations.rego'), join(PROJECT_ROOT, 'policies/examples/portcullis-self')], { timeout: 60_000 });
    const servingCa = createTestCa('portcullis-self-serving-ca');
    const serving = servingCa.issue({ commonName: 'portcullis', usage: 'server', ipAddresses: ['127.0.0.1'] });
    mkdirSync(join(dir, 'tls'));
    writeFileSync(join(dir, 'tls', 'tls.crt'), serving.certPem);
    writeFileSync(join(dir, 'tls', 'tls.key'), serving.keyPem, { mode: 0o600 });
    const configMap = loadManifests().find((m) => m.object.kind === 'ConfigMap')?.object as unknown as { data: Record<string, string> };
    const config = parse(configMap.data['portcullis.yaml'] ?? '') as Record<string, Record<string, unknown>>;
    config.server = { ...config.server, host: '127.0.0.1', port: await freePort(), metricsPort: await freePort() };
    config.tls = { ...config.tls, certFile: join(dir, 'tls', 'tls.crt'), keyFile: join(dir, 'tls', 'tls.key'), clientCAFile: cp.webhookClientCaFile };
    config.registries = { ...config.registries, insecure: [registry.host] };
    config.policy = { ...config.policy, bundle };
    const verifiers = [
      {
        name: 'portcullis-release-notation', type: 'notation',
        trustStores: { ca: { release: [signer.certFile] } },
        trustPolicy: { version: '1.0', trustPolicies: [{ name: 'portcullis', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:release'], trustedIdentities: ['*'] }] },
      },
      { name: 'portcullis-release-cosign', type: 'cosign', key: key.publicKeyPath, tlog: { required: false } },
      { name: 'portcullis-release-provenance', type: 'cosign', key: key.publicKeyPath, tlog: { required: false }, predicateTypes: ['https://slsa.dev/provenance/v1'] },
    ];
    const configPath = join(dir, 'portcullis.yaml');
    writeFileSync(configPath, stringify({ ...config, verifiers }));
    savedKubeconfig = process.env.KUBECONFIG;
    process.env.KUBECONFIG = cp.portcullisKubeconfigPath;
    portcullis = await startPortcullis({ configPath, logger: silentLogger() });

    await applyManifests(cp.kubeConfig, manifestsForTarget({ baseUrl: portcullis.url, caPem: servingCa.certPem }));
    expect((await admin.create('/api/v1/namespaces', { metadata: { name: 'portcullis-self' } })).status).toBe(201);
    await waitForWebhooks(admin, 'portcullis-self', pod('warmup', own), own);
  }, 420_000);

  afterAll(async () => {
    await portcullis?.close();
    if (savedKubeconfig === undefined) delete process.env.KUBECONFIG; else process.env.KUBECONFIG = savedKubeconfig;
    await Promise.all([cp?.stop(), registry?.stop()]);
    image?.cleanup();
    signer?.cleanup();
    cosign?.cleanup();
    released?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('admits a Pod running the released Portcullis image, pinned to the released digest', async () => {
    const res = await admin.create('/api/v1/namespaces/portcullis-self/pods', pod('portcullis', own));
    expect([res.status, messageOf(res)]).toEqual([201, expect.any(String)]);
    const stored = await admin.get<PodBody>('/api/v1/namespaces/portcullis-self/pods/portcullis');
    expect(stored.body.spec.containers[0]?.image).toBe(`${own}@${released.result.digest}`);
  });

  it('denies the image with one layer changed: no signature and no provenance cover its digest', async () => {
    const res = await admin.create('/api/v1/namespaces/portcullis-self/pods', pod('tampered', tampered));
    expect(res.status).toBe(403);
    const message = messageOf(res);
    expect(message).toContain(`image "${tampered}`);
    expect(message).toContain('no valid Notation signature from the Portcullis release certificate');
    expect(message).toContain('no valid Cosign signature from the Portcullis release key');
    expect(message).toContain('no verified SLSA provenance of the Portcullis build');
  });

  it('denies the image signed with the release keys but with provenance from another builder, naming the builder', async () => {
    const res = await admin.create('/api/v1/namespaces/portcullis-self/pods', pod('other-builder', otherBuilder));
    expect(res.status).toBe(403);
    const message = messageOf(res);
    expect(message).toContain(`SLSA provenance not trusted: built by ${OTHER_BUILDER}`);
    // Only the provenance failed: both signatures verified.
    expect(message).not.toContain('no valid Notation signature');
    expect(message).not.toContain('no valid Cosign signature');
  });
});
