/**
 * Caching as a decorator around the registry client (SPEC "Cache"; Ratify's shape): tag→digest
 * (`digest` kind), referrer lists (`referrers`), manifests by digest (`manifest`), and "not
 * found" answers briefly (`negative`). Concurrent identical lookups share one in-flight call.
 * With `ttls` given, tags and referrer lists read late in their life are refreshed in the
 * background (refresh-ahead.ts), so a running workload's lookups do not expire into admission.
 *
 * Entries are keyed by what was looked up, not by whose credentials looked it up: like
 * Kyverno's cache, a digest or referrer list learnt with one pod's pull secret answers for
 * another pod. That reveals no content, and the kubelet still needs its own credentials to pull.
 */
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.js';
import type { CredentialScope, Descriptor, ListedReferrer } from '../oci/types.js';
import type { OciRegistryClient, PortcullisRegistryClient } from '../oci/registry-client.js';
import { OciError } from '../oci/errors.js';
import { verifyDigest } from '../oci/digest.js';
import type { Cache } from './types.js';
import { createSingleFlight, type SingleFlight } from './single-flight.js';
import type { CacheTtls } from './cache-ttls.js';
import { createRefreshAhead, type RefreshAhead } from './refresh-ahead.js';

interface NegativeEntry { readonly message: string }
interface StoredManifest { readonly b64: string }
/** A value with the time it was stored (ms), so a reader knows how far into its TTL it is. */
interface Stamped<T> { readonly v: T; readonly t: number }

export interface CachingRegistryClientOptions {
  /** Counts cached manifests that fail their digest check as cache result `error`. */
  readonly metrics?: Pick<Metrics, 'cacheRequests'>;
  readonly logger?: Logger;
  /** The cache's TTLs; given, refresh-ahead is on for `digest` and `referrers`. */
  readonly ttls?: CacheTtls;
  /** Refresh-ahead bounds; default createRefreshAhead(). */
  readonly refreshAhead?: RefreshAhead;
}

