/**
 * The plain `do(request)` every registry call goes through (oras-go's `remote.Client` without
 * auth): pooled keep-alive connections per registry (a bounded LRU of undici Pools, see
 * create-pool-set.ts), size-capped bodies held against the byte budgets of create-request-limits.ts,
 * outbound requests capped per admission request and in total, bounded redirects, retries with
 * backoff on 429/5xx honouring `Retry-After` inside the caller's deadline, and the registry
 * metrics labelled by configured registry or `other` (SPEC "Registry access", "Metrics").
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import type { Metrics } from '../observability/metrics.js';
import { deadlineOf } from './deadline.js';
import { OciError } from './errors.js';
import { createPoolSet, type PoolSet, type PoolSetStats } from './create-pool-set.js';
import { createRequestLimits, type ContentLease, type RequestLimits } from './create-request-limits.js';
import { createRegistryLabeler, type RegistryLabeler } from './registry-label.js';
import { DEFAULT_RETRY, backoffDelay, isRetryableStatus, parseRetryAfter, type RetryOptions } from './retry-policy.js';

export interface HttpRequest {
  readonly method: 'GET' | 'HEAD' | 'POST';
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal: AbortSignal;
  /** Cap on a successful (2xx) body; error bodies are always capped at 64 KiB. */
  readonly maxBytes: number;
  /**
   * The byte budget held for a successful body is its length times this (default 1): blobs are
   * decoded and parsed by verifiers while they are held, which costs more than their bytes.
   */
  readonly holdFactor?: number | undefined;
  /**
   * `maxBytes` is the exact size expected (a descriptor's): the budget is reserved before the
   * request is sent. An error body (64 KiB at most) is read within that reservation.
   */
  readonly sizeKnown?: boolean | undefined;
  /** Metric labels. */
  readonly registry: string;
  readonly operation: string;
}

export interface HttpResponse {
  readonly status: number;
  /** Lower-cased names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Uint8Array;
  /** The URL that answered (after redirects). */
  readonly url: URL;
  /**
   * Gives back the byte budget held for `body` (idempotent). Call it once the body, and what
   * was parsed from it, are no longer held; the end of the admission request releases it too.
   */
  release(): void;
}

export interface HttpTransport {
  do(request: HttpRequest): Promise<HttpResponse>;
  close(): Promise<void>;
  /** Pools, sockets and budgets in use (tests, the benchmark). */
  stats(): HttpTransportStats;
}

export interface HttpTransportStats extends Partial<PoolSetStats>, ReturnType<RequestLimits['stats']> {}

export interface HttpTransportOptions {
  /** Hosts (host[:port]) that may be reached over plain HTTP. */
  readonly insecure?: readonly string[];
  /** Concurrent connections (and so requests) per registry origin. Default 16. */
  readonly maxConcurrencyPerRegistry?: number;
  /** Registry origins with open pools at once (LRU). Default 64. */
  readonly maxOrigins?: number;
  /** Byte and connection budgets; default DEFAULT_REQUEST_LIMITS. */
  readonly limits?: RequestLimits;
  /** The metric label of a registry; default: hosts in `insecure` keep their name, others are `other`. */
  readonly registryLabel?: RegistryLabeler;
  readonly retry?: Partial<RetryOptions>;
  readonly metrics?: Pick<Metrics, 'registryRequests' | 'registryRequestDuration'> & Partial<Pick<Metrics, 'registryLoad'>>;
  /** Per-request connect/headers/body timeouts in ms (the caller's signal usually ends it first). Default 30 s. */
  readonly timeoutMs?: number;
  /** For tests: a dispatcher to use instead of the pooled Agent. */
  readonly dispatcher?: Dispatcher;
}

