/**
 * SPEC "TLS": the serving certificate and the client CA are replaced under load — by atomic
 * rename and by Kubernetes Secret-style `..data` symlink swaps — without a single failed
 * request; new connections see the new material; broken material is refused while service
 * goes on.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa, type CertificateAuthority, type KeyPairPem } from '../../../src/certs/create-ca.js';
import { issueCert } from '../../../src/certs/issue-cert.js';
import { fixtureText } from '../../helpers/admission-fixtures.js';
import { FakeImageValidator } from '../../helpers/fake-image-validator.js';
import { httpsRequest } from '../../helpers/https-client.js';
import { startTestPortcullis, type TestPortcullis } from '../../helpers/start-test-portcullis.js';

const CLIENTS_KEEPALIVE = 25;
const CLIENTS_NEW_CONNECTION = 25;
const PAUSE_MS = 20; // between one client's requests: enough load, modest CPU

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, check: () => boolean | Promise<boolean>, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}
const serial = (pem: string) => new X509Certificate(pem).serialNumber.toUpperCase();

describe('TLS rotation under load', () => {
  let p: TestPortcullis;
  let secret: string;
  let version = 0;
  const servingCa: CertificateAuthority = createCa({ commonName: 'serving CA' });
  const clientCa1 = createCa({ commonName: 'client CA 1 (to be removed)' });
  const clientCa2 = createCa({ commonName: 'client CA 2' });
  const client1 = issueCert(clientCa1, { usage: 'client', commonName: 'old-apiserver' });
  const client2 = issueCert(clientCa2, { usage: 'client', commonName: 'apiserver' });
  const serving = (n: number): KeyPairPem => issueCert(servingCa, { usage: 'server', commonName: `portcullis-${n}`, altNames: ['127.0.0.1', 'localhost'] });

  /** What the kubelet does for a Secret volume: new timestamped dir, `..data` swapped by rename. */
  async function secretSwap(files: Record<string, string>): Promise<void> {
    const previous = `..v${version}`;
    version++;
    const dir = join(secret, `..v${version}`);
    await mkdir(dir);
    for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
    await symlink(`..v${version}`, join(secret, '..data_tmp'));
    await rename(join(secret, '..data_tmp'), join(secret, '..data'));
    await rm(join(secret, previous), { recursive: true, force: true });
  }
  /** What most tools do: write a temporary file, rename it over the old one. */
  async function atomicReplace(name: string, content: string): Promise<void> {
    await writeFile(join(secret, `.${name}.tmp`), content);
    await rename(join(secret, `.${name}.tmp`), join(secret, name));
  }
  const reloads = async (result: 'success' | 'error') =>
    (await p.running.metrics.tlsReloads.get()).values.find((v) => v.labels.result === result)?.value ?? 0;
  const fresh = (client: KeyPairPem = client2) => httpsRequest(`${p.running.url}/validate?timeout=10s`, {
    method: 'POST', body: fixtureText('pod-update.json'), ca: servingCa.certPem, cert: client.certPem, key: client.keyPem,
  });

  beforeAll(async () => {
    secret = await mkdtemp(join(tmpdir(), 'portcullis-secret-'));
    const s0 = serving(0);
    await mkdir(join(secret, '..v0'));
    await writeFile(join(secret, '..v0/tls.crt'), s0.certPem);
    await writeFile(join(secret, '..v0/tls.key'), s0.keyPem);
    await writeFile(join(secret, '..v0/ca.crt'), clientCa1.certPem + clientCa2.certPem);
    await symlink('..v0', join(secret, '..data'));
    for (const f of ['tls.crt', 'tls.key', 'ca.crt']) await symlink(`..data/${f}`, join(secret, f));
    p = await startTestPortcullis({
      config: { tls: { certFile: join(secret, 'tls.crt'), keyFile: join(secret, 'tls.key'), clientCAFile: join(secret, 'ca.crt'), reloadDebounceMs: 100, allowedClientNames: ['old-apiserver', 'apiserver'] } },
      ports: { validator: new FakeImageValidator(), ready: () => true },
    });
  }, 30_000);
  afterAll(async () => {
    await p?.close();
    if (secret) await rm(secret, { recursive: true, force: true });
  });

  it('drops no request while the serving certificate is replaced 7 times and the client CA once', async () => {
    const body = fixtureText('pod-update.json');
    const stats = { ok: 0, failed: 0, reused: 0, keepalive: 0, fresh: 0, errors: [] as string[] };
    let stop = false;
    const runClient = async (keepAlive: boolean) => {
      const agent = keepAlive ? new Agent({ keepAlive: true, maxSockets: 1 }) : undefined;
      try {
        while (!stop) {
          try {
            const r = await httpsRequest(`${p.running.url}/validate?timeout=10s`, {
              method: 'POST', body, ca: servingCa.certPem, cert: client2.certPem, key: client2.keyPem, agent,
            });
            if (r.status === 200 && r.json<{ response: { allowed: boolean } }>().response.allowed) stats.ok++;
            else { stats.failed++; stats.errors.push(`HTTP ${r.status}: ${r.body.slice(0, 200)}`); }
            if (keepAlive) stats.keepalive++; else stats.fresh++;
            if (r.reusedSocket) stats.reused++;
          } catch (err) {
            stats.failed++;
            stats.errors.push((err as Error).message);
          }
          await sleep(PAUSE_MS);
        }
      } finally {
        agent?.destroy();
      }
    };
    const clients = [
      ...Array.from({ length: CLIENTS_KEEPALIVE }, () => runClient(true)),
      ...Array.from({ length: CLIENTS_NEW_CONNECTION }, () => runClient(false)),
    ];

    let rotations = 0;
    let refused = 0;
    const expectServing = async (pem: string) => {
      const r = await fresh();
      expect(r.status).toBe(200);
      expect(r.peer?.serialNumber.toUpperCase()).toBe(serial(pem));
    };
    const rotate = async (how: () => Promise<void>, pem: string) => {
      const before = p.running.tls.current().fingerprint;
      await how();
      await until('the reload', () => p.running.tls.current().fingerprint !== before);
      rotations++;
      await expectServing(pem);
      await sleep(300); // let traffic run on the new certificate
    };
    const refuse = async (how: () => Promise<void>, stillServing: string) => {
      const errorsBefore = await reloads('error');
      const before = p.running.tls.current().fingerprint;
      await how();
      await until('the refusal', async () => (await reloads('error')) > errorsBefore);
      refused++;
      expect(p.running.tls.current().fingerprint).toBe(before);
      await expectServing(stillServing);
      await sleep(200);
    };

    try {
      await sleep(500);
      // The removed CA's client is served before the change…
      expect((await fresh(client1)).status).toBe(200);

      // Secret-style `..data` swaps.
      const s1 = serving(1);
      await rotate(() => secretSwap({ 'tls.crt': s1.certPem, 'tls.key': s1.keyPem, 'ca.crt': clientCa1.certPem + clientCa2.certPem }), s1.certPem);
      const s2 = serving(2);
      await rotate(() => secretSwap({ 'tls.crt': s2.certPem, 'tls.key': s2.keyPem, 'ca.crt': clientCa1.certPem + clientCa2.certPem }), s2.certPem);
      // …and the client CA changes: CA 1 leaves the bundle.
      const s3 = serving(3);
      await rotate(() => secretSwap({ 'tls.crt': s3.certPem, 'tls.key': s3.keyPem, 'ca.crt': clientCa2.certPem }), s3.certPem);
      await expect(fresh(client1)).rejects.toThrow();
      expect((await fresh(client2)).status).toBe(200);

      // Atomic renames over the files (the key first: the debounce sees both).
      for (const n of [4, 5, 6]) {
        const s = serving(n);
        await rotate(async () => {
          await atomicReplace('tls.key', s.keyPem);
          await atomicReplace('tls.crt', s.certPem);
        }, s.certPem);
      }
      const s6 = p.running.tls.current().cert.toString();

      // Broken material is refused; the last good pair keeps serving.
      await refuse(() => atomicReplace('tls.key', serving(99).keyPem), s6); // mismatched key
      await refuse(() => atomicReplace('tls.crt', s6.slice(0, Math.floor(s6.length / 2))), s6); // truncated
      await refuse(() => atomicReplace('tls.crt', 'garbage\u0000\u00ff not a certificate'), s6); // garbage

      const s7 = serving(7);
      await rotate(async () => {
        await atomicReplace('tls.key', s7.keyPem);
        await atomicReplace('tls.crt', s7.certPem);
      }, s7.certPem);
    } finally {
      stop = true;
      await Promise.all(clients);
    }

    const figures = {
      requests: stats.ok + stats.failed, failures: stats.failed, rotations, clientCaRotations: 1, brokenPairsRefused: refused,
      keptAliveRequests: stats.keepalive, reusedSockets: stats.reused, newConnectionRequests: stats.fresh,
      clients: CLIENTS_KEEPALIVE + CLIENTS_NEW_CONNECTION,
    };
    console.log(`TLS rotation under load: ${JSON.stringify(figures)}`);
    expect(stats.errors).toEqual([]);
    expect(stats.failed).toBe(0);
    expect(rotations).toBe(7);
    expect(refused).toBe(3);
    expect(stats.keepalive).toBeGreaterThan(CLIENTS_KEEPALIVE);
    expect(stats.reused).toBeGreaterThan(0);
    expect(await reloads('success')).toBe(7);
  }, 150_000); // bounded by its count of rotations; a loaded 2-core CI machine needed more than 60 s
});
