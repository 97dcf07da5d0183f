/**
 * An in-memory PortcullisRegistryClient for unit tests: answers `resolve` from a table keyed by
 * `registry/repository:tag` (or `@digest`), counts calls, and can hold answers until released.
 */
import type { Descriptor, ImageRef, ListedReferrer } from '../../src/oci/types.js';
import type { OciRegistryClient, PortcullisRegistryClient } from '../../src/oci/registry-client.js';
import { OciError } from '../../src/oci/errors.js';

export interface FakeRegistryClient extends PortcullisRegistryClient {
  readonly calls: { resolve: number; listReferrers: number };
  /** Resolves held calls (when created with `hold: true`). */
  release(): void;
}

export function fakeRegistryClient(table: Record<string, Descriptor>, options: { hold?: boolean; referrers?: ListedReferrer[] } = {}): FakeRegistryClient {
  const calls = { resolve: 0, listReferrers: 0 };
  let release!: () => void;
  let gate = options.hold ? new Promise<void>((r) => { release = r; }) : Promise.resolve();
  if (!options.hold) release = () => undefined;
  const keyOf = (ref: ImageRef) => `${ref.registry}/${ref.repository}${ref.digest ? `@${ref.digest}` : `:${ref.tag ?? 'latest'}`}`;
  const client: OciRegistryClient = {
    async resolve(ref, signal) {
      calls.resolve++;
      await gate;
      signal.throwIfAborted();
      const d = table[keyOf(ref)];
      if (!d) throw new OciError('NOT_FOUND', `${keyOf(ref)}: 404 MANIFEST_UNKNOWN: manifest unknown`);
      return d;
    },
    async listReferrers() { calls.listReferrers++; await gate; return options.referrers ?? []; },
    fetchManifest() { return Promise.reject(new Error('not faked')); },
    fetchBlob() { return Promise.reject(new Error('not faked')); },
    getManifest() { return Promise.reject(new Error('not faked')); },
    listPlatformManifests() { return Promise.reject(new Error('not faked')); },
  };
  return {
    ...client, calls,
    release() { release(); gate = Promise.resolve(); },
    withCredentialScope: () => client,
    close: () => Promise.resolve(),
  };
}
