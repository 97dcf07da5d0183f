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
});
