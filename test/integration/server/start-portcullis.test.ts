import { afterAll, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { generateCertSet, writeCertSet } from '../../../src/certs/generate-cert-set.js';
import { startPortcullis, type RunningPortcullis } from '../../../src/main.js';
import { silentLogger } from '../../../src/observability/logger.js';
import type { Ports } from '../../../src/server/runtime-ports.js';
import { fixtureText } from '../../helpers/admission-fixtures.js';
import { FakeImageValidator } from '../../helpers/fake-image-validator.js';
import { httpsRequest } from '../../helpers/https-client.js';

describe('startPortcullis', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  describe('with no config (embedded defaults)', () => {
    it('generates self-signed material under ./certs and serves with it', async () => {
      const cwd = await mkdtemp(join(tmpdir(), 'portcullis-defaults-'));
      const running = await startPortcullis({ cwd, logger: silentLogger(), kubeConfig: null, listen: { port: 0, metricsPort: 0, host: '127.0.0.1' } });
      cleanups.push(() => running.close(), () => rm(cwd, { recursive: true, force: true }));
      expect((await readdir(join(cwd, 'certs'))).sort()).toEqual(['ca.crt', 'ca.key', 'client.crt', 'client.key', 'tls.crt', 'tls.key']);
      expect(running.configStore.current().configFile).toBeNull();
      const ca = await readFile(join(cwd, 'certs/ca.crt'));
      const r = await httpsRequest(`${running.url}/healthz`, { ca });
      expect(r.status).toBe(200);
      expect(r.peer?.serialNumber.toUpperCase()).toBe(new X509Certificate(await readFile(join(cwd, 'certs/tls.crt'))).serialNumber.toUpperCase());
    }, 30_000); // node-forge makes three RSA keys in JavaScript: seconds on a busy 2-core machine
  });

  describe('when the config changes', () => {
    it('rebuilds the ports, swaps them, and closes the old ones once their requests are done', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'portcullis-swap-'));
      const certs = generateCertSet();
      await writeCertSet(join(dir, 'certs'), certs);
      const file = join(dir, 'portcullis.yaml');
      await writeFile(file, stringify({ server: { host: '127.0.0.1', port: 0, metricsPort: 0, shutdownGraceMs: 1000 } }));
      const slow = new FakeImageValidator({ delayMs: 700 });
      let closedOld = false;
      const running: RunningPortcullis = await startPortcullis({
        configPath: file, logger: silentLogger(), kubeConfig: null,
        ports: { validator: slow, ready: () => true, close: async () => { closedOld = true; } } satisfies Partial<Ports>,
      });
      cleanups.push(() => running.close(), () => rm(dir, { recursive: true, force: true }));
      const first = running.ports();
      const inFlight = httpsRequest(`${running.url}/validate`, { method: 'POST', body: fixtureText('pod-update.json'), ca: certs.ca.certPem });
      await new Promise((r) => setTimeout(r, 200));
      await writeFile(file, stringify({ server: { host: '127.0.0.1', port: 0, metricsPort: 0, shutdownGraceMs: 1000 }, validation: { mode: 'warn' } }));
      expect(await running.configStore.reload()).toBe('applied');
      expect(running.ports()).not.toBe(first);
      expect(closedOld).toBe(false); // the in-flight request still uses them
      const r = await inFlight;
      expect(r.json<{ response: { allowed: boolean } }>().response.allowed).toBe(true);
      await new Promise((r2) => setTimeout(r2, 50));
      expect(closedOld).toBe(true);
    }, 20_000);
  });

  describe('when a config change points at a broken TLS pair', () => {
    it('refuses the whole change: the running config, ports and certificate stay', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'portcullis-badtls-'));
      const certs = generateCertSet();
      await writeCertSet(join(dir, 'certs'), certs);
      const other = generateCertSet();
      await writeCertSet(join(dir, 'broken'), { ...other, server: { certPem: other.server.certPem, keyPem: certs.server.keyPem } });
      const file = join(dir, 'portcullis.yaml');
      const base = { server: { host: '127.0.0.1', port: 0, metricsPort: 0, shutdownGraceMs: 1000 }, tls: { certFile: 'certs/tls.crt', keyFile: 'certs/tls.key' } };
      await writeFile(file, stringify(base));
      let built = 0;
      let closed = 0;
      const running: RunningPortcullis = await startPortcullis({
        configPath: file, logger: silentLogger(), kubeConfig: null,
        ports: { validator: new FakeImageValidator({}), ready: () => true, close: async () => { closed++; } } satisfies Partial<Ports>,
      });
      cleanups.push(() => running.close(), () => rm(dir, { recursive: true, force: true }));
      built++;
      const first = running.ports();
      await writeFile(file, stringify({ ...base, tls: { certFile: 'broken/tls.crt', keyFile: 'broken/tls.key' }, validation: { mode: 'warn' } }));
      expect(await running.configStore.reload()).not.toBe('applied');
      expect(running.ports()).toBe(first);
      expect(running.configStore.current().validation.mode).toBe('enforce');
      expect(closed).toBe(built); // the ports built for the refused change were closed, the running ones kept
      const r = await httpsRequest(`${running.url}/healthz`, { ca: certs.ca.certPem });
      expect(r.peer?.serialNumber.toUpperCase()).toBe(new X509Certificate(certs.server.certPem).serialNumber.toUpperCase());
    }, 20_000);
  });

  describe('when the TLS material is broken at start', () => {
    it('refuses to start with a coded error', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'portcullis-broken-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      const a = generateCertSet();
      const b = generateCertSet();
      await writeCertSet(join(dir, 'certs'), { ...a, server: { certPem: a.server.certPem, keyPem: b.server.keyPem } });
      await writeFile(join(dir, 'c.yaml'), stringify({ server: { host: '127.0.0.1', port: 0, metricsPort: 0 } }));
      await expect(startPortcullis({ configPath: join(dir, 'c.yaml'), logger: silentLogger(), kubeConfig: null })).rejects.toMatchObject({ code: 'KEY_MISMATCH' });
    });
  });
});
