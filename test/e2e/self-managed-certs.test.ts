/**
 * Issue 17 item 4, "Proven by": self-managed webhook certificates on a real kube-apiserver +
 * etcd. Two Portcullis processes (the TypeScript sources run by node with bench/ts-hooks.mjs,
 * as the ServiceAccount the manifests and the self-managed-certs component grant) sit behind a
 * TCP balancer the webhook configurations call by URL, with an empty caBundle. One takes the
 * Lease, creates the Secret and patches the caBundle in; short validities make the CA rotate
 * every ~10 s while Pods are created through the API server without pause: none may fail, and
 * both webhook configurations must have held the old and the new CA together. Then the leader
 * is killed (SIGKILL: no Lease release) and the other takes over and goes on rotating.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse, stringify } from 'yaml';
import { applyManifests, manifestsForTarget } from '../helpers/apply-manifests.js';
import { startControlPlane, type ControlPlane } from '../helpers/control-plane.js';
import { createKubeClient, type KubeClient } from '../helpers/kube-client.js';
import { loadManifests } from '../helpers/load-manifests.js';
import { pushImage } from '../helpers/push-image.js';
import { freePort, startRegistry, type RunningRegistry } from '../helpers/registry-server.js';
import { startTcpBalancer, type TcpBalancer } from '../helpers/tcp-balancer.js';
import { PROJECT_ROOT } from '../helpers/tools.js';
import { waitFor } from '../helpers/wait-for.js';
import { waitForWebhooks } from '../helpers/wait-for-webhooks.js';

const NS = 'portcullis-system';
const SECRET = `/api/v1/namespaces/${NS}/secrets/portcullis-webhook-tls`;
const LEASE = `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/portcullis-webhook-certs`;
const CONFIGS = {
  validating: '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/portcullis',
  mutating: '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/portcullis',
};
// The CA is due every ~10 s: validity 30 s, renewed 20 s before expiry; each step waits 3 s.
const SELF_MANAGED = {
  enabled: true, extraNames: ['127.0.0.1'], caValidity: '30s', certValidity: '30s', renewBefore: '20s',
  overlap: '3s', checkInterval: '1s', leaseDuration: '4s', startTimeout: '90s',
};

interface Replica { readonly port: number; readonly child: ChildProcess; output(): string; readonly exited: Promise<void> }
interface SecretBody { data: Record<string, string> }
interface LeaseBody { spec: { holderIdentity?: string; leaseTransitions?: number } }
interface ConfigBody { webhooks: { clientConfig: { caBundle?: string } }[] }

const fingerprint = (pem: string): string => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
const certsIn = (pem: string): string[] => pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
const b64decode = (s: string | undefined): string => Buffer.from(s ?? '', 'base64').toString('utf8');

function pod(name: string, image: string): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image }] } };
}

describe('self-managed webhook certificates on a real kube-apiserver', () => {
  let cp: ControlPlane;
  let registry: RunningRegistry;
  let balancer: TcpBalancer;
  let admin: KubeClient;
  let dir: string;
  let image: string;
  const replicas: Replica[] = [];
  const alive = new Set<number>();

  function startReplica(port: number, metricsPort: number, config: Record<string, unknown>): Replica {
    const configPath = join(dir, `portcullis-${port}.yaml`);
    writeFileSync(configPath, stringify({ ...config, server: { ...(config.server as object), host: '127.0.0.1', port, metricsPort } }));
    const entry = `import { main } from ${JSON.stringify(join(PROJECT_ROOT, 'src/cli/main.ts'))}; process.exitCode = await main(['serve', '--config', ${JSON.stringify(configPath)}]);`;
    const child = spawn(process.execPath, ['--import', join(PROJECT_ROOT, 'bench/ts-hooks.mjs'), '--input-type=module', '--eval', entry], {
      cwd: dir, env: { ...process.env, KUBECONFIG: cp.portcullisKubeconfigPath }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const keep = (d: Buffer) => { tail = (tail + d.toString()).slice(-8_000); };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    alive.add(port);
    return { port, child, output: () => tail, exited };
  }

  const secret = async () => (await admin.get<SecretBody>(SECRET)).body;
  const holder = async () => (await admin.get<LeaseBody>(LEASE)).body.spec?.holderIdentity ?? '';
  const bundles = async () => Promise.all(Object.values(CONFIGS).map(async (p) => (await admin.get<ConfigBody>(p)).body.webhooks.map((w) => b64decode(w.clientConfig.caBundle))));
  const leaderOf = (identity: string) => replicas.find((r) => identity.endsWith(`-${r.child.pid}-${identity.slice(-6)}`));
  const logs = () => replicas.map((r) => `--- replica :${r.port}\n${r.output()}`).join('\n');

  /** The serving certificate a replica presents now (a TLS handshake with the API server's client certificate). */
  function servedCert(port: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, cert: cp.webhookClient.certPem, key: cp.webhookClient.keyPem }, () => {
        const raw = socket.getPeerCertificate().raw;
        socket.end();
        resolve(createHash('sha256').update(raw).digest('hex'));
      });
      socket.on('error', reject);
    });
  }

  beforeAll(async () => {
    [cp, registry] = await Promise.all([startControlPlane(), startRegistry('distribution')]);
    admin = createKubeClient(cp.kubeConfig);
    const pushed = await pushImage(`${registry.host}/team/app:1.0`, { content: 'app' });
    // Pinned, in warn mode: every review goes through both webhooks (TLS included) and is allowed.
    image = `${registry.host}/team/app@${pushed.digest}`;
    dir = mkdtempSync(join(tmpdir(), 'portcullis-self-managed-'));

    const ports = [await freePort(), await freePort()];
    balancer = await startTcpBalancer(() => ports.filter((p) => alive.has(p)));
    // The webhook configurations call the balancer by URL and trust nothing yet: Portcullis fills caBundle in.
    await applyManifests(cp.kubeConfig, [...manifestsForTarget({ baseUrl: `https://${balancer.host}`, caPem: '' }), ...loadManifests(join(PROJECT_ROOT, 'manifests/self-managed-certs')).map((m) => m.object)]);
    expect((await admin.create('/api/v1/namespaces', { metadata: { name: 'apps' } })).status).toBe(201);

    const configMap = loadManifests().find((m) => m.object.kind === 'ConfigMap')?.object as unknown as { data: Record<string, string> };
    const config = parse(configMap.data['portcullis.yaml'] ?? '') as Record<string, Record<string, unknown>> & { verifiers: Record<string, unknown>[] };
    config.tls = { ...config.tls, clientCAFile: cp.webhookClientCaFile, selfManaged: SELF_MANAGED };
    config.validation = { ...config.validation, mode: 'warn' };
    config.registries = { ...config.registries, insecure: [registry.host] };
    (config.verifiers[0] as { trustStores: unknown }).trustStores = { ca: { release: [cp.webhookClientCaFile] } };
    for (const port of ports) replicas.push(startReplica(port, await freePort(), config));

    await waitFor('a leader, the Secret and both caBundles', async () => {
      const s = await admin.get<SecretBody>(SECRET);
      const all = (await bundles()).flat();
      return s.status === 200 && (await holder()) !== '' && all.every((b) => b !== '') ? true : undefined;
    }, 120_000, 500).catch((err: Error) => { throw new Error(`${err.message}\n${logs()}`); });
    await waitForWebhooks(admin, 'apps', pod('warmup', `${registry.host}/team/app:1.0`), `${registry.host}/team/app:1.0`);
  }, 240_000);

  afterAll(async () => {
    for (const r of replicas) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(replicas.map((r) => r.exited)), new Promise((res) => { timer = setTimeout(res, 15_000); })]);
    clearTimeout(timer);
    for (const r of replicas) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    await Promise.all([cp?.stop(), registry?.stop(), balancer?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('elects one replica, which creates the Secret and writes its CA bundle into both webhook configurations', async () => {
    const leader = leaderOf(await holder());
    expect(leader).toBeDefined();
    const data = (await secret()).data;
    expect(Object.keys(data)).toEqual(expect.arrayContaining(['ca.crt', 'ca.key', 'tls.crt', 'tls.key', 'ca-bundle.crt']));
    // The bundle may hold two CAs already (a rotation every ~10 s); whatever it holds is what both configurations hold.
    await waitFor('the caBundles to match the Secret', async () => {
      const want = b64decode((await secret()).data['ca-bundle.crt']);
      return (await bundles()).flat().every((b) => b === want) ? true : undefined;
    }, 15_000);
  });

  it('rotates the CA under continuous Pod creation: zero failed creations, and both CAs in caBundle during the switch', async () => {
    const first = fingerprint(b64decode((await secret()).data['ca.crt']));
    const failures: string[] = [];
    let created = 0;
    let done = false;
    const creator = (async () => {
      for (let i = 0; (!done || i < 5) && i < 400; i++) {
        const res = await admin.create(`/api/v1/namespaces/apps/pods`, pod(`rotation-${i}`, image));
        if (res.status === 201) created++;
        else failures.push(`${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
      }
    })();
    // Watch the caBundles and the Secret until a whole rotation (new CA in, switch, old CA out) is over.
    const seen = { maxValidating: 0, maxMutating: 0, bothWhileSwitched: false };
    let rotation: Error | undefined;
    await waitFor('a full CA rotation', async () => {
      const [validating, mutating] = await bundles();
      const v = Math.min(...(validating ?? []).map((b) => certsIn(b).length));
      const m = Math.min(...(mutating ?? []).map((b) => certsIn(b).length));
      seen.maxValidating = Math.max(seen.maxValidating, v);
      seen.maxMutating = Math.max(seen.maxMutating, m);
      const data = (await secret()).data;
      const ca = fingerprint(b64decode(data['ca.crt']));
      const published = (validating ?? []).flatMap((b) => certsIn(b).map(fingerprint));
      if (ca !== first && published.includes(ca) && published.includes(first)) seen.bothWhileSwitched = true;
      return ca !== first && seen.bothWhileSwitched && v === 1 && m === 1 ? true : undefined;
    }, 45_000, 100).catch((err: Error) => { rotation = err; });
    done = true;
    await creator;
    expect(failures).toEqual([]);
    if (rotation) throw rotation;
    expect(created).toBeGreaterThanOrEqual(5);
    expect(seen).toEqual({ maxValidating: 2, maxMutating: 2, bothWhileSwitched: true });
    // Both replicas — the follower too — serve a certificate of the Secret's current or next CA generation.
    const served = b64decode((await secret()).data['tls.crt']);
    await waitFor('both replicas to serve the Secret\'s certificate', async () => {
      const current = fingerprint(b64decode((await secret()).data['tls.crt']));
      const got = await Promise.all(replicas.map((r) => servedCert(r.port)));
      return got.every((f) => f === current) ? true : undefined;
    }, 15_000).catch((err: Error) => { throw new Error(`${err.message} (last tls.crt ${fingerprint(served).slice(0, 12)})`); });
  }, 120_000);

  it('when the leader is killed, the other replica takes the Lease, admissions go on and it keeps rotating', async () => {
    const identity = await holder();
    const leader = leaderOf(identity);
    const other = replicas.find((r) => r !== leader);
    if (!leader || !other) throw new Error(`no leader among the replicas (holder "${identity}")\n${logs()}`);
    alive.delete(leader.port);
    leader.child.kill('SIGKILL');
    await leader.exited;
    const caBefore = fingerprint(b64decode((await secret()).data['ca.crt']));

    const next = await waitFor('another holder', async () => {
      const h = await holder();
      return h !== '' && h !== identity ? h : undefined;
    }, 20_000);
    expect(leaderOf(next)).toBe(other);
    await waitFor('the new leader to rotate the CA', async () => (fingerprint(b64decode((await secret()).data['ca.crt'])) !== caBefore ? true : undefined), 30_000);

    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await admin.create('/api/v1/namespaces/apps/pods', pod(`after-failover-${i}`, image))).status);
    expect(statuses.filter((s) => s !== 201)).toEqual([]);
  }, 90_000);
});
