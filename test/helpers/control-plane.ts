/**
 * A real Kubernetes control plane for end-to-end tests: etcd and kube-apiserver (built by
 * scripts/install-tools.sh) on loopback, with generated certificates, service-account keys,
 * static tokens for the test clients, and an AdmissionConfiguration that gives the API server
 * a client certificate for webhooks, so the webhook's mTLS is exercised for real.
 *
 * Binaries: .tools/bin (scripts/install-tools.sh), or $PORTCULLIS_ETCD / $PORTCULLIS_KUBE_APISERVER.
 *
 * No controller-manager, scheduler or kubelet runs: objects are stored, never scheduled. The
 * ServiceAccount admission plugin is disabled because without the token controller no
 * `default` ServiceAccount exists and every Pod would be refused; it also would copy a
 * ServiceAccount's imagePullSecrets into the Pod, hiding whether Portcullis reads them itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { freePort } from './registry-server.js';
import { createTestCa, type TestCa } from './test-ca.js';
import { toolPath } from './tools.js';

export interface ControlPlaneOptions {
  /** Extra kube-apiserver flags, appended last (they win). */
  readonly extraApiServerArgs?: readonly string[];
  /** Bound on etcd + kube-apiserver start-up (default 120 s: the machine may be busy). */
  readonly startTimeoutMs?: number;
}

/** The identity Portcullis uses in the tests: the manifests' ServiceAccount, so their RBAC is exercised. */
export const PORTCULLIS_USER = 'system:serviceaccount:portcullis-system:portcullis';

export interface ControlPlane {
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  /** PEM of the CA that signed the API server's serving certificate. */
  readonly caPem: string;
  /** Admin (system:masters) client. */
  readonly kubeConfig: KubeConfig;
  readonly kubeconfigPath: string;
  /** A client authenticated as {@link PORTCULLIS_USER}: only what the manifests' RBAC grants. */
  readonly portcullisKubeConfig: KubeConfig;
  readonly portcullisKubeconfigPath: string;
  /** CA of the client certificate the API server presents to webhooks: Portcullis' `tls.clientCAFile`. */
  readonly webhookClientCaPem: string;
  readonly webhookClientCaFile: string;
  /** The client certificate the API server presents to webhooks (to probe a webhook directly). */
  readonly webhookClient: { readonly certPem: string; readonly keyPem: string };
  /** The CA of that certificate, to mint others it signs (callers that are not the API server). */
  readonly webhookClientCa: TestCa;
  /** Working directory (certificates, etcd data); removed by stop(). */
  readonly dir: string;
  /** Last lines the API server wrote to stderr (for failure messages). */
  logs(): string;
  stop(): Promise<void>;
}

interface Proc {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  stderr(): string;
  /** The process could not be started at all. */
  failed(): boolean;
}

function run(cmd: string, args: readonly string[]): Proc {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let tail = '';
  child.stderr?.on('data', (d: Buffer) => { tail = (tail + d.toString()).slice(-16_000); });
  let failed: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    // Not executable, not found…: report it like an exit instead of an unhandled 'error' event.
    child.once('error', (err) => { failed = `${cmd}: ${err.message}`; resolve(); });
  });
  return { child, exited, stderr: () => (failed ? `${failed}\n${tail}` : tail), failed: () => failed !== undefined };
}

/** Resolves when `p` settles or after `ms`, leaving no timer behind (jest would wait for it). */
async function within(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((r) => { timer = setTimeout(r, ms); })]);
  clearTimeout(timer);
}

