import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConfigStore, type ConfigStore } from '../../../src/config/config-store.js';
import type { Config } from '../../../src/config/load-config.js';
import { silentLogger } from '../../../src/observability/logger.js';

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('createConfigStore', () => {
  let store: ConfigStore | undefined;
  afterEach(async () => {
    await store?.close();
  });

  it('refuses to start on an invalid file, naming the field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-store-'));
    await writeFile(join(dir, 'c.yaml'), 'validation: {mode: loud}\n');
    await expect(createConfigStore(join(dir, 'c.yaml'), { logger: silentLogger() })).rejects.toMatchObject({ code: 'INVALID_CONFIG', path: 'validation.mode' });
  });

  it('applies a valid change without a restart and refuses an invalid one, keeping the running config', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-store-'));
    const file = join(dir, 'c.yaml');
    await writeFile(file, 'validation: {mode: enforce}\n');
    store = await createConfigStore(file, { logger: silentLogger(), debounceMs: 50 });
    const seen: Array<[string, string]> = [];
    store.onChange((next: Config, prev: Config) => {
      seen.push([prev.validation.mode, next.validation.mode]);
    });
    expect(store.current().validation.mode).toBe('enforce');

    await writeFile(file, 'validation: {mode: warn}\n');
    await until(() => store?.current().validation.mode === 'warn');
    expect(seen).toEqual([['enforce', 'warn']]);

    await writeFile(file, 'validation: {mode: loud}\n');
    expect(await store.reload()).toBe('refused');
    expect(store.current().validation.mode).toBe('warn');

    // An atomic replace (write elsewhere, rename over), as editors and ConfigMaps do.
    await writeFile(join(dir, '.c.yaml.tmp'), 'validation: {mode: audit}\n');
    await rename(join(dir, '.c.yaml.tmp'), file);
    await until(() => store?.current().validation.mode === 'audit');
    expect(seen).toEqual([['enforce', 'warn'], ['warn', 'audit']]);
  }, 20_000);

  it('refuses a change a listener cannot serve, keeping the running config', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-store-'));
    const file = join(dir, 'c.yaml');
    await writeFile(file, 'validation: {mode: enforce}\n');
    store = await createConfigStore(file, { logger: silentLogger(), watch: false });
    store.onChange((next: Config) => {
      if (next.validation.mode === 'audit') throw new Error('cannot build ports');
    });
    await writeFile(file, 'validation: {mode: audit}\n');
    expect(await store.reload()).toBe('refused');
    expect(store.current().validation.mode).toBe('enforce');
    await writeFile(file, 'validation: {mode: warn}\n');
    expect(await store.reload()).toBe('applied');
    expect(store.current().validation.mode).toBe('warn');
  });

  describe('a change refused for a reason that can pass', () => {
    // A store over a fresh file in enforce mode, not watched (the tests call reload).
    const openStore = async (retry: { initialMs: number; maxMs: number }): Promise<{ file: string; s: ConfigStore }> => {
      const file = join(await mkdtemp(join(tmpdir(), 'portcullis-store-')), 'c.yaml');
      await writeFile(file, 'validation: {mode: enforce}\n');
      const s = await createConfigStore(file, { logger: silentLogger(), watch: false, retry });
      store = s;
      return { file, s };
    };
    const transient = () => Object.assign(new Error('secret portcullis-system/keys: the API server did not answer'), { code: 'API_ERROR' });

    it('is retried with backoff until it applies, without a file change', async () => {
      const { file, s } = await openStore({ initialMs: 10, maxMs: 40 });
      let failures = 3;
      const attempts: string[] = [];
      s.onChange((next: Config) => {
        attempts.push(next.validation.mode);
        if (failures-- > 0) throw transient();
      });
      await writeFile(file, 'validation: {mode: warn}\n');
      expect(await s.reload()).toBe('refused');
      await until(() => s.current().validation.mode === 'warn');
      expect(attempts).toEqual(['warn', 'warn', 'warn', 'warn']);
    });

    it('is retried when a verifier wraps the source\'s error in its own (the cause chain is read)', async () => {
      const { file, s } = await openStore({ initialMs: 10, maxMs: 10 });
      let failures = 1;
      s.onChange(() => {
        if (failures-- > 0) throw Object.assign(new Error('verifiers[0].key: cannot load'), { code: 'INVALID_CONFIG', cause: Object.assign(new Error('not found'), { code: 'NOT_FOUND' }) });
      });
      await writeFile(file, 'validation: {mode: audit}\n');
      expect(await s.reload()).toBe('refused');
      await until(() => s.current().validation.mode === 'audit');
    });

    it('stops retrying the old text once the file changes, and applies the new one', async () => {
      const { file, s } = await openStore({ initialMs: 30, maxMs: 30 });
      const attempts: string[] = [];
      s.onChange((next: Config) => {
        attempts.push(next.validation.mode);
        if (next.validation.mode === 'warn') throw transient();
      });
      await writeFile(file, 'validation: {mode: warn}\n');
      expect(await s.reload()).toBe('refused');
      await writeFile(file, 'validation: {mode: audit}\n');
      expect(await s.reload()).toBe('applied');
      // Several retry periods later, the superseded text was never tried again.
      await new Promise((r) => setTimeout(r, 150));
      expect(attempts).toEqual(['warn', 'audit']);
      expect(s.current().validation.mode).toBe('audit');
    });

    it('is retried when the file itself cannot be read for a moment', async () => {
      const { file, s } = await openStore({ initialMs: 10, maxMs: 20 });
      await rename(file, `${file}.away`);
      expect(await s.reload()).toBe('refused');
      await writeFile(`${file}.away`, 'validation: {mode: warn}\n');
      await rename(`${file}.away`, file);
      await until(() => s.current().validation.mode === 'warn');
    });

    it('is not retried when the text itself is invalid for a listener (INVALID_CONFIG without a transient cause)', async () => {
      const { file, s } = await openStore({ initialMs: 10, maxMs: 10 });
      let calls = 0;
      s.onChange(() => {
        calls += 1;
        throw Object.assign(new Error('verifiers[0].keyz: unknown key'), { code: 'INVALID_CONFIG' });
      });
      await writeFile(file, 'validation: {mode: warn}\n');
      expect(await s.reload()).toBe('refused');
      await new Promise((r) => setTimeout(r, 100));
      expect(calls).toBe(1);
    });
  });
});
