/**
 * The validating webhook end to end over HTTPS, without Kubernetes: a real Portcullis
 * (startPortcullis from the composition root, config file, TLS) in front of a real registry
 * (olareg), images pushed with `oras`, one signed with the real `notation` CLI, the default Rego
 * policy compiled to Wasm by the real `opa`. AdmissionReviews go to `POST /validate`
 * (SPEC "Validation"); the policy bundle file is then swapped under load (SPEC "Policy").
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { generateCertSet, writeCertSet, type CertSet } from '../../../src/certs/index.js';
import { startPortcullis, type RunningPortcullis } from '../../../src/main.js';
import { buildPolicyBundle } from '../../../src/policy/build-policy-bundle.js';
import { httpsRequest } from '../../helpers/https-client.js';
import { createNotationCli, type NotationCli } from '../../helpers/notation-cli.js';
import { podReview as podReviewOf } from '../../helpers/pod-review.js';
import { pushImage } from '../../helpers/push-image.js';
import { startRegistry, type RunningRegistry } from '../../helpers/registry-server.js';
import { PROJECT_ROOT, toolPath } from '../../helpers/tools.js';

const NOTARY = 'application/vnd.cncf.notary.signature';
const NO_SIGNATURE = 'no valid signature: no Notation or Cosign signature found for this image';

interface ReviewResponse {
  apiVersion: string;
  kind: string;
  response: {
    uid: string;
    allowed: boolean;
    status?: { code: number; reason?: string; message: string };
    warnings?: string[];
    auditAnnotations?: Record<string, string>;
  };
}

let registry: RunningRegistry;
let notation: NotationCli;
let work: string;
let certs: CertSet;
let bundle: string;
let portcullis: RunningPortcullis;
const logs: Array<Record<string, unknown>> = [];
let signed: string;
let unsigned: string;

function podReview(images: readonly string[], namespace = 'default'): { uid: string; body: string } {
  const review = podReviewOf(images, { namespace }) as { request: { uid: string } };
  return { uid: review.request.uid, body: JSON.stringify(review) };
}

async function validate(images: readonly string[], namespace = 'default', agent?: Agent): Promise<ReviewResponse['response']> {
  const { uid, body } = podReview(images, namespace);
  const res = await httpsRequest(`${portcullis.url}/validate?timeout=10s`, { method: 'POST', body, ca: certs.ca.certPem, agent, timeoutMs: 15_000 });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.body}`);
  const review = res.json<ReviewResponse>();
  // A well-formed answer (admission.k8s.io/v1): same uid, a boolean decision.
  if (review.apiVersion !== 'admission.k8s.io/v1' || review.kind !== 'AdmissionReview' || review.response?.uid !== uid || typeof review.response.allowed !== 'boolean') {
    throw new Error(`malformed AdmissionReview: ${res.body}`);
  }
  return review.response;
}

/** `portcullis_policy_reloads_total{result="…"}` as the metrics endpoint serves it. */
async function policyReloads(result: 'success' | 'failure'): Promise<number> {
  const text = await (await fetch(`${portcullis.metricsUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`portcullis_policy_reloads_total{result="${result}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Replaces the bundle as a deployment tool would: write beside it, then rename over it. */
function replaceBundle(bytes: string | Uint8Array): void {
  const tmp = `${bundle}.next.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, bundle);
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'portcullis-validate-e2e-'));
  registry = await startRegistry('olareg');
  notation = createNotationCli();
  const [signedDesc, unsignedDesc] = await Promise.all([
    pushImage(`${registry.host}/app/signed:1`, { content: 'signed app' }),
    pushImage(`${registry.host}/app/unsigned:1`, { content: 'unsigned app' }),
  ]);
  // Pinned, as /mutate leaves them: enforce mode verifies only the digest the spec names.
  signed = `${registry.host}/app/signed:1@${signedDesc.digest}`;
  unsigned = `${registry.host}/app/unsigned:1@${unsignedDesc.digest}`;
  await notation.run(['cert', 'generate-test', 'release']);
  await notation.run(['sign', '--insecure-registry', '--key', 'release', `${registry.host}/app/signed@${signedDesc.digest}`]);

  // The default policy, in its own folder: the config store watches the config's folder.
  mkdirSync(join(work, 'policy'));
  bundle = await buildPolicyBundle(join(PROJECT_ROOT, 'policies'), join(work, 'policy', 'bundle.tar.gz'), { opaPath: toolPath('opa') });

  certs = generateCertSet();
  await writeCertSet(join(work, 'certs'), certs);
  const configPath = join(work, 'portcullis.yaml');
  writeFileSync(configPath, stringify({
    server: { shutdownGraceMs: 1000 },
    tls: { certFile: join(work, 'certs', 'tls.crt'), keyFile: join(work, 'certs', 'tls.key') },
    registries: { insecure: [registry.host] },
    validation: { namespaces: { warned: 'warn', audited: 'audit' } },
    policy: { bundle },
    // The swap test below loads an allow-all bundle on purpose; the enforcement canary would
    // refuse it (src/canary/), so it only flags here.
    canary: { onUnsafe: 'flag' },
    verifiers: [{
      name: 'release-signatures', type: 'notation', artifactTypes: [NOTARY], watch: false,
      trustStores: { ca: { release: [join(notation.configDir, 'localkeys', 'release.crt')] } },
      trustPolicy: {
        version: '1.0',
        trustPolicies: [{ name: 'all', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:release'], trustedIdentities: ['*'] }],
      },
    }],
  }));
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  portcullis = await startPortcullis({
    configPath, kubeConfig: null, logger: pino({ level: 'info' }, sink),
    listen: { port: 0, metricsPort: 0, host: '127.0.0.1' },
  });
}, 180_000);

afterAll(async () => {
  await portcullis?.close();
  notation?.cleanup();
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
}, 30_000);

describe('POST /validate over HTTPS against a real registry', () => {
  describe('in enforce mode (namespace default)', () => {
    it('denies a Pod with one signed and one unsigned image, naming only the unsigned one', async () => {
      const response = await validate([signed, unsigned]);
      expect(response.allowed).toBe(false);
      expect(response.status).toEqual({ code: 403, reason: 'Forbidden', message: `image "${unsigned}" denied: ${NO_SIGNATURE}` });
      expect(response.status!.message).not.toContain(signed);
      expect(response.auditAnnotations).toEqual({
        mode: 'enforce',
        'image-0': `${signed} allowed: release-signatures ok`,
        'image-1': `${unsigned} denied: no verified referrers`,
      });
    }, 60_000);

    it('allows a Pod whose only image is signed', async () => {
      const response = await validate([signed]);
      expect(response).toEqual({
        uid: expect.any(String), allowed: true,
        auditAnnotations: { mode: 'enforce', 'image-0': `${signed} allowed: release-signatures ok` },
      });
    }, 60_000);
  });

  describe('with per-namespace modes (validation.namespaces)', () => {
    it('warn: allows the unsigned Pod with a warning naming the image', async () => {
      const response = await validate([unsigned], 'warned');
      expect(response.allowed).toBe(true);
      expect(response.status).toBeUndefined();
      expect(response.warnings).toEqual([`portcullis (warn mode): image "${unsigned}" denied: ${NO_SIGNATURE}`]);
    }, 60_000);

    it('audit: allows the unsigned Pod with the reason in its audit annotations', async () => {
      const response = await validate([unsigned], 'audited');
      expect(response.allowed).toBe(true);
      expect(response.warnings).toBeUndefined();
      expect(response.auditAnnotations).toEqual({
        mode: 'audit',
        decision: 'would-deny',
        'image-0': `${unsigned} would be denied: ${NO_SIGNATURE}`,
      });
    }, 60_000);

    it('enforce (any other namespace): denies the same Pod', async () => {
      const response = await validate([unsigned], 'default');
      expect(response.allowed).toBe(false);
      expect(response.status?.message).toBe(`image "${unsigned}" denied: ${NO_SIGNATURE}`);
    }, 60_000);
  });

  describe('when the policy bundle is replaced under load', () => {
    let allowAll: Uint8Array;
    beforeAll(async () => {
      const dir = join(work, 'allow-all');
      mkdirSync(dir);
      writeFileSync(join(dir, 'allow.rego'), 'package portcullis\n\ndecision := {"allowed": true, "reasons": [], "warnings": []}\n');
      allowAll = readFileSync(await buildPolicyBundle(dir, join(work, 'allow-all.tar.gz'), { opaPath: toolPath('opa') }));
    }, 60_000);

    it('switches from denied to allowed with zero failed requests, and refuses a broken bundle while serving', async () => {
      type Phase = 'before' | 'swapping' | 'allowing' | 'breaking' | 'broken';
      const CLIENTS = 50;
      const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS, ca: certs.ca.certPem });
      const seen: Record<Phase, { allowed: number; denied: number }> = {
        before: { allowed: 0, denied: 0 }, swapping: { allowed: 0, denied: 0 }, allowing: { allowed: 0, denied: 0 },
        breaking: { allowed: 0, denied: 0 }, broken: { allowed: 0, denied: 0 },
      };
      // A request is counted in a phase only when it started and ended in it, so a request
      // in flight across a swap (which may see either policy) proves nothing either way.
      let phase: Phase = 'before';
      let stop = false;
      let requests = 0;
      const failures: string[] = [];
      const startedAt = Date.now();
      const client = async () => {
        // Bounded: the stop flag, and a hard cap should a waitFor below throw first.
        while (!stop && Date.now() - startedAt < 20_000) {
          const at = phase;
          try {
            const response = await validate([unsigned], 'default', agent);
            requests++;
            if (phase === at) seen[at][response.allowed ? 'allowed' : 'denied']++;
          } catch (e) {
            requests++;
            failures.push((e as Error).message);
          }
        }
      };
      const clients = Array.from({ length: CLIENTS }, client);
      const hold = (ms: number) => new Promise((r) => setTimeout(r, ms));
      try {
        expect(await policyReloads('success')).toBe(1); // the bundle loaded at start
        // Up to 100 denials first (on a busy machine fewer; at least one is asserted below).
        await waitFor(() => seen.before.denied >= 100, 'denials before the swap', 3_000).catch(() => undefined);
        phase = 'swapping';
        replaceBundle(allowAll);
        await waitFor(async () => (await policyReloads('success')) >= 2, 'the new bundle to load', 20_000);
        phase = 'allowing';
        await hold(1_500);
        phase = 'breaking';
        replaceBundle('this is not a policy bundle\n');
        await waitFor(async () => (await policyReloads('failure')) >= 1, 'the broken bundle to be refused', 20_000);
        phase = 'broken';
        await hold(1_500);
      } finally {
        stop = true;
        await Promise.all(clients);
        agent.destroy();
      }
      console.log(
        `policy hot swap under load: ${CLIENTS} clients, ${requests} requests in ${Date.now() - startedAt} ms, ${failures.length} failed; ` +
        `denied before swap ${seen.before.denied}, allowed after swap ${seen.allowing.allowed}, allowed after broken bundle ${seen.broken.allowed}`,
      );

      expect(failures).toEqual([]);
      expect(seen.before).toEqual({ allowed: 0, denied: expect.any(Number) });
      expect(seen.before.denied).toBeGreaterThan(0);
      expect(seen.allowing).toEqual({ allowed: expect.any(Number), denied: 0 });
      expect(seen.allowing.allowed).toBeGreaterThan(0);
      expect(seen.broken).toEqual({ allowed: expect.any(Number), denied: 0 });
      expect(seen.broken.allowed).toBeGreaterThan(0);
      expect(await policyReloads('success')).toBe(2);
      expect(await policyReloads('failure')).toBe(1);
      expect(logs.some((l) => l.msg === 'policy bundle refused; keeping the current policy' && l.source === bundle)).toBe(true);
      // Service goes on with the last good policy.
      expect((await validate([unsigned])).allowed).toBe(true);
    }, 90_000);
  });
});
