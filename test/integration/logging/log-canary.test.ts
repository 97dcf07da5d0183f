/**
 * The log canary (issue 14 item 6): known secret strings are planted where secrets live — the
 * config file (registry password), a docker config.json, a cosign key given inline, Kubernetes
 * pull secrets — and where a hostile registry can put them (error bodies and headers that echo
 * our Authorization header, a token response that is not JSON). The real server is driven
 * through config errors, auth flows and registry failures; then every line the Portcullis
 * logger wrote (at debug level, through its real redaction settings), and every AdmissionReview
 * answer, is scanned for the canaries and their base64 forms (a Basic header carries
 * base64("user:password")).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createPullSecretCredentialProvider } from '../../../src/kubernetes/pull-secret-credential-provider.js';
import { ECHO_DIGEST, startEchoingRegistry, type EchoingRegistry } from '../../helpers/echoing-registry.js';
import { createFakeKubeApi } from '../../helpers/fake-kube-api.js';
import { createLogSink, findCanaries } from '../../helpers/log-sink.js';
import { startTestPortcullis, type TestPortcullis } from '../../helpers/start-test-portcullis.js';
import { waitFor } from '../../helpers/wait-for.js';

const canary = (what: string) => `canary-${what}-${randomBytes(6).toString('hex')}`;
const CONFIG_PASSWORD = canary('config-password');
const DOCKER_PASSWORD = canary('docker-password');
const TOKEN = canary('registry-token');
const REGISTRY_BODY = canary('registry-body');
const PULL_PASSWORD = canary('pull-secret-password');
const keyPair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const privateKeyPem = keyPair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicKeyPem = keyPair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
// A line from the middle of the PEM: key material, whatever the formatting around it.
const PRIVATE_KEY_LINE = privateKeyPem.split('\n')[1] ?? '';
const ALL = [CONFIG_PASSWORD, DOCKER_PASSWORD, TOKEN, REGISTRY_BODY, PULL_PASSWORD, PRIVATE_KEY_LINE];

const pod = (images: string[]) => ({
  apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
  request: {
    uid: 'canary-1', kind: { group: '', version: 'v1', kind: 'Pod' }, resource: { group: '', version: 'v1', resource: 'pods' },
    operation: 'CREATE', namespace: 'team', name: 'p', userInfo: { username: 'dev' },
    object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) } },
  },
});

describe('the log canary: no planted secret reaches a log line or an answer', () => {
  let p: TestPortcullis;
  let withConfigCredentials: EchoingRegistry;
  let withDockerCredentials: EchoingRegistry;
  let dir: string;
  const answers: string[] = [];
  let baseConfig: Record<string, unknown>;

  beforeAll(async () => {
    withConfigCredentials = await startEchoingRegistry({ token: TOKEN, body: REGISTRY_BODY });
    withDockerCredentials = await startEchoingRegistry({ token: TOKEN, body: REGISTRY_BODY });
    dir = mkdtempSync(join(tmpdir(), 'portcullis-canary-'));
    const dockerConfig = join(dir, 'docker-config.json');
    writeFileSync(dockerConfig, JSON.stringify({ auths: { [withDockerCredentials.host]: { auth: Buffer.from(`docker-user:${DOCKER_PASSWORD}`).toString('base64') } } }));
    baseConfig = {
      registries: {
        insecure: [withConfigCredentials.host, withDockerCredentials.host],
        credentials: [{ host: withConfigCredentials.host, username: 'config-user', password: CONFIG_PASSWORD }],
        dockerConfig,
      },
      // A verifier, so that validation lists referrers (GETs the echoing registry answers).
      verifiers: [{ name: 'release', type: 'cosign', key: publicKeyPem, tlog: { required: false } }],
    };
    p = await startTestPortcullis({ config: baseConfig, logLevel: 'debug' });
  }, 120_000);

  afterAll(async () => {
    await p?.close();
    await Promise.all([withConfigCredentials?.stop(), withDockerCredentials?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('drives the registry failures: echoed Authorization headers, echoing error bodies, a token answer that is not JSON', async () => {
    const images = [
      `${withConfigCredentials.host}/echo/app:1`, `${withConfigCredentials.host}/plain/app:1`, `${withConfigCredentials.host}/badtoken/app:1`,
      `${withDockerCredentials.host}/echo/app:1`,
    ];
    // Mutation resolves the tags; validation gets them pinned (as after mutation), so it lists
    // their referrers — the GETs the echoing registry answers with its echo.
    const pinned = images.map((i) => (i.includes('/echo/') ? `${i}@${ECHO_DIGEST}` : i));
    for (const [path, list] of [['/mutate', images], ['/validate', pinned]] as const) {
      const r = await p.review(`${path}?timeout=20s`, pod([...list]), { timeoutMs: 30_000 });
      expect(r.status).toBe(200);
      answers.push(r.body);
    }
    // The scenarios really ran: tokens were fetched with both credentials and the manifests asked for.
    for (const registry of [withConfigCredentials, withDockerCredentials]) {
      expect(registry.requests).toEqual(expect.arrayContaining(['GET /token', 'HEAD /v2/echo/app/manifests/1', expect.stringMatching(/^GET \/v2\/echo\/app\//)]));
    }
    // The registry's error code reached the answer and the log line; its free text did not.
    const lines = JSON.stringify(p.logs.filter((l) => l.msg === 'admission review'));
    expect(lines).toContain('403 DENIED: requested access to the resource is denied');
    expect(lines).toContain('500 internal server error');
    expect(lines).toContain('token response from');
  }, 60_000);

  it('drives config errors: a YAML syntax error on a password line, an unknown key holding a password, an inline private key, a broken docker config', async () => {
    const refusals = () => p.logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('config change refused')).length;
    const before = refusals();
    // The file watcher may pick a write up before this test's own reload() does (then reload()
    // answers 'unchanged'): what matters is that each bad text was refused, so count refusals.
    const refusedAfter = async (text: string, n: number) => {
      await writeFile(p.configFile, text);
      expect(await p.running.configStore.reload()).not.toBe('applied');
      await waitFor(`refusal ${n}`, () => (refusals() >= before + n ? true : undefined));
    };
    await refusedAfter(`registries:\n  credentials:\n    - {host: r.example, username: u, password: "${CONFIG_PASSWORD}}\n`, 1);
    await refusedAfter(stringify({ registries: { credentials: [{ host: 'r.example', username: 'u', passwort: CONFIG_PASSWORD }] } }), 2);
    await refusedAfter(stringify({ ...baseConfig, verifiers: [{ name: 'keys', type: 'cosign', key: privateKeyPem, tlog: { required: false } }] }), 3);
    const brokenDocker = join(dir, 'broken-docker-config.json');
    writeFileSync(brokenDocker, `{"auths": {"${withDockerCredentials.host}": {"auth": "${Buffer.from(`u:${DOCKER_PASSWORD}`).toString('base64')}" ${DOCKER_PASSWORD}`);
    await writeFile(p.configFile, stringify({ ...baseConfig, registries: { ...(baseConfig.registries as object), dockerConfig: brokenDocker } }));
    await p.running.configStore.reload();
    const r = await p.review('/validate?timeout=10s', pod([`${withDockerCredentials.host}/echo/app:2`]));
    answers.push(r.body);
    expect(refusals()).toBeGreaterThanOrEqual(before + 3);
  }, 60_000);

  it('drives pull secrets that are malformed around a password (the pull-secret provider, logging through the real logger)', async () => {
    const sink = createLogSink('debug');
    const api = createFakeKubeApi();
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    api.setSecret({ namespace: 'team', name: 'not-json', type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': `{"auths": {"ghcr.io": {"password": "${PULL_PASSWORD}"` } });
    api.setSecret({ namespace: 'team', name: 'bad-auth', type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': JSON.stringify({ auths: { 'ghcr.io': { auth: `!!${PULL_PASSWORD}!!` } } }) } });
    api.setSecret({ namespace: 'team', name: 'no-colon', type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': JSON.stringify({ auths: { 'ghcr.io': { auth: b64(PULL_PASSWORD) } } }) } });
    api.setSecret({ namespace: 'team', name: 'good', type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': JSON.stringify({ auths: { 'ghcr.io': { username: 'u', password: PULL_PASSWORD } } }) } });
    const provider = createPullSecretCredentialProvider({ reader: api, logger: sink.logger });
    const credential = await provider.credentialsFor('ghcr.io', { namespace: 'team', imagePullSecrets: ['not-json', 'bad-auth', 'no-colon', 'good'] }, new AbortController().signal);
    expect(credential).toMatchObject({ username: 'u' });
    expect(sink.lines.length).toBeGreaterThan(0);
    expect(findCanaries(sink.lines, ALL)).toEqual([]);
  });

  it('finds none of the canaries in any log line or answer', () => {
    expect(p.logLines.length).toBeGreaterThan(10);
    expect(findCanaries(p.logLines, ALL)).toEqual([]);
    expect(findCanaries(answers, ALL)).toEqual([]);
  });
});
