/**
 * Issue 17, "Run it for real": the real kube-apiserver calls a Portcullis running from *the
 * image* — built by scripts/image/build-image.ts from this checkout's dist/, pushed to a real
 * registry and pulled back by digest (oras), unpacked into an OCI runtime bundle and run under
 * crun — not from the checkout. It runs as a Pod would: the
 * image's user (65532), read-only root, tmpfs /tmp, the manifests' config (paths unchanged,
 * only host/ports/registry/trust for the test) and TLS and trust folders mounted read-only where
 * manifests/deployment.yaml mounts them, and the API server found in-cluster style
 * (KUBERNETES_SERVICE_HOST + a mounted ServiceAccount token). Host network namespace: it listens
 * on loopback. Needs root and crun (scripts/install-tools.sh), and dist/ (`npm run build`).
 */
import { execFile } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse, stringify } from 'yaml';
import { CONFIG_FILE, ENTRYPOINT, IMAGE_USER } from '../../scripts/image/image-config.js';
import { applyManifests, manifestsForTarget } from '../helpers/apply-manifests.js';
import { buildPortcullisImage, type PortcullisImage } from '../helpers/build-portcullis-image.js';
import { startControlPlane, type ControlPlane } from '../helpers/control-plane.js';
import { createKubeClient, type KubeClient, type KubeResponse } from '../helpers/kube-client.js';
import { loadManifests } from '../helpers/load-manifests.js';
import { createNotationSigner, type NotationSigner } from '../helpers/notation-signer.js';
import { readOciLayout } from '../helpers/oci-layout.js';
import { createRuntimeBundle, runContainer, type RunningContainer, type RuntimeBundle } from '../helpers/oci-runtime.js';
import { pushImage } from '../helpers/push-image.js';
import { freePort, startRegistry, type RunningRegistry } from '../helpers/registry-server.js';
import { createTestCa } from '../helpers/test-ca.js';
import { toolPath } from '../helpers/tools.js';
import { waitFor } from '../helpers/wait-for.js';
import { waitForWebhooks } from '../helpers/wait-for-webhooks.js';

const run = promisify(execFile);

interface PodBody { spec: { containers: { image: string }[] } }
const pod = (name: string, image: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'app', image }] } });
const messageOf = (res: KubeResponse): string => (res.body as { message?: string }).message ?? JSON.stringify(res.body);

/** Writes `files` under `dir`, owned by the image's user (as a kubelet's fsGroup would make a volume readable). */
function volume(dir: string, files: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content, { mode: 0o400 });
  for (const p of [dir, ...readdirSync(dir).map((n) => join(dir, n))]) chownSync(p, IMAGE_USER.uid, IMAGE_USER.gid);
  return dir;
}

