/**
 * Portcullis' OCI distribution client ("our oras"): resolve, fetch manifests and blobs, list
 * referrers and platform manifests, over the auth decorator and the pooled HTTP transport.
 * Every body is size-capped and digest-checked. Spec sections cited beside each call.
 * https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md
 */
import type { Logger } from 'pino';
import type { Cache } from '../cache/types.js';
import type { Metrics } from '../observability/metrics.js';
import type {
  CredentialProvider, CredentialScope, Descriptor, FetchedContent, ImageRef, RegistryClient, ScopedRegistryClient,
} from './types.js';
import { MANIFEST_ACCEPT, INDEX_MEDIA_TYPES, OCI_INDEX, OCI_MANIFEST } from './media-types.js';
import { createAuthTransport, type AuthRequest, type AuthTransport } from './auth-transport.js';
import { createHttpTransport, type HttpResponse, type HttpTransport, type HttpTransportStats } from './http-transport.js';
import { createRequestLimits, type ProcessBudget, type RequestLimitOptions } from './create-request-limits.js';
import { createRegistryLabeler } from './registry-label.js';
import { anonymousCredentials } from './credentials/chain-credential-providers.js';
import { OciError } from './errors.js';
import { digestOf, parseDigest, verifyDigest } from './digest.js';
import { apiHost } from './reference.js';
import { parseManifest, type ParsedManifest } from './parse-manifest.js';
import { registryError } from './registry-error.js';
import type { RetryOptions } from './retry-policy.js';
import { listReferrers } from './referrers.js';
import { createReferrersSupportMemory } from './referrers-support.js';

export interface RegistryClientOptions {
  /** Hosts (host[:port]) reached over plain HTTP; every other host over https. */
  readonly insecure?: readonly string[];
  readonly credentials?: CredentialProvider;
  /** Token cache (kind `token`); tag/referrer caching is a decorator, see src/cache/. */
  readonly cache?: Cache;
  readonly metrics?: Pick<Metrics, 'registryRequests' | 'registryRequestDuration'> & Partial<Pick<Metrics, 'registryLoad'>>;
  readonly logger?: Logger;
  /** Cap on manifests, indexes and referrer pages. Default 4 MiB (distribution's own limit). */
  readonly maxManifestBytes?: number;
  /** Cap on blobs. Default 64 MiB. */
  readonly maxBlobBytes?: number;
  /** Concurrent connections per registry. Default 16. */
  readonly maxConcurrencyPerRegistry?: number;
  readonly retry?: Partial<RetryOptions>;
  /** Bound on referrers API pages followed through `Link`. Default 10. */
  readonly maxReferrerPages?: number;
  /** Per-request socket timeouts (the caller's signal normally ends a request first). Default 30 s. */
  readonly timeoutMs?: number;
  /** Registry origins with open connection pools at once (LRU). Default 64. */
  readonly maxOrigins?: number;
  /** Byte and connection budgets per admission request and in total; default DEFAULT_REQUEST_LIMITS. */
  readonly limits?: Partial<RequestLimitOptions>;
  /** The process's share of `limits`, common to every client built on it (the server: one per process); default the client's own. */
  readonly processBudget?: ProcessBudget;
  /** Registries that keep their name in metric labels (all others are `other`); default the insecure list. */
  readonly metricRegistries?: readonly string[];
}

/**
 * Blobs are held against the byte budget at this multiple of their size: a verifier decodes
 * the bytes to text and parses them while they are held (measured on a 15 MiB SPDX SBOM: text
 * 1x, parsed value 0.4x; parseBoundedJson refuses documents whose parsed form would be larger).
 */
export const BLOB_HOLD_FACTOR = 3;

/** A manifest fetched by reference, its bytes checked against the digest the registry gave. */
export interface FetchedManifest extends FetchedContent {
  readonly parsed: ParsedManifest;
}

