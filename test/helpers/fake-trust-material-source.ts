/**
 * A TrustMaterialSource for unit tests, standing in for a Kubernetes Secret: `set()` replaces
 * its entries and notifies the watchers (as a Secret update would), `fail()` makes load() reject.
 */
import type { TrustMaterial, TrustMaterialSource } from '../../src/trust/types.js';

export interface FakeTrustMaterialSource extends TrustMaterialSource {
  /** Replaces the material (`key` → bytes) and calls every watcher once. */
  set(entries: Readonly<Record<string, string | Uint8Array>>): void;
  /** Makes load() reject (as a deleted Secret does) and calls every watcher once. */
  fail(message: string): void;
  /** How many watchers are subscribed now. */
  watchers(): number;
}

export function createFakeTrustMaterialSource(id: string, entries: Readonly<Record<string, string | Uint8Array>>): FakeTrustMaterialSource {
  let current: TrustMaterial[] | Error = toMaterial(id, entries);
  const listeners = new Set<() => void>();
  const notify = (): void => { for (const l of [...listeners]) l(); };
  return {
    id,
    async load() {
      if (current instanceof Error) throw current;
      return current;
    },
    watch(onChange) {
      listeners.add(onChange);
      return () => { listeners.delete(onChange); };
    },
    set(next) {
      current = toMaterial(id, next);
      notify();
    },
    fail(message) {
      current = new Error(message);
      notify();
    },
    watchers: () => listeners.size,
  };
}

function toMaterial(id: string, entries: Readonly<Record<string, string | Uint8Array>>): TrustMaterial[] {
  return Object.keys(entries).sort().map((key) => {
    const v = entries[key]!;
    return { origin: `${id}/${key}`, bytes: typeof v === 'string' ? Buffer.from(v) : v };
  });
}
