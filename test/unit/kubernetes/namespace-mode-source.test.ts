import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { createLogger, silentLogger } from '../../../src/observability/logger.js';
import { createNamespaceModeSource } from '../../../src/kubernetes/namespace-mode-source.js';
import { createFakeKubeApi } from '../../helpers/fake-kube-api.js';

const signal = (): AbortSignal => new AbortController().signal;

describe('createNamespaceModeSource', () => {
  it.each(['enforce', 'warn', 'audit'] as const)('returns %s from the portcullis.dev/mode label', async (mode) => {
    const api = createFakeKubeApi();
    api.setNamespace('team', { 'portcullis.dev/mode': mode });
    await expect(createNamespaceModeSource({ reader: api, logger: silentLogger() }).modeFor('team', signal())).resolves.toBe(mode);
  });

  it('returns undefined without the label or the Namespace', async () => {
    const api = createFakeKubeApi();
    api.setNamespace('plain', { other: 'x' });
    const source = createNamespaceModeSource({ reader: api, logger: silentLogger() });
    await expect(source.modeFor('plain', signal())).resolves.toBeUndefined();
    await expect(source.modeFor('missing', signal())).resolves.toBeUndefined();
  });

  it('ignores any other value and logs it', async () => {
    const api = createFakeKubeApi();
    api.setNamespace('team', { 'portcullis.dev/mode': 'off' });
    const lines: string[] = [];
    const logger = createLogger({ destination: new Writable({ write(c: Buffer, _e, cb) { lines.push(c.toString()); cb(); } }) });
    await expect(createNamespaceModeSource({ reader: api, logger }).modeFor('team', signal())).resolves.toBeUndefined();
    expect(lines.join('')).toContain('"value":"off"');
  });

  it('caches the label for the TTL, then reads it again', async () => {
    const api = createFakeKubeApi();
    api.setNamespace('team', { 'portcullis.dev/mode': 'warn' });
    const source = createNamespaceModeSource({ reader: api, logger: silentLogger(), ttlMs: 30 });
    await source.modeFor('team', signal());
    api.setNamespace('team', { 'portcullis.dev/mode': 'audit' });
    await expect(source.modeFor('team', signal())).resolves.toBe('warn');
    await new Promise((r) => setTimeout(r, 50));
    await expect(source.modeFor('team', signal())).resolves.toBe('audit');
    expect(api.reads).toEqual(['namespace team', 'namespace team']);
  });

  it('rejects with the API error so the caller can fall back to the global mode', async () => {
    const api = createFakeKubeApi();
    api.failNext('TIMEOUT');
    await expect(createNamespaceModeSource({ reader: api, logger: silentLogger() }).modeFor('team', signal())).rejects.toMatchObject({ code: 'TIMEOUT' });
  });
});