export interface PlatformManifests {
  /** The manifest or index the reference resolved to. */
  readonly descriptor: Descriptor;
  /** The platform manifests of an index (attestation entries with platform `unknown` left out); `[descriptor]` for a plain manifest. */
  readonly manifests: readonly Descriptor[];
}

/** The registry client plus the calls validation needs beyond the shared port. */
export interface OciRegistryClient extends RegistryClient {
  /** GET a manifest by tag or digest, digest-checked and parsed. */
  getManifest(ref: ImageRef, signal: AbortSignal): Promise<FetchedManifest>;
  /** The platform manifests of a multi-arch index. */
  listPlatformManifests(ref: ImageRef, signal: AbortSignal): Promise<PlatformManifests>;
}

export interface PortcullisRegistryClient extends OciRegistryClient, ScopedRegistryClient {
  withCredentialScope(scope: CredentialScope): OciRegistryClient;
  /** Closes pooled connections. */
  close(): Promise<void>;
  /** Pools, sockets and budgets in use (tests, the benchmark); decorators may not expose it. */
  stats?(): HttpTransportStats;
}

/** Internal per-repository request helper shared by the client and the referrers lister. */
export interface RepositoryRequester {
  readonly registry: string;
  readonly repository: string;
  readonly maxManifestBytes: number;
  readonly maxReferrerPages: number;
  /** Base URL of the repository: `https://host/v2/<name>/`. */
  readonly base: URL;
  send(operation: string, method: 'GET' | 'HEAD', url: URL, accept: readonly string[] | undefined, maxBytes: number, signal: AbortSignal, held?: { holdFactor?: number; sizeKnown?: boolean }): Promise<HttpResponse>;
  /** Resolves a tag or digest to a descriptor; `undefined` for 404 when `optional`. */
  resolve(reference: string, operation: string, signal: AbortSignal, optional: boolean): Promise<Descriptor | undefined>;
  get(reference: string, operation: string, signal: AbortSignal, optional: boolean): Promise<FetchedManifest | undefined>;
}

