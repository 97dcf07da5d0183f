import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecureContextOptions } from 'node:tls';
import { createCa } from '../../../../src/certs/create-ca.js';
import { issueCert } from '../../../../src/certs/issue-cert.js';
import { silentLogger } from '../../../../src/observability/logger.js';
import { createMetrics } from '../../../../src/observability/metrics.js';
import { loadTlsMaterial } from '../../../../src/server/tls/load-tls-material.js';
import { createTlsReloader } from '../../../../src/server/tls/tls-reloader.js';

describe('createTlsReloader', () => {
  let dir: string;
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'tls-reloader-')); });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  describe('when a new certificate is swapped in', () => {
    it('keeps the listener minimum TLS version (setSecureContext replaces the whole context)', async () => {
      const ca = createCa();
      const first = issueCert(ca, { usage: 'server', commonName: 'localhost', altNames: ['localhost'] });
      const files = { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key'), clientCAFile: null };
      await writeFile(files.certFile, first.certPem);
      await writeFile(files.keyFile, first.keyPem);
      const contexts: SecureContextOptions[] = [];
      const server = { setSecureContext: (o: SecureContextOptions) => { contexts.push(o); } };
      const reloader = await createTlsReloader(server, {
        files, initial: await loadTlsMaterial(files), logger: silentLogger(), metrics: createMetrics(),
        debounceMs: 60_000, pollIntervalMs: 0,
      });
      try {
        const second = issueCert(ca, { usage: 'server', commonName: 'localhost', altNames: ['localhost'] });
        await writeFile(files.certFile, second.certPem);
        await writeFile(files.keyFile, second.keyPem);
        await expect(reloader.reload()).resolves.toBe('success');
        expect(contexts).toHaveLength(1);
        expect(contexts[0]?.minVersion).toBe('TLSv1.2');
        expect(contexts[0]?.cert?.toString()).toBe(second.certPem);
      } finally {
        await reloader.close();
      }
    }, 30_000);
  });
});