describe('Portcullis from its own image, under crun, behind a real kube-apiserver', () => {
  let cp: ControlPlane;
  let registry: RunningRegistry;
  let signer: NotationSigner;
  let image: PortcullisImage;
  let bundle: RuntimeBundle;
  let container: RunningContainer | undefined;
  let admin: KubeClient;
  let dir: string;
  let metricsPort: number;
  let pulledDir: string;
  let signed: string; let signedDigest: string;
  let unsigned: string;

  beforeAll(async () => {
    // allSettled, each kept as it comes: when one fails, afterAll still stops the others.
    const started = await Promise.allSettled([
      startControlPlane().then((v) => { cp = v; }),
      startRegistry('distribution').then((v) => { registry = v; }),
      createNotationSigner().then((v) => { signer = v; }),
      buildPortcullisImage({ architectures: ['amd64'] }).then((v) => { image = v; }),
    ]);
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    admin = createKubeClient(cp.kubeConfig);
    signed = `${registry.host}/team/app:1.0`;
    unsigned = `${registry.host}/team/unsigned:1.0`;
    signedDigest = (await pushImage(signed, { content: 'app' })).digest;
    await pushImage(unsigned, { content: 'unsigned' });
    await signer.sign(`${registry.host}/team/app@${signedDigest}`);

    // --- the volumes of manifests/deployment.yaml, on the host
    dir = mkdtempSync(join(tmpdir(), 'portcullis-image-e2e-'));
    const [port, metrics] = [await freePort(), await freePort()];
    metricsPort = metrics;
    const configMap = loadManifests().find((m) => m.object.kind === 'ConfigMap')?.object as unknown as { data: Record<string, string> };
    const config = parse(configMap.data['portcullis.yaml'] ?? '') as Record<string, Record<string, unknown>>;
    config.server = { ...config.server, host: '127.0.0.1', port, metricsPort };
    config.registries = { ...config.registries, insecure: [registry.host] };
    const servingCa = createTestCa('portcullis-image-e2e-serving-ca');
    const serving = servingCa.issue({ commonName: 'portcullis', usage: 'server', ipAddresses: ['127.0.0.1'] });
    const token = (parse(readFileSync(cp.portcullisKubeconfigPath, 'utf8')) as { users: { user: { token: string } }[] }).users[0]?.user.token ?? '';
    const mounts = [
      { destination: '/etc/portcullis/config', source: volume(join(dir, 'config'), { 'portcullis.yaml': stringify(config) }) },
      { destination: '/etc/portcullis/tls', source: volume(join(dir, 'tls'), { 'tls.crt': serving.certPem, 'tls.key': serving.keyPem, 'ca.crt': cp.webhookClientCaPem }) },
      { destination: '/etc/portcullis/trust', source: volume(join(dir, 'trust'), { 'ca.pem': readFileSync(signer.certFile, 'utf8') }) },
      { destination: '/var/run/secrets/kubernetes.io/serviceaccount', source: volume(join(dir, 'serviceaccount'), { token, 'ca.crt': cp.caPem, namespace: 'portcullis-system' }) },
    ];
    // As a kubelet would: the image comes from a registry, by digest (pushed, then pulled back).
    const imageRef = `${registry.host}/portcullis/portcullis`;
    await run(toolPath('oras'), ['cp', '--from-oci-layout', image.orasRef, `${imageRef}:${image.tag}`, '--to-plain-http']);
    pulledDir = join(dir, 'pulled');
    await run(toolPath('oras'), ['cp', '--from-plain-http', `${imageRef}@${image.digest}`, '--to-oci-layout', `${pulledDir}:${image.tag}`]);
    bundle = createRuntimeBundle(pulledDir, {
      mounts,
      env: { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: new URL(cp.url).port },
    });
    container = runContainer(bundle);
    const running = container;
    await waitFor('Portcullis in the container to answer /healthz', async () => {
      const exit = running.exited();
      if (exit) throw new Error(`the container exited (${JSON.stringify(exit)}):\n${running.logs().slice(-4_000)}`);
      const res = await fetch(`http://127.0.0.1:${metricsPort}/healthz`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
      return res?.status === 200 ? true : undefined;
    }, 120_000, 250);

    await applyManifests(cp.kubeConfig, manifestsForTarget({ baseUrl: `https://127.0.0.1:${port}`, caPem: servingCa.certPem }));
    expect((await admin.create('/api/v1/namespaces', { metadata: { name: 'apps' } })).status).toBe(201);
    await waitForWebhooks(admin, 'apps', pod('warmup', signed), signed);
  }, 480_000);

  afterAll(async () => {
    await container?.stop();
    await Promise.all([cp?.stop(), registry?.stop()]);
    signer?.cleanup();
    image?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('runs the image the registry serves under the built digest', () => {
    expect(readOciLayout(pulledDir).tagged(image.tag).digest).toBe(image.digest);
  });

  it('is the image\'s node and code, as the image\'s non-root user, in its own pid namespace', async () => {
    const pid = await (container as RunningContainer).pid();
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    expect(cmdline).toEqual([...ENTRYPOINT, 'serve', '--config', CONFIG_FILE]);
    // The program running is the bundle's file (same inode), at the image's path as the process sees it.
    expect(readlinkSync(`/proc/${pid}/exe`)).toBe('/usr/local/bin/node');
    const exe = statSync(`/proc/${pid}/exe`);
    const inBundle = statSync(join(bundle.rootfs, 'usr/local/bin/node'));
    expect([exe.dev, exe.ino]).toEqual([inBundle.dev, inBundle.ino]);
    const main = statSync(`/proc/${pid}/root/app/dist/cli/main.js`);
    const bundledMain = statSync(join(bundle.rootfs, 'app/dist/cli/main.js'));
    expect([main.dev, main.ino]).toEqual([bundledMain.dev, bundledMain.ino]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    expect(status).toMatch(new RegExp(`^Uid:\\t${IMAGE_USER.uid}\\t${IMAGE_USER.uid}\\t${IMAGE_USER.uid}\\t${IMAGE_USER.uid}$`, 'm'));
    expect(status).toMatch(/^CapEff:\t0000000000000000$/m);
    expect(status).toMatch(/^NSpid:\t\d+\t1$/m);
  });

  it('answers /healthz and /readyz on its metrics port', async () => {
    for (const path of ['/healthz', '/readyz']) {
      expect((await fetch(`http://127.0.0.1:${metricsPort}${path}`)).status).toBe(200);
    }
  });

  it('admits a signed image through the API server, pinned to its digest', async () => {
    const res = await admin.create('/api/v1/namespaces/apps/pods', pod('signed', signed));
    expect([res.status, messageOf(res)]).toEqual([201, expect.any(String)]);
    const stored = await admin.get<PodBody>('/api/v1/namespaces/apps/pods/signed');
    expect(stored.body.spec.containers[0]?.image).toBe(`${signed}@${signedDigest}`);
  });

  it('denies an unsigned image through the API server, with Portcullis\' reason', async () => {
    const res = await admin.create('/api/v1/namespaces/apps/pods', pod('unsigned', unsigned));
    expect(res.status).toBe(403);
    expect(messageOf(res)).toContain('admission webhook "verify.portcullis.dev" denied the request');
    expect(messageOf(res)).toContain(`image "${unsigned}`);
  });

  it('runs on a read-only root: only /tmp is writable', async () => {
    const write = (path: string) => (container as RunningContainer).exec(['/usr/local/bin/node', '-e', `require('fs').writeFileSync(${JSON.stringify(path)}, 'x')`]);
    const appWrite = await write('/app/x');
    expect(appWrite.code).not.toBe(0);
    expect(appWrite.stderr).toContain('EROFS');
    expect((await write('/etc/portcullis/config/x')).stderr).toContain('EROFS');
    expect((await write('/tmp/x')).code).toBe(0);
  });
});
