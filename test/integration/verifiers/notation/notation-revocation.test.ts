/**
 * Notation revocation against real revocation services on loopback: a local PKI made with
 * openssl whose leaf names an OCSP responder (`openssl ocsp` answering) and a CRL distribution
 * point (a CRL made by `openssl ca -gencrl`), a signature made by the real notation CLI, the
 * real HTTP fetcher (src/revocation/) injected as the composition root does. The leaf is then
 * revoked: strict denies with REVOKED, permissive and audit only log it. With the services
 * gone the status is REVOCATION_UNKNOWN, decided per level, within the deadline; a verified
 * status is reused from the cache until its nextUpdate. A delta or indirect CRL served at the
 * distribution point is refused with a coded problem (status unknown, decided per level).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { silentLogger } from '../../../../src/observability/logger.js';
import { createMetrics } from '../../../../src/observability/metrics.js';
import type { Descriptor } from '../../../../src/oci/types.js';
import { revocationPorts } from '../../../../src/revocation/revocation-ports.js';
import { createNotationVerifier } from '../../../../src/verifiers/notation/create-notation-verifier.js';
import type { VerifierResult } from '../../../../src/verifiers/verifier.js';
import { createOciLayoutImage } from '../../../helpers/create-oci-layout-image.js';
import { createNotationCli, type NotationCli } from '../../../helpers/notation-cli.js';
import { readOciLayout, type OciLayout } from '../../../helpers/oci-layout.js';
import { createRevocationPki, type RevocationPki } from '../../../helpers/revocation-pki.js';

let work: string;
let cli: NotationCli;
let pki: RevocationPki;
let layout: OciLayout;
let image: Descriptor;
const metrics = createMetrics(new Registry(), { defaults: false });

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'notation-revocation-'));
  mkdirSync(join(work, 'pki'));
  pki = await createRevocationPki(join(work, 'pki'), { nextUpdateMinutes: 10 });
  cli = createNotationCli();
  cli.addSigningKey('revocable', pki.keyPath, pki.chainPath);
  const layoutDir = join(work, 'layout');
  image = createOciLayoutImage(layoutDir, 'app');
  await cli.run(['sign', '--oci-layout', `${layoutDir}:app`, '--key', 'revocable']);
  layout = readOciLayout(layoutDir);
}, 120_000);

afterAll(async () => {
  await pki?.close();
  cli?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

type Level = 'strict' | 'permissive' | 'audit';

async function verifier(level: Level = 'strict', revocation: Record<string, unknown> = {}) {
  return createNotationVerifier({
    name: 'release', type: 'notation', watch: false,
    trustStores: { ca: { revocation: [pki.rootPath] } },
    trustPolicy: { version: '1.0', trustPolicies: [{ name: 'all', registryScopes: ['*'], signatureVerification: { level }, trustStores: ['ca:revocation'], trustedIdentities: ['*'] }] },
    revocation: { fetch: true, allowedHosts: pki.hosts, ocspTimeoutMs: 1000, crlTimeoutMs: 1000, ...revocation },
  }, 'verifiers[0]', { baseDir: work, logger: silentLogger(), ...revocationPorts(metrics) });
}

type Verifier = Awaited<ReturnType<typeof verifier>>;

function verify(v: Verifier, options: { now?: Date; deadlineMs?: number } = {}): Promise<VerifierResult> {
  const subject = layout.subject(image, 'registry.example', 'team/app');
  const [signature] = layout.referrers(image.digest);
  return v.verify(subject, signature!, { signal: AbortSignal.timeout(options.deadlineMs ?? 10_000), now: options.now ?? new Date(), nested: [] });
}

const revocationCheck = (r: VerifierResult) => (r.details.checks as Array<{ name: string; outcome: string; message: string }>).find((c) => c.name === 'revocation');
const leafStatus = (r: VerifierResult) => (r.details.revocation as Array<Record<string, unknown>>).find((c) => String(c.subject).includes('revocable signer'));
const counter = async (name: string, labels: Record<string, string>) =>
  (await metrics.registry.getSingleMetric(name)!.get()).values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value ?? 0;

describe('Notation revocation with openssl OCSP and CRL services on loopback', () => {
  describe('before the leaf is revoked', () => {
    it('strict: the leaf is good by OCSP, the intermediate publishes nothing, the root is not checked', async () => {
      const r = await verify(await verifier());
      expect(r).toMatchObject({ valid: true });
      expect(revocationCheck(r)).toMatchObject({ outcome: 'pass' });
      expect(r.details.revocation).toEqual([
        { chain: 'signing', subject: expect.stringContaining('Revocation Root'), status: 'root' },
        { chain: 'signing', subject: expect.stringContaining('Revocation Intermediate'), status: 'notPublished' },
        { chain: 'signing', subject: expect.stringContaining('revocable signer'), status: 'good', source: 'ocsp', nextUpdate: expect.any(String) },
      ]);
      // The result may be cached only until the OCSP response's nextUpdate.
      expect(Date.parse(r.expiresAt!)).toBeLessThanOrEqual(Date.parse(leafStatus(r)!.nextUpdate as string));
      expect(pki.ocspRequests()).toBeGreaterThan(0);
      // Metrics: the fetch by kind and outcome, its duration, and the cache lookup that missed.
      expect(await counter('portcullis_revocation_fetches_total', { kind: 'ocsp', result: 'success' })).toBeGreaterThan(0);
      const durations = (await metrics.registry.getSingleMetric('portcullis_revocation_fetch_duration_seconds')!.get()).values;
      expect(durations.find((v) => (v as { metricName?: string }).metricName === 'portcullis_revocation_fetch_duration_seconds_count' && v.labels.kind === 'ocsp')?.value).toBeGreaterThan(0);
      expect(await counter('portcullis_cache_requests_total', { kind: 'revocation', result: 'miss' })).toBeGreaterThan(0);
    });

    it('falls back to the CRL when OCSP cannot tell (here: its host is not allowed)', async () => {
      const r = await verify(await verifier('strict', { allowedHosts: [pki.hosts[1]] }));
      expect(r.valid).toBe(true);
      expect(leafStatus(r)).toMatchObject({ status: 'good', source: 'crl', problems: [expect.stringContaining('is not in revocation.allowedHosts')] });
    });

    it('fetches nothing outside the allow-list: REVOCATION_UNKNOWN', async () => {
      const before = pki.ocspRequests() + pki.crlRequests();
      const r = await verify(await verifier('strict', { allowedHosts: ['revocation.example.com'] }));
      expect(r).toMatchObject({ valid: false, error: { code: 'REVOCATION_UNKNOWN' } });
      expect(pki.ocspRequests() + pki.crlRequests()).toBe(before);
      expect(await counter('portcullis_revocation_fetches_total', { kind: 'crl', result: 'refused' })).toBeGreaterThan(0);
    });

    it('with fetching off, says so and fetches nothing', async () => {
      const before = pki.ocspRequests() + pki.crlRequests();
      const r = await verify(await verifier('strict', { fetch: false }));
      expect(r).toMatchObject({ valid: false, error: { code: 'REVOCATION_UNKNOWN', message: expect.stringContaining('revocation.fetch') } });
      expect(pki.ocspRequests() + pki.crlRequests()).toBe(before);
    });

    it('uses a cached status with the responders gone, until its nextUpdate', async () => {
      const v = await verifier();
      const first = await verify(v);
      expect(leafStatus(first)).toMatchObject({ status: 'good', source: 'ocsp' });
      await pki.stopServices();
      try {
        const cached = await verify(v);
        expect(cached.valid).toBe(true);
        expect(leafStatus(cached)).toMatchObject({ status: 'good', source: 'cache' });
        // After nextUpdate the cached status is no longer used, and the services are down.
        const later = new Date(Date.parse(leafStatus(first)!.nextUpdate as string) + 60_000);
        const expired = await verify(v, { now: later });
        expect(expired).toMatchObject({ valid: false, error: { code: 'REVOCATION_UNKNOWN' } });
      } finally {
        await pki.startServices();
      }
      expect(await counter('portcullis_cache_requests_total', { kind: 'revocation', result: 'hit' })).toBeGreaterThan(0);
    });
  });

  describe('with the OCSP responder and CRL server down', () => {
    beforeAll(async () => { await pki.stopServices(); });
    afterAll(async () => { await pki.startServices(); });

    it('strict: REVOCATION_UNKNOWN, naming both sources', async () => {
      const r = await verify(await verifier());
      expect(r).toMatchObject({ valid: false, error: { code: 'REVOCATION_UNKNOWN' } });
      expect(leafStatus(r)).toMatchObject({ status: 'unknown', problems: [expect.stringMatching(/^OCSP http:\/\/127\.0\.0\.1:\d+\/: .*cannot connect/), expect.stringMatching(/^CRL .*cannot connect/)] });
      expect(await counter('portcullis_revocation_fetches_total', { kind: 'ocsp', result: 'failure' })).toBeGreaterThan(0);
    });

    it.each<Level>(['permissive', 'audit'])('%s: only logged', async (level) => {
      const r = await verify(await verifier(level));
      expect(r.valid).toBe(true);
      expect(revocationCheck(r)).toMatchObject({ outcome: 'logged', message: expect.stringContaining('cannot be determined') });
    });
  });

  describe('with services that accept connections and never answer', () => {
    let hanging: Server[] = [];
    beforeAll(async () => {
      await pki.stopServices();
      hanging = await Promise.all(pki.hosts.map((h) => new Promise<Server>((ok) => {
        const s = createServer(() => undefined);
        s.listen(Number(h.split(':')[1]), '127.0.0.1', () => ok(s));
      })));
    });
    afterAll(async () => {
      for (const s of hanging) { s.closeAllConnections(); await new Promise((ok) => s.close(ok)); }
      await pki.startServices();
    });

    it('gives up on each fetch after its timeout, inside the admission deadline: REVOCATION_UNKNOWN', async () => {
      const r = await verify(await verifier('strict', { ocspTimeoutMs: 300, crlTimeoutMs: 300 }), { deadlineMs: 5000 });
      expect(r).toMatchObject({ valid: false, error: { code: 'REVOCATION_UNKNOWN' } });
      expect(leafStatus(r)!.problems).toEqual([expect.stringContaining('no answer within 300 ms'), expect.stringContaining('no answer within 300 ms')]);
    });

    it('stops at the admission deadline when it comes first', async () => {
      const r = await verify(await verifier('strict', { ocspTimeoutMs: 5000, crlTimeoutMs: 5000 }), { deadlineMs: 400 });
      expect(r).toMatchObject({ valid: false, error: { code: 'REVOCATION_UNKNOWN' } });
      expect(leafStatus(r)!.problems).toEqual([expect.stringContaining('the admission deadline')]);
    });
  });

  describe('with a delta or an indirect CRL at the distribution point (forms not evaluated)', () => {
    afterAll(async () => { await pki.publishCrl('base'); });

    it.each([
      ['delta', 'UNSUPPORTED: a delta CRL was served where a base CRL was expected'],
      ['indirect', 'UNSUPPORTED: CRLs with an issuing distribution point (partitioned or indirect CRLs) are not supported'],
    ] as const)('%s CRL: refused with a coded problem, REVOCATION_UNKNOWN enforced under strict, logged under permissive', async (form, problem) => {
      await pki.publishCrl(form);
      const crlOnly = { allowedHosts: [pki.hosts[1]] };
      const strict = await verify(await verifier('strict', crlOnly));
      expect(strict).toMatchObject({ valid: false, error: { code: 'REVOCATION_UNKNOWN' } });
      expect(leafStatus(strict)).toMatchObject({ status: 'unknown', problems: [expect.stringContaining('not in revocation.allowedHosts'), expect.stringContaining(problem)] });
      const permissive = await verify(await verifier('permissive', crlOnly));
      expect(permissive.valid).toBe(true);
      expect(revocationCheck(permissive)).toMatchObject({ outcome: 'logged', message: expect.stringContaining(problem) });
    });
  });

  describe('after the leaf is revoked (keyCompromise)', () => {
    beforeAll(async () => { await pki.revokeLeaf(); });

    it('strict: denied with REVOKED, by OCSP', async () => {
      const r = await verify(await verifier());
      expect(r).toMatchObject({ valid: false, error: { code: 'REVOKED', message: expect.stringContaining('is revoked (ocsp, keyCompromise') } });
      expect(leafStatus(r)).toMatchObject({ status: 'revoked', source: 'ocsp', reason: 'keyCompromise' });
    });

    it('strict: denied with REVOKED by the CRL as well', async () => {
      const r = await verify(await verifier('strict', { allowedHosts: [pki.hosts[1]] }));
      expect(r).toMatchObject({ valid: false, error: { code: 'REVOKED' } });
      expect(leafStatus(r)).toMatchObject({ status: 'revoked', source: 'crl', reason: 'keyCompromise' });
    });

    it.each<Level>(['permissive', 'audit'])('%s: allowed, the revocation logged', async (level) => {
      const r = await verify(await verifier(level));
      expect(r.valid).toBe(true);
      expect(revocationCheck(r)).toMatchObject({ outcome: 'logged', message: expect.stringContaining('is revoked') });
      expect(r.message).toContain('logged: revocation:');
    });
  });
});