async function stopProc(p: Proc | undefined): Promise<void> {
  if (!p || p.failed() || p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  await within(p.exited, 10_000);
  if (p.child.exitCode === null && p.child.signalCode === null) {
    p.child.kill('SIGKILL');
    await within(p.exited, 5_000);
  }
}

function httpsGet(url: string, caPem: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: caPem, headers: { authorization: `Bearer ${token}` }, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { if (body.length < 65_536) body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function waitFor(what: string, deadline: number, check: () => Promise<boolean>, died: () => string | undefined): Promise<void> {
  for (;;) {
    const death = died();
    if (death !== undefined) throw new Error(`${what}: process exited\n${death}`);
    try { if (await check()) return; } catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error(`${what}: not ready in time`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function kubeconfigYaml(server: string, caPem: string, user: string, token: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'e2e', cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: 'e2e', context: { cluster: 'e2e', user } }],
    'current-context': 'e2e',
  });
}

function kubeConfigFromFile(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

/** Starts etcd and kube-apiserver; resolves once /readyz answers 200 and `default` exists. */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-k8s-'));
  const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
  const file = (name: string, content: string): string => {
    const p = join(dir, name);
    writeFileSync(p, content, { mode: 0o600 });
    return p;
  };
  let etcd: Proc | undefined;
  let apiserver: Proc | undefined;
  const cleanup = async (): Promise<void> => {
    await stopProc(apiserver);
    await stopProc(etcd);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    // --- certificates and keys
    const servingCa = createTestCa('e2e-apiserver-ca');
    const serving = servingCa.issue({
      commonName: 'kube-apiserver', usage: 'server',
      dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'],
      ipAddresses: ['127.0.0.1', '10.96.0.1'],
    });
    const webhookClientCa = createTestCa('e2e-apiserver-webhook-client-ca');
    // The CN `portcullis certs generate` gives its client certificate, which docs/install.md has
    // operators hand to the API server: the manifests' tls.allowedClientNames admit it.
    const webhookClient = webhookClientCa.issue({ commonName: 'portcullis-client', usage: 'client' });
    const sa = generateKeyPairSync('rsa', { modulusLength: 2048 });

    const adminToken = randomBytes(24).toString('hex');
    const portcullisToken = randomBytes(24).toString('hex');
    const tokens = file('tokens.csv', [
      `${adminToken},e2e-admin,e2e-admin,"system:masters"`,
      `${portcullisToken},${PORTCULLIS_USER},portcullis-uid,"system:serviceaccounts,system:serviceaccounts:portcullis-system"`,
    ].join('\n') + '\n');

    // Webhook client credentials: `*` matches every webhook host (the test's port is dynamic).
    // https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#authenticate-apiservers
    const webhookKubeconfig = file('webhook-kubeconfig.yaml', stringify({
      apiVersion: 'v1',
      kind: 'Config',
      users: [{
        name: '*',
        user: {
          'client-certificate-data': Buffer.from(webhookClient.certPem).toString('base64'),
          'client-key-data': Buffer.from(webhookClient.keyPem).toString('base64'),
        },
      }],
    }));
    const webhookPluginConfig = {
      apiVersion: 'apiserver.config.k8s.io/v1',
      kind: 'WebhookAdmissionConfiguration',
      kubeConfigFile: webhookKubeconfig,
    };
    const admissionConfig = file('admission-config.yaml', stringify({
      apiVersion: 'apiserver.config.k8s.io/v1',
      kind: 'AdmissionConfiguration',
      plugins: [
        { name: 'MutatingAdmissionWebhook', configuration: webhookPluginConfig },
        { name: 'ValidatingAdmissionWebhook', configuration: webhookPluginConfig },
      ],
    }));

    // --- etcd
    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcdData = join(dir, 'etcd');
    mkdirSync(etcdData, { mode: 0o700 });
    etcd = run(process.env.PORTCULLIS_ETCD ?? toolPath('etcd'), [
      '--name=e2e', `--data-dir=${etcdData}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`, `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`, `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=e2e=http://127.0.0.1:${etcdPeer}`,
      '--log-level=error', '--unsafe-no-fsync', '--quota-backend-bytes=536870912',
    ]);
    const etcdProc = etcd;
    const exitedWith = (p: Proc) => () => (p.failed() || p.child.exitCode !== null || p.child.signalCode !== null ? p.stderr() : undefined);
    await waitFor('etcd', deadline, async () => {
      const res = await fetch(`http://127.0.0.1:${etcdClient}/health`, { signal: AbortSignal.timeout(2_000) });
      return res.ok;
    }, exitedWith(etcdProc));

    // --- kube-apiserver
    const url = `https://127.0.0.1:${apiPort}`;
    const startApiServer = () => run(process.env.PORTCULLIS_KUBE_APISERVER ?? toolPath('kube-apiserver'), [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${apiPort}`,
      `--tls-cert-file=${file('apiserver.crt', serving.certPem)}`,
      `--tls-private-key-file=${file('apiserver.key', serving.keyPem)}`,
      `--token-auth-file=${tokens}`,
      '--authorization-mode=RBAC',
      '--anonymous-auth=false',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${file('sa.pub', sa.publicKey.export({ type: 'spki', format: 'pem' }).toString())}`,
      `--service-account-signing-key-file=${file('sa.key', sa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())}`,
      '--service-cluster-ip-range=10.96.0.0/16',
      `--admission-control-config-file=${admissionConfig}`,
      '--enable-admission-plugins=MutatingAdmissionWebhook,ValidatingAdmissionWebhook',
      '--disable-admission-plugins=ServiceAccount',
      '--endpoint-reconciler-type=none',
      '--profiling=false',
      `--cert-dir=${join(dir, 'cert-dir')}`,
      '--v=0',
      ...(options.extraApiServerArgs ?? []),
    ]);
    // On a loaded 2-core machine kube-apiserver sometimes exits at start while its first etcd
    // dial times out (etcd answered /health a moment before); one more start is what an
    // operator's supervisor would do, and every later failure is still reported.
    let apiProc!: Proc;
    for (let attempt = 1; ; attempt++) {
      apiserver = apiProc = startApiServer();
      try {
        await waitFor('kube-apiserver /readyz', deadline, async () => (await httpsGet(`${url}/readyz`, servingCa.certPem, adminToken)).status === 200, exitedWith(apiProc));
        break;
      } catch (err) {
        if (attempt >= 2 || !/process exited/.test((err as Error).message) || Date.now() > deadline) throw err;
        await stopProc(apiProc);
      }
    }
    // The bootstrap controller creates `default` shortly after start; tests use it.
    await waitFor('namespace default', deadline, async () => (await httpsGet(`${url}/api/v1/namespaces/default`, servingCa.certPem, adminToken)).status === 200, exitedWith(apiProc));

    const kubeconfigPath = file('admin.kubeconfig', kubeconfigYaml(url, servingCa.certPem, 'e2e-admin', adminToken));
    const portcullisKubeconfigPath = file('portcullis.kubeconfig', kubeconfigYaml(url, servingCa.certPem, 'portcullis', portcullisToken));
    const webhookClientCaFile = file('webhook-client-ca.crt', webhookClientCa.certPem);
    let stopped: Promise<void> | undefined;
    return {
      url,
      caPem: servingCa.certPem,
      kubeConfig: kubeConfigFromFile(kubeconfigPath),
      kubeconfigPath,
      portcullisKubeConfig: kubeConfigFromFile(portcullisKubeconfigPath),
      portcullisKubeconfigPath,
      webhookClientCaPem: webhookClientCa.certPem,
      webhookClientCaFile,
      webhookClient,
      webhookClientCa,
      dir,
      logs: () => apiProc.stderr(),
      stop: () => (stopped ??= cleanup()),
    };
  } catch (err) {
    const logs = apiserver?.stderr() ?? etcd?.stderr() ?? '';
    await cleanup();
    throw new Error(`control plane did not start: ${(err as Error).message}\n${logs.slice(-4_000)}`, { cause: err });
  }
}