export function createRegistryClient(options: RegistryClientOptions = {}): PortcullisRegistryClient {
  const insecure = new Set(options.insecure ?? []);
  const maxManifestBytes = options.maxManifestBytes ?? 4 * 1024 * 1024;
  const maxBlobBytes = options.maxBlobBytes ?? 64 * 1024 * 1024;
  const maxReferrerPages = options.maxReferrerPages ?? 10;
  const http: HttpTransport = createHttpTransport({
    insecure: [...insecure],
    ...(options.maxConcurrencyPerRegistry !== undefined ? { maxConcurrencyPerRegistry: options.maxConcurrencyPerRegistry } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.maxOrigins !== undefined ? { maxOrigins: options.maxOrigins } : {}),
    limits: createRequestLimits(options.limits, options.processBudget),
    registryLabel: createRegistryLabeler([...insecure, ...(options.metricRegistries ?? [])]),
  });
  const auth: AuthTransport = createAuthTransport(http, {
    credentials: options.credentials ?? anonymousCredentials,
    insecure: [...insecure],
    ...(options.cache ? { cache: options.cache } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  /** Which referrers mechanism each registry supports, learnt on use (oras-go does the same); bounded, expiring. */
  const referrersSupport = createReferrersSupportMemory();

  function repo(ref: ImageRef, scope: CredentialScope): RepositoryRequester {
    const host = apiHost(ref.registry);
    const scheme = insecure.has(host) || insecure.has(ref.registry) ? 'http' : 'https';
    const base = new URL(`${scheme}://${host}/v2/${ref.repository}/`);
    const what = (reference: string) => `${ref.registry}/${ref.repository}${reference.includes(':') ? '@' : ':'}${reference}`;

    const send: RepositoryRequester['send'] = (operation, method, url, accept, maxBytes, signal, held) => {
      const req: AuthRequest = {
        method, url, signal, maxBytes, holdFactor: held?.holdFactor, sizeKnown: held?.sizeKnown, operation, registry: ref.registry, repository: ref.repository, credentialScope: scope,
        headers: accept ? { accept: accept.join(', ') } : {},
      };
      return auth.do(req);
    };

    async function get(reference: string, operation: string, signal: AbortSignal, optional: boolean): Promise<FetchedManifest | undefined> {
      // GET /v2/<name>/manifests/<reference> (spec "Pulling manifests").
      const res = await send(operation, 'GET', new URL(`manifests/${reference}`, base), MANIFEST_ACCEPT, maxManifestBytes, signal);
      // The caller owns the byte budget of what is returned (`release`); anything else is released here.
      return heldUnlessThrown(res, () => {
        if (res.status === 404 && optional) { res.release(); return undefined; }
        if (res.status !== 200) throw registryError(res, what(reference));
        const mediaType = contentType(res);
        checkManifestType(mediaType, what(reference));
        const announced = res.headers['docker-content-digest'];
        const expected = isDigest(reference) ? reference : announced;
        let digest: string;
        if (expected) {
          verifyDigest(res.body, expected, what(reference));
          if (announced && announced !== expected) throw new OciError('DIGEST_MISMATCH', `${what(reference)}: registry announced ${announced}`);
          digest = expected;
        } else {
          digest = digestOf(res.body);
        }
        const parsed = parseManifest(res.body, mediaType, what(reference));
        // Without a Content-Type, the body's own mediaType (or its shape) names it.
        const body = parsed.kind === 'index' ? parsed.index : parsed.manifest;
        const type = mediaType ?? body.mediaType ?? (parsed.kind === 'index' ? OCI_INDEX : OCI_MANIFEST);
        return { descriptor: { mediaType: type, digest, size: res.body.length }, bytes: res.body, parsed, release: res.release };
      });
    }

    async function resolve(reference: string, operation: string, signal: AbortSignal, optional: boolean): Promise<Descriptor | undefined> {
      // HEAD first: one round trip, no body (spec "Checking if content exists in the registry").
      const res = await send(operation, 'HEAD', new URL(`manifests/${reference}`, base), MANIFEST_ACCEPT, maxManifestBytes, signal);
      res.release(); // a HEAD holds no body
      if (res.status === 404 && optional) return undefined;
      // HEAD answers carry no error body; these statuses will not change on a GET.
      if ([401, 403, 404, 429].includes(res.status) || res.status >= 500) throw registryError(res, what(reference));
      if (res.status === 200) {
        const mediaType = contentType(res);
        const size = Number(res.headers['content-length']);
        const announced = res.headers['docker-content-digest'];
        if (mediaType && Number.isSafeInteger(size) && size >= 0 && (announced || isDigest(reference))) {
          checkManifestType(mediaType, what(reference));
          if (size > maxManifestBytes) throw new OciError('SIZE_EXCEEDED', `${what(reference)}: manifest of ${size} bytes is over the ${maxManifestBytes} byte limit`);
          if (announced) {
            try { parseDigest(announced); } catch (err) { throw new OciError('UNEXPECTED_RESPONSE', `${what(reference)}: bad Docker-Content-Digest`, { cause: err }); }
            if (isDigest(reference) && announced !== reference) throw new OciError('DIGEST_MISMATCH', `${what(reference)}: registry announced ${announced}`);
          }
          return { mediaType, digest: announced ?? reference, size };
        }
      }
      // No usable HEAD answer (no digest header, 405, …): GET and hash the body ourselves.
      const fetched = await get(reference, operation, signal, optional);
      fetched?.release?.();
      return fetched?.descriptor;
    }

    return { registry: ref.registry, repository: ref.repository, maxManifestBytes, maxReferrerPages, base, send, resolve, get };
  }

  function bind(scope: CredentialScope): OciRegistryClient {
    return {
      async resolve(ref, signal) {
        const reference = ref.digest ?? ref.tag ?? 'latest';
        return (await repo(ref, scope).resolve(reference, 'resolve', signal, false))!;
      },
      async getManifest(ref, signal) {
        return (await repo(ref, scope).get(ref.digest ?? ref.tag ?? 'latest', 'manifest', signal, false))!;
      },
      async fetchManifest(ref, descriptor, signal) {
        const what = `${ref.registry}/${ref.repository}@${descriptor.digest}`;
        parseDigest(descriptor.digest);
        if (descriptor.size > maxManifestBytes) throw new OciError('SIZE_EXCEEDED', `${what}: manifest of ${descriptor.size} bytes is over the ${maxManifestBytes} byte limit`);
        const r = repo(ref, scope);
        const accept = [descriptor.mediaType, ...MANIFEST_ACCEPT.filter((t) => t !== descriptor.mediaType)];
        const res = await r.send('manifest', 'GET', new URL(`manifests/${descriptor.digest}`, r.base), accept, Math.max(descriptor.size, 0), signal, { sizeKnown: true });
        return heldUnlessThrown(res, () => {
          if (res.status !== 200) throw registryError(res, what);
          verifyDigest(res.body, descriptor.digest, what);
          parseManifest(res.body, contentType(res), what);
          return { descriptor, bytes: res.body, release: res.release };
        });
      },
      async fetchBlob(ref, descriptor, signal) {
        // GET /v2/<name>/blobs/<digest> (spec "Pulling blobs"); redirects to storage are followed.
        const what = `${ref.registry}/${ref.repository}@${descriptor.digest}`;
        parseDigest(descriptor.digest);
        if (descriptor.size > maxBlobBytes) throw new OciError('SIZE_EXCEEDED', `${what}: blob of ${descriptor.size} bytes is over the ${maxBlobBytes} byte limit`);
        const r = repo(ref, scope);
        const res = await r.send('blob', 'GET', new URL(`blobs/${descriptor.digest}`, r.base), undefined, Math.max(descriptor.size, 0), signal, { holdFactor: BLOB_HOLD_FACTOR, sizeKnown: true });
        return heldUnlessThrown(res, () => {
          if (res.status !== 200) throw registryError(res, what);
          verifyDigest(res.body, descriptor.digest, what);
          return { descriptor, bytes: res.body, release: res.release };
        });
      },
      listReferrers(ref, subject, signal, opts) {
        return listReferrers(repo(ref, scope), referrersSupport, subject, signal, opts?.artifactType, opts?.cosignTags ?? true);
      },
      async listPlatformManifests(ref, signal) {
        const m = await this.getManifest(ref, signal);
        m.release?.(); // only the parsed descriptors are kept
        if (m.parsed.kind !== 'index') return { descriptor: m.descriptor, manifests: [m.descriptor] };
        const manifests = m.parsed.index.manifests.filter((d) => !INDEX_MEDIA_TYPES.includes(d.mediaType) && d.platform?.os !== 'unknown');
        return { descriptor: m.descriptor, manifests };
      },
    };
  }

  const unscoped = bind({});
  return {
    ...unscoped,
    withCredentialScope: (scope) => bind(scope),
    close: () => http.close(),
    stats: () => http.stats(),
  };
}

/** Runs `fn` on a response; if it throws, the response's byte budget is given back first. */
function heldUnlessThrown<T>(res: HttpResponse, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    res.release();
    throw err;
  }
}

function contentType(res: HttpResponse): string | undefined {
  return res.headers['content-type']?.split(';')[0]?.trim() || undefined;
}

function checkManifestType(mediaType: string | undefined, what: string): void {
  if (mediaType && !(MANIFEST_ACCEPT as readonly string[]).includes(mediaType)) {
    throw new OciError('UNSUPPORTED_MEDIA_TYPE', `${what}: unsupported manifest media type ${JSON.stringify(mediaType.slice(0, 100))}`);
  }
}

function isDigest(reference: string): boolean {
  return reference.includes(':');
}
