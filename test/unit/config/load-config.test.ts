import { describe, expect, it } from '@jest/globals';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, loadConfigFile, parseConfig, parseConfigText } from '../../../src/config/load-config.js';

const parse = (raw: unknown) => () => parseConfig(raw, { baseDir: '/etc/portcullis' });

describe('parseConfig', () => {
  it('fills every default of the SPEC shape', () => {
    const c = defaultConfig('/srv');
    expect(c.server).toEqual({ port: 8443, metricsPort: 9090, host: '0.0.0.0', bodyLimitBytes: 3145728, maxJsonDepth: 64, shutdownGraceMs: 10_000 });
    expect(c.tls).toEqual({ certFile: '/srv/certs/tls.crt', keyFile: '/srv/certs/tls.key', clientCAFile: null, allowedClientNames: ['portcullis-client'], reloadDebounceMs: 250, selfManaged: expect.objectContaining({ enabled: false }) });
    expect(c.admission).toEqual({ deadlineBufferMs: 200, defaultTimeoutSeconds: 10, failurePolicy: 'deny', maxInflight: 256, maxEventLoopLagMs: 1000, maxImagesPerObject: 64 });
    expect(c.mutation).toEqual({ enabled: true, onError: 'deny' });
    expect(c.validation).toEqual({ mode: 'enforce', platforms: 'index', excludeNamespaces: ['kube-system'], requireDigest: true, excludeImages: [], namespaces: {}, modeLabelMayRelax: { namespaces: [], selector: null } });
    expect(c.registries).toEqual({
      insecure: [], dockerConfig: null, credentials: [], kubernetesPullSecrets: false,
      maxBytesInFlight: 128 * 1024 * 1024, maxBytesPerRequest: 64 * 1024 * 1024, maxBytesWaitMs: 5000,
      maxConnections: 256, maxConnectionsPerRequest: 64, maxConnectionsPerRegistry: 64, maxOrigins: 64,
    });
    expect(c.cache).toEqual({
      type: 'memory', redis: { url: null, hmacKeys: [] }, ttlSeconds: { digest: 60, referrers: 60, results: 3600, negative: 10 },
      maxBytes: 64 * 1024 * 1024, maxEntryBytes: 1024 * 1024,
    });
    expect(c.policy).toEqual({ bundle: null, data: {} });
    expect(c.verifiers).toEqual([]);
    expect(c.configFile).toBeNull();
    expect(c.configDir).toBe('/srv');
  });

  it('is deeply frozen', () => {
    const c = defaultConfig('/srv');
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.validation.excludeNamespaces)).toBe(true);
  });

  it('resolves relative paths against the base directory and keeps absolute ones', () => {
    const c = parseConfig({ tls: { certFile: 'tls/a.crt', keyFile: '/abs/a.key', clientCAFile: '../ca.crt' }, policy: { bundle: 'bundle.tar.gz' }, registries: { dockerConfig: 'docker.json' } }, { baseDir: '/etc/portcullis' });
    expect(c.tls).toMatchObject({ certFile: '/etc/portcullis/tls/a.crt', keyFile: '/abs/a.key', clientCAFile: '/etc/ca.crt' });
    expect(c.policy.bundle).toBe('/etc/portcullis/bundle.tar.gz');
    expect(c.registries.dockerConfig).toBe('/etc/portcullis/docker.json');
  });

  it('keeps registries.insecure hosts in the canonical registry identity', () => {
    const c = parseConfig({ registries: { insecure: ['LOCALHOST:5000', 'Registry.Local', '[0::1]:5000'] } }, { baseDir: '/' });
    expect(c.registries.insecure).toEqual(['localhost:5000', 'registry.local', '[::1]:5000']);
  });

  it('accepts per-namespace modes, platform lists and loose verifier options', () => {
    const c = parseConfig({
      validation: { namespaces: { prod: 'enforce', dev: 'warn' }, platforms: ['linux/amd64', 'linux/arm64/v8'] },
      verifiers: [{ name: 'release', type: 'notation', artifactTypes: ['application/vnd.cncf.notary.signature'], trustPolicy: { version: '1.0' } }],
    }, { baseDir: '/' });
    expect(c.validation.namespaces).toEqual({ prod: 'enforce', dev: 'warn' });
    expect(c.verifiers[0]).toEqual({ name: 'release', type: 'notation', artifactTypes: ['application/vnd.cncf.notary.signature'], trustPolicy: { version: '1.0' } });
  });

  describe('when a field is invalid', () => {
    const cases: Array<[string, unknown, string, string]> = [
      ['a port out of range', { server: { port: 70000 } }, 'server.port', 'INVALID_CONFIG'],
      ['a port of the wrong type', { server: { metricsPort: '9090' } }, 'server.metricsPort', 'INVALID_CONFIG'],
      ['an unknown failure policy', { admission: { failurePolicy: 'ignore' } }, 'admission.failurePolicy', 'INVALID_CONFIG'],
      ['an unknown mode', { validation: { mode: 'strict' } }, 'validation.mode', 'INVALID_CONFIG'],
      ['an unknown per-namespace mode', { validation: { namespaces: { dev: 'loud' } } }, 'validation.namespaces.dev', 'INVALID_CONFIG'],
      ['a misspelt key', { server: { prot: 1 } }, 'server.prot', 'INVALID_CONFIG'],
      ['an unknown section', { sever: {} }, 'sever', 'INVALID_CONFIG'],
      ['an unknown verifier type', { verifiers: [{ name: 'a', type: 'gpg' }] }, 'verifiers[0].type', 'UNKNOWN_VERIFIER_TYPE'],
      ['a duplicate verifier name', { verifiers: [{ name: 'a', type: 'cosign' }, { name: 'a', type: 'sbom' }] }, 'verifiers[1].name', 'INVALID_CONFIG'],
      ['a credential without a secret', { registries: { credentials: [{ host: 'ghcr.io', username: 'u' }] } }, 'registries.credentials[0]', 'INVALID_CONFIG'],
      ['redis without a url', { cache: { type: 'redis', redis: { hmacKeys: ['k'] } } }, 'cache.redis.url', 'INVALID_CONFIG'],
      ['redis without an hmac key', { cache: { type: 'redis', redis: { url: 'redis://r:6379' } } }, 'cache.redis.hmacKeys', 'INVALID_CONFIG'],
      ['a cache entry cap over the cache size', { cache: { maxBytes: 2 * 1024 * 1024, maxEntryBytes: 4 * 1024 * 1024 } }, 'cache.maxEntryBytes', 'INVALID_CONFIG'],
      ['a bad platform', { validation: { platforms: ['amd64'] } }, 'validation.platforms[0]', 'INVALID_CONFIG'],
      ['an insecure host that is no host', { registries: { insecure: ['not a host'] } }, 'registries.insecure[0]', 'INVALID_CONFIG'],
      ['an insecure host on port 443', { registries: { insecure: ['ok.example', 'registry.example:443'] } }, 'registries.insecure[1]', 'INVALID_CONFIG'],
      ['a negative body limit', { server: { bodyLimitBytes: -1 } }, 'server.bodyLimitBytes', 'INVALID_CONFIG'],
    ];
    it.each(cases)('names the field for %s', (_what, raw, path, code) => {
      expect(parse(raw)).toThrow(expect.objectContaining({ path, code }));
      try {
        parse(raw)();
      } catch (err) {
        expect((err as Error).message.startsWith(`${path}: `)).toBe(true);
      }
    });
  });
});

