/**
 * What the hostile-registry tests and bench/hostile-pod.ts share: a real Portcullis (HTTPS,
 * config file) pointed at a hostile registry with a Notation verifier whose trust store is any
 * CA (no hostile "signature" can pass it), Pod AdmissionReviews, and /metrics read as numbers.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateCertSet } from '../../src/certs/generate-cert-set.js';
import { startTestPortcullis, type TestPortcullis } from './start-test-portcullis.js';

const NOTARY = 'application/vnd.cncf.notary.signature';

/** Starts Portcullis with `registries.insecure: hosts` plus `registries`/`admission` overrides. */
export async function startHostilePortcullis(hosts: readonly string[], extra: { registries?: Record<string, unknown>; admission?: Record<string, unknown> } = {}): Promise<TestPortcullis> {
  const p = await startTestPortcullis({ config: {} });
  const ca = join(p.dir, 'trust-ca.pem');
  await writeFile(ca, generateCertSet().ca.certPem);
  const applied = await p.reconfigure({
    registries: { insecure: [...hosts], ...extra.registries },
    admission: { ...extra.admission },
    verifiers: [{
      name: 'release-signatures', type: 'notation', artifactTypes: [NOTARY], watch: false,
      trustStores: { ca: { release: [ca] } },
      trustPolicy: {
        version: '1.0',
        trustPolicies: [{ name: 'all', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:release'], trustedIdentities: ['*'] }],
      },
    }],
  });
  if (applied !== 'applied') throw new Error(`the hostile-registry config was ${applied}`);
  return p;
}

let uid = 0;

/** An AdmissionReview of a Pod CREATE with one container per image. */
export function podReview(images: readonly string[], namespace = 'default'): object {
  const n = ++uid;
  return {
    apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
    request: {
      uid: `hostile-${n}`, kind: { group: '', version: 'v1', kind: 'Pod' }, resource: { group: '', version: 'v1', resource: 'pods' },
      name: `hostile-${n}`, namespace, operation: 'CREATE', userInfo: { username: 'attacker', groups: [] }, dryRun: false,
      object: {
        apiVersion: 'v1', kind: 'Pod', metadata: { name: `hostile-${n}`, namespace },
        spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) },
      },
    },
  };
}

export interface ReviewAnswer { allowed: boolean; status?: { message: string }; patch?: string }

export async function review(p: TestPortcullis, webhook: 'validate' | 'mutate', images: readonly string[], timeoutSeconds = 10): Promise<ReviewAnswer> {
  const res = await p.review(`/${webhook}?timeout=${timeoutSeconds}s`, podReview(images), { timeoutMs: (timeoutSeconds + 5) * 1000 });
  if (res.status !== 200) throw new Error(`/${webhook} answered ${res.status}: ${res.body.slice(0, 300)}`);
  return res.json<{ response: ReviewAnswer }>().response;
}

/** The /metrics text. */
export async function metricsText(p: TestPortcullis): Promise<string> {
  const res = await fetch(`${p.running.metricsUrl}/metrics`);
  return res.text();
}

/** The value of an unlabelled metric in /metrics text. */
export function metricValue(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`${name} is not in /metrics`);
  return Number(line.slice(name.length + 1));
}