export function createCachingRegistryClient(
  inner: PortcullisRegistryClient,
  cache: Cache,
  flight: SingleFlight = createSingleFlight(),
  options: CachingRegistryClientOptions = {},
): PortcullisRegistryClient {
  let tamperLogged = false;
  /** The cached bytes if they still hash to the descriptor's digest; else a miss, counted and logged once. */
  const checked = (hit: StoredManifest | undefined, descriptor: Descriptor, key: string): Buffer | undefined => {
    if (typeof hit?.b64 !== 'string') return undefined;
    const bytes = Buffer.from(hit.b64, 'base64');
    try {
      verifyDigest(bytes, descriptor.digest, key);
      return bytes;
    } catch (err) {
      if (!(err instanceof OciError)) throw err;
      options.metrics?.cacheRequests.inc({ kind: 'manifest', result: 'error' });
      // Once per process: a poisoned shared cache would otherwise flood the log.
      if (!tamperLogged) options.logger?.warn({ key, code: err.code }, 'cached manifest failed its digest check; fetching from the registry');
      tamperLogged = true;
      return undefined;
    }
  };
  const ttls = options.ttls;
  const ahead = ttls ? options.refreshAhead ?? createRefreshAhead() : undefined;
  /** The value of a stamped entry, scheduling its refresh when it is due; undefined for anything else. */
  const fresh = <T>(hit: Stamped<T> | undefined, kind: 'digest' | 'referrers', flightKey: string, load: (signal: AbortSignal) => Promise<unknown>): T | undefined => {
    if (typeof hit !== 'object' || hit === null || typeof hit.t !== 'number' || !('v' in hit)) return undefined;
    if (ahead && ttls && ahead.due(hit.t, ttls[kind] * 1000)) ahead.schedule(flightKey, (s) => flight.do(flightKey, () => load(s), s));
    return hit.v;
  };
  const wrap = (client: OciRegistryClient, scopeKey: string): OciRegistryClient => ({
    async resolve(ref, signal) {
      const key = `${ref.registry}/${ref.repository}${ref.digest ? `@${ref.digest}` : `:${ref.tag ?? 'latest'}`}`;
      const flightKey = `resolve|${scopeKey}|${key}`;
      const load = async (s: AbortSignal) => {
        try {
          const d = await client.resolve(ref, s);
          await cache.set<Stamped<Descriptor>>('digest', key, { v: d, t: Date.now() });
          return d;
        } catch (err) {
          if (err instanceof OciError && err.code === 'NOT_FOUND') await cache.set<NegativeEntry>('negative', `resolve|${key}`, { message: err.message });
          throw err;
        }
      };
      const hit = fresh(await cache.get<Stamped<Descriptor>>('digest', key), 'digest', flightKey, load);
      if (hit) return hit;
      const neg = await cache.get<NegativeEntry>('negative', `resolve|${key}`);
      if (neg) throw new OciError('NOT_FOUND', neg.message, { details: { cached: true } });
      return shared(flightKey, signal, () => load(signal));
    },
    async listReferrers(ref, subject, signal, options) {
      // One unfiltered list per subject serves every artifactType filter. A list read without
      // Cosign's tags is its own entry: it cannot answer a caller that needs them.
      const cosignTags = options?.cosignTags ?? true;
      const key = `${ref.registry}/${ref.repository}@${subject.digest}${cosignTags ? '' : '|no-cosign-tags'}`;
      const type = options?.artifactType;
      const only = (list: readonly ListedReferrer[]) => (type === undefined ? [...list] : list.filter((r) => r.descriptor.artifactType === type));
      const flightKey = `referrers|${scopeKey}|${key}`;
      const load = async (s: AbortSignal) => {
        const all = await client.listReferrers(ref, subject, s, { cosignTags });
        await cache.set<Stamped<ListedReferrer[]>>('referrers', key, { v: all, t: Date.now() });
        return all;
      };
      const hit = fresh(await cache.get<Stamped<ListedReferrer[]>>('referrers', key), 'referrers', flightKey, load);
      if (hit) return only(hit);
      return only(await shared(flightKey, signal, () => load(signal)));
    },
    async fetchManifest(ref, descriptor, signal) {
      // Content-addressed, yet checked again on the way out: the cache may be a shared Redis
      // that someone else can write to, so cached bytes are trusted no more than a registry's.
      const key = `${ref.registry}/${ref.repository}@${descriptor.digest}`;
      const hit = checked(await cache.get<StoredManifest>('manifest', key), descriptor, key);
      if (hit) return { descriptor, bytes: hit };
      return shared(`manifest|${scopeKey}|${key}`, signal, async () => {
        const content = await client.fetchManifest(ref, descriptor, signal);
        await cache.set<StoredManifest>('manifest', key, { b64: Buffer.from(content.bytes).toString('base64') });
        return content;
      });
    },
    fetchBlob: (ref, descriptor, signal) => client.fetchBlob(ref, descriptor, signal),
    getManifest: (ref, signal) => client.getManifest(ref, signal),
    listPlatformManifests: (ref, signal) => client.listPlatformManifests(ref, signal),
  });

  /**
   * Runs `fn` once for all concurrent callers of `key`. If the shared call was cut short by
   * another caller's deadline while this caller still has time, it runs once more on its own.
   */
  function shared<T>(key: string, signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
    return flight.do(key, fn, signal).catch(async (err: unknown) => {
      const aborted = err instanceof OciError && (err.code === 'ABORTED' || err.code === 'DEADLINE_EXCEEDED');
      if (aborted && !signal.aborted) return fn();
      throw err;
    });
  }

  const base = wrap(inner, '');
  return {
    ...base,
    withCredentialScope: (scope: CredentialScope) => wrap(inner.withCredentialScope(scope), scopeId(scope)),
    close: () => {
      ahead?.close();
      return inner.close();
    },
  };
}

function scopeId(scope: CredentialScope): string {
  return JSON.stringify([scope.namespace ?? '', scope.serviceAccountName ?? '', scope.imagePullSecrets ?? []]);
}

