/**
 * Issue 15, "more than one replica", across OS processes: two `portcullis serve` processes (the
 * compiled CLI, as deployed; needs dist/ from `npm run build`) started one after the other on
 * one real Redis. What the first verified, the second — a fresh process with an empty memory
 * cache, its own registry client and trust material loaded from files — answers with 0
 * registry requests, counted at a proxy in front of the real registry (olareg).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { generateCertSet, writeCertSet } from '../../../src/certs/index.js';
import { createCacheHmacKeys } from '../../helpers/cache-hmac-keys.js';
import { startFaultProxy, type FaultProxy } from '../../helpers/fault-proxy.js';
import { httpsRequest } from '../../helpers/https-client.js';
import { podReview } from '../../helpers/pod-review.js';
import { startRedisServer, type RunningRedis } from '../../helpers/redis-server.js';
import { freePort } from '../../helpers/registry-server.js';
import { startSignedImagesFixture, type SignedImagesFixture } from '../../helpers/signed-images-fixture.js';
import { PROJECT_ROOT } from '../../helpers/tools.js';
import { waitFor } from '../../helpers/wait-for.js';

interface Replica { readonly url: string; readonly child: ChildProcess; readonly log: string }

let work: string;
let ca: string;
let redis: RunningRedis;
let fixture: SignedImagesFixture;
let proxy: FaultProxy;
const keys = createCacheHmacKeys();
/** The same key on every replica (docs/cache-threat-model.md). */
const keyFile = keys.write('cache-hmac');
const replicas: Replica[] = [];
let pinned: string[];

async function startReplica(name: string): Promise<Replica> {
  const port = await freePort();
  const metricsPort = await freePort();
  const config = join(work, `${name}.yaml`);
  writeFileSync(config, stringify({
    server: { host: '127.0.0.1', port, metricsPort, shutdownGraceMs: 500 },
    tls: { certFile: join(work, 'certs', 'tls.crt'), keyFile: join(work, 'certs', 'tls.key') },
    registries: { insecure: [proxy.host] },
    cache: { type: 'redis', redis: { url: redis.url, hmacKeys: [keyFile] } },
    verifiers: [fixture.notationVerifier()],
  }));
  const log = join(work, `${name}.log`);
  const fd = openSync(log, 'w');
  // No kubeconfig: pull secrets and namespace labels stay off.
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'portcullis.js'), 'serve', '--config', config], {
    env: { PATH: process.env.PATH ?? '', HOME: work, KUBECONFIG: join(work, 'no-kubeconfig') }, stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const replica = { url: `https://127.0.0.1:${port}`, child, log };
  replicas.push(replica);
  await waitFor(`${name} ready (log: ${log})`, async () => {
    if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode}: ${readFileSync(log, 'utf8').slice(-2000)}`);
    const res = await fetch(`http://127.0.0.1:${metricsPort}/readyz`).catch(() => undefined);
    return res?.status === 200 ? true : undefined;
  }, 60_000);
  return replica;
}

async function validate(replica: Replica, images: readonly string[]): Promise<{ allowed: boolean; status?: { message: string } }> {
  const res = await httpsRequest(`${replica.url}/validate?timeout=10s`, {
    method: 'POST', body: JSON.stringify(podReview(images)), headers: { 'content-type': 'application/json' }, ca, timeoutMs: 15_000,
  });
  expect(res.status).toBe(200);
  return res.json<{ response: { allowed: boolean; status?: { message: string } } }>().response;
}

async function stop(replica: Replica): Promise<void> {
  if (replica.child.exitCode !== null || replica.child.signalCode !== null) return;
  const exited = new Promise((r) => replica.child.once('exit', r));
  replica.child.kill('SIGTERM');
  await exited;
}

beforeAll(async () => {
  if (!existsSync(join(PROJECT_ROOT, 'dist', 'cli', 'main.js'))) throw new Error('needs dist/: run `npm run build` first');
  work = mkdtempSync(join(tmpdir(), 'portcullis-replica-processes-'));
  const certs = generateCertSet();
  await writeCertSet(join(work, 'certs'), certs);
  ca = certs.ca.certPem;
  redis = await startRedisServer();
  fixture = await startSignedImagesFixture({ count: 2, repositoryPrefix: 'processes/app' });
  proxy = await startFaultProxy(fixture.registry.host);
  pinned = fixture.images.map((i) => `${i.repository.replace(fixture.registry.host, proxy.host)}@${i.digest}`);
}, 120_000);

afterAll(async () => {
  for (const r of replicas) await stop(r);
  await proxy?.stop();
  await fixture?.stop();
  await redis?.stop();
  keys.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
}, 30_000);

describe('two Portcullis processes on one Redis', () => {
  it('a fresh process admits images another process verified, with 0 registry requests', async () => {
    const a = await startReplica('a');
    expect((await validate(a, pinned)).allowed).toBe(true);
    expect(proxy.count()).toBeGreaterThan(0);
    await stop(a);

    proxy.reset();
    const b = await startReplica('b');
    const answer = await validate(b, pinned);
    expect(answer.allowed).toBe(true);
    expect(proxy.requests.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  }, 120_000);

  it('and still asks the registry for an image neither verified', async () => {
    const b = replicas.at(-1)!;
    proxy.reset();
    const other = fixture.images[0]!;
    // Same repository, a digest nobody verified: a cache miss, so the registry is asked (and says 404).
    const unknown = `${other.repository.replace(fixture.registry.host, proxy.host)}@sha256:${'0'.repeat(64)}`;
    expect((await validate(b, [unknown])).allowed).toBe(false);
    expect(proxy.count()).toBeGreaterThan(0);
  }, 60_000);
});