const ERROR_BODY_MAX = 64 * 1024;
const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export function createHttpTransport(options: HttpTransportOptions = {}): HttpTransport {
  const insecure = new Set(options.insecure ?? []);
  const retry: RetryOptions = { ...DEFAULT_RETRY, ...options.retry };
  const timeoutMs = options.timeoutMs ?? 30_000;
  const limits = options.limits ?? createRequestLimits();
  const pools: PoolSet | undefined = options.dispatcher === undefined
    ? createPoolSet({ maxOrigins: options.maxOrigins ?? 64, connectionsPerOrigin: options.maxConcurrencyPerRegistry ?? 64, maxSockets: limits.options.maxConnections, timeoutMs })
    : undefined;
  const dispatcher: Dispatcher = options.dispatcher ?? pools!;
  const keepAliveBelow = Math.max(1, Math.floor(limits.options.maxConnections / 2));
  const label = options.registryLabel ?? createRegistryLabeler(insecure);
  const stats = (): HttpTransportStats => ({ ...pools?.stats(), ...limits.stats() });
  const unregisterLoad = options.metrics?.registryLoad?.(stats);

  async function once(req: HttpRequest, url: URL, headers: Record<string, string>): Promise<HttpResponse> {
    if (url.protocol === 'http:' && !insecure.has(url.host)) {
      throw new OciError('UNEXPECTED_RESPONSE', `refusing plain HTTP to ${url.host}: not listed in registries.insecure`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OciError('UNEXPECTED_RESPONSE', `unsupported URL scheme ${url.protocol}`);
    const what = `${req.operation} ${url.host}`;
    // A body of known size (blobs, manifests fetched by descriptor) is reserved before the
    // request goes out, so a wait for memory holds no socket; any other once its length is known.
    let lease: ContentLease | undefined = req.sizeKnown && req.method !== 'HEAD'
      ? await limits.reserveBytes(req.signal, req.maxBytes * (req.holdFactor ?? 1), what)
      : undefined;
    let releaseConnection: () => void;
    try {
      // One socket per request in flight (HTTP/1.1): the slot bounds sockets per admission request and in total.
      releaseConnection = await limits.acquireConnection(req.signal, what);
    } catch (err) {
      lease?.release();
      throw err;
    }
    const started = performance.now();
    let status = 'error';
    try {
      const res = await dispatcher.request({
        origin: url.origin, path: `${url.pathname}${url.search}`, method: req.method,
        headers, body: req.body, signal: req.signal,
        // Idle keep-alive sockets of many registries add up: past half the socket bound, a
        // socket is closed after its response instead of kept for the next one.
        reset: pools !== undefined && pools.mayHaveSockets(keepAliveBelow),
      });
      status = String(res.statusCode);
      const h = normaliseHeaders(res.headers);
      const ok = res.statusCode >= 200 && res.statusCode < 300;
      const cap = ok ? req.maxBytes : ERROR_BODY_MAX;
      const rawLength = h['content-length'] !== undefined ? Number(h['content-length']) : undefined;
      const declared = rawLength !== undefined && Number.isSafeInteger(rawLength) && rawLength >= 0 ? rawLength : undefined;
      if (ok && req.method !== 'HEAD' && declared !== undefined && declared > cap) {
        discard(res.body);
        throw new OciError('SIZE_EXCEEDED', `${req.operation} ${url.pathname}: body of ${declared} bytes is over the ${cap} byte limit`);
      }
      if (req.method === 'HEAD') {
        await res.body.dump();
        return { status: res.statusCode, headers: h, body: new Uint8Array(), url, release: () => undefined };
      }
      if (lease === undefined) {
        // Held from here until the consumer releases it: what it declares, else all it may send.
        const hold = Math.min(cap, declared ?? cap) * (ok ? req.holdFactor ?? 1 : 1);
        try {
          lease = await limits.reserveBytes(req.signal, hold, what);
        } catch (err) {
          discard(res.body);
          throw err;
        }
      }
      const body = await readCapped(res.body, cap, ok, `${req.operation} ${url.pathname}`, declared);
      const held = lease;
      lease = undefined;
      return { status: res.statusCode, headers: h, body, url, release: () => held.release() };
    } finally {
      lease?.release();
      releaseConnection();
      const labels = { registry: label(req.registry), operation: req.operation };
      options.metrics?.registryRequests.inc({ ...labels, status });
      options.metrics?.registryRequestDuration.observe(labels, (performance.now() - started) / 1000);
    }
  }

  /** One logical request: follows redirects (dropping credentials across origins). */
  async function withRedirects(req: HttpRequest): Promise<HttpResponse> {
    let url = req.url;
    let headers: Record<string, string> = { ...req.headers };
    for (let hop = 0; ; hop++) {
      const res = await once(req, url, headers);
      const location = res.headers.location;
      if (!REDIRECTS.has(res.status) || !location || req.method === 'POST') return res;
      res.release();
      if (hop >= MAX_REDIRECTS) throw new OciError('TOO_MANY_REDIRECTS', `${req.operation}: more than ${MAX_REDIRECTS} redirects from ${req.url.host}`);
      let next: URL;
      try { next = new URL(location, url); } catch { throw new OciError('UNEXPECTED_RESPONSE', `${req.operation}: invalid redirect location`); }
      // Blob redirects to storage/CDN hosts are normal; the registry's credentials never follow them.
      if (next.origin !== url.origin) {
        const { authorization: _dropped, ...rest } = headers;
        void _dropped;
        headers = rest;
      }
      url = next;
    }
  }

  return {
    async do(req) {
      for (let attempt = 1; ; attempt++) {
        throwIfAborted(req.signal, req);
        let res: HttpResponse;
        try {
          res = await withRedirects(req);
        } catch (err) {
          if (req.signal.aborted) throw abortError(req, err);
          if (err instanceof OciError) throw err;
          // Network errors: retry idempotent requests like 5xx — but not TLS failures, which
          // a retry cannot fix (wrong CA, plain HTTP answering a TLS handshake, …).
          if (attempt >= retry.maxAttempts || req.method === 'POST' || isTlsError(err)) {
            throw new OciError('NETWORK_ERROR', `${req.operation} ${req.url.host}: ${(err as Error).message}`, { cause: err });
          }
          await wait(req, backoffDelay(attempt, retry));
          continue;
        }
        if (!isRetryableStatus(res.status) || attempt >= retry.maxAttempts) return res;
        res.release();
        const retryAfter = parseRetryAfter(res.headers['retry-after']);
        const delay = backoffDelay(attempt, retry, retryAfter);
        const code = res.status === 429 ? 'TOO_MANY_REQUESTS' : 'REGISTRY_ERROR';
        if (retryAfter !== undefined && retryAfter > retry.maxRetryAfterMs) {
          throw new OciError(code, `${req.operation} ${req.url.host}: ${res.status}, Retry-After ${Math.round(retryAfter / 1000)}s is longer than the ${retry.maxRetryAfterMs / 1000}s we wait`, { details: { status: res.status } });
        }
        const deadline = deadlineOf(req.signal);
        if (deadline !== undefined && Date.now() + delay >= deadline) {
          // Waiting would only end in an abort: fail now with the registry's answer.
          throw new OciError(code, `${req.operation} ${req.url.host}: ${res.status}; retrying after ${delay} ms would pass the request deadline`, { details: { status: res.status } });
        }
        await wait(req, delay);
      }
    },
    async close() {
      unregisterLoad?.();
      await pools?.close();
    },
    stats,
  };
}

function isTlsError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /SSL|TLS|CERT|EPROTO/.test(code);
}

async function wait(req: HttpRequest, ms: number): Promise<void> {
  try {
    await sleep(ms, undefined, { signal: req.signal });
  } catch (err) {
    throw abortError(req, err);
  }
}

function throwIfAborted(signal: AbortSignal, req: HttpRequest): void {
  if (signal.aborted) throw abortError(req, signal.reason);
}

function abortError(req: HttpRequest, cause: unknown): OciError {
  const reason: unknown = req.signal.reason;
  const deadline = deadlineOf(req.signal);
  const timedOut = (reason instanceof Error && reason.name === 'TimeoutError') || (deadline !== undefined && Date.now() >= deadline - 5);
  return timedOut
    ? new OciError('DEADLINE_EXCEEDED', `${req.operation} ${req.url.host}: the request deadline passed`, { cause })
    : new OciError('ABORTED', `${req.operation} ${req.url.host}: aborted`, { cause });
}

function normaliseHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(raw)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** Drops a body we will not read (closing its connection); its abort error is expected, not a crash. */
function discard(body: { destroy(): unknown; on?(event: 'error', fn: () => void): unknown }): void {
  body.on?.('error', () => undefined);
  body.destroy();
}

/**
 * Reads a body up to `cap` bytes. With a declared length the bytes go straight into one buffer
 * of that size, so a large body is never held twice (chunks + their concatenation).
 */
async function readCapped(body: AsyncIterable<Uint8Array> & { destroy(): unknown; on?(event: 'error', fn: () => void): unknown }, cap: number, enforce: boolean, what: string, declared?: number): Promise<Uint8Array> {
  const into = declared !== undefined && declared <= cap ? Buffer.allocUnsafe(declared) : undefined;
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    if (total + chunk.length > cap) {
      discard(body);
      if (enforce) throw new OciError('SIZE_EXCEEDED', `${what}: body is over the ${cap} byte limit`);
      break;
    }
    if (into && total + chunk.length <= into.length) into.set(chunk, total);
    else chunks.push(chunk);
    total += chunk.length;
  }
  if (into && chunks.length === 0) return total === into.length ? into : into.subarray(0, total);
  return Buffer.concat(into ? [into.subarray(0, Math.min(total, into.length)), ...chunks] : chunks);
}