describe('loadConfigFile', () => {
  it('reads YAML and resolves paths against the file directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-config-'));
    await writeFile(join(dir, 'config.yaml'), 'server: {port: 9443}\ntls:\n  certFile: certs/x.crt\n');
    const c = await loadConfigFile(join(dir, 'config.yaml'));
    expect(c.server.port).toBe(9443);
    expect(c.tls.certFile).toBe(join(dir, 'certs/x.crt'));
    expect(c.configFile).toBe(join(dir, 'config.yaml'));
  });

  it('treats an empty file as all defaults', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-config-'));
    await writeFile(join(dir, 'empty.yaml'), '');
    expect((await loadConfigFile(join(dir, 'empty.yaml'))).server.port).toBe(8443);
  });

  it('reports a missing file and invalid YAML with codes', async () => {
    await expect(loadConfigFile('/nonexistent/portcullis.yaml')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    expect(() => parseConfigText('server: [1, 2', '/x.yaml')).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(() => parseConfigText('- a\n- b\n', '/x.yaml')).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });

  describe('never echoes the config text in an error (it may hold credentials)', () => {
    const SECRET = 'canary-pw-7f3a91';
    it.each([
      ['an unclosed quote on a password line', `registries:\n  credentials:\n    - {host: r.example, username: u, password: "${SECRET}}\n`, 'MISSING_CHAR at line 4'],
      ['a bad indent after a password line', `registries:\n  credentials:\n    - host: r.example\n      password: ${SECRET}\n     username: u\n`, 'at line 5'],
      ['a password where a mapping is expected', `registries: {credentials: [{host: r, password: ${SECRET}: x}]}\n`, 'at line 1'],
    ])('%s: says where, not what', (_what, text, where) => {
      let error: unknown;
      try { parseConfigText(text, '/x.yaml'); } catch (err) { error = err; }
      expect(error).toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringContaining(where) });
      const all = JSON.stringify(error, Object.getOwnPropertyNames(error)) + String((error as Error).message) + String((error as Error).cause ?? '');
      expect(all).not.toContain(SECRET);
    });

    it('a schema error names the field, not its value', () => {
      expect(() => parseConfigText(`registries: {credentials: [{host: r, password: 42, token: ${SECRET}}]}\n`, '/x.yaml'))
        .toThrow(expect.objectContaining({ message: expect.not.stringContaining(SECRET) }));
    });
  });
});
