/**
 * Authentication as a decorator around the plain `do(request)` (oras-go's auth.Client): the
 * request goes out with what we already know for the registry; on 401 the `WWW-Authenticate`
 * challenge is parsed, Basic credentials or a Bearer token (distribution token flow) obtained,
 * and the request retried once. Tokens are cached per realm, service, scope and credential
 * until shortly before they expire.
 * https://distribution.github.io/distribution/spec/auth/token/
 * https://distribution.github.io/distribution/spec/auth/oauth/ (identity/refresh tokens)
 *
 * Realm rule (REALM_REFUSED): a token realm must be an https URL, or an http URL whose host is
 * listed in `registries.insecure`. Credentials are therefore never sent in clear text to a host
 * the operator did not list, whatever host a registry's challenge names.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { Cache } from '../cache/types.js';
import { createSingleFlight } from '../cache/single-flight.js';
import type { Credential, CredentialProvider, CredentialScope } from './types.js';
import type { HttpRequest, HttpResponse, HttpTransport } from './http-transport.js';
import { OciError } from './errors.js';
import { parseWwwAuthenticate, type AuthChallenge } from './www-authenticate.js';

export interface AuthRequest extends HttpRequest {
  /** Normalised registry name (`docker.io`): the key credentials are looked up by. */
  readonly registry: string;
  /** Repository the request is about; the token scope is `repository:<it>:pull`. */
  readonly repository: string;
  readonly credentialScope: CredentialScope;
}

export interface AuthTransport {
  do(request: AuthRequest): Promise<HttpResponse>;
}

export interface AuthTransportOptions {
  readonly credentials: CredentialProvider;
  /** Hosts reachable over plain HTTP: an http token realm must be one of them. */
  readonly insecure?: readonly string[];
  /** Where tokens are cached (kind `token`); without it, an in-process map. */
  readonly cache?: Cache;
  readonly logger?: Logger;
  /** Cap on token responses. Default 256 KiB. */
  readonly maxTokenBytes?: number;
}

interface CachedToken { readonly token: string; readonly expiresAt: number }

/** Tokens are considered expired this long before their `expires_in` says. */
const EXPIRY_MARGIN_S = 10;
/** distribution's token spec: "if not set, a default of 60 seconds" applies. */
const DEFAULT_EXPIRES_IN_S = 60;

export function createAuthTransport(inner: HttpTransport, options: AuthTransportOptions): AuthTransport {
  const insecure = new Set(options.insecure ?? []);
  const maxTokenBytes = options.maxTokenBytes ?? 256 * 1024;
  /** The last challenge seen per registry host, so later requests authenticate up front. */
  // Bounded: anyone who can create Pods can name any number of registry hosts.
  const challenges = new LRUCache<string, AuthChallenge>({ max: 1000 });
  const localTokens = new Map<string, CachedToken>();
  const tokenFlight = createSingleFlight();

  async function getCached(key: string): Promise<string | undefined> {
    const hit = options.cache ? await options.cache.get<CachedToken>('token', key) : localTokens.get(key);
    return hit && hit.expiresAt > Date.now() ? hit.token : undefined;
  }
  async function putCached(key: string, value: CachedToken): Promise<void> {
    const ttl = Math.max(1, Math.floor((value.expiresAt - Date.now()) / 1000));
    if (options.cache) await options.cache.set('token', key, value, ttl);
    else {
      if (localTokens.size > 1000) localTokens.clear();
      localTokens.set(key, value);
    }
  }

  async function authorization(req: AuthRequest, challenge: AuthChallenge, cred: Credential | undefined, fresh: boolean): Promise<string | undefined> {
    if (challenge.scheme === 'basic') {
      if (cred?.kind === 'basic') return basicHeader(cred.username, cred.password);
      if (cred?.kind === 'bearer') return `Bearer ${cred.token}`;
      return undefined;
    }
    if (challenge.scheme !== 'bearer') return undefined;
    if (cred?.kind === 'bearer') return `Bearer ${cred.token}`;
    const realm = checkRealm(challenge.params.realm, insecure);
    const service = challenge.params.service ?? '';
    const scope = `repository:${req.repository}:pull`;
    const key = `${realm.href}|${service}|${scope}|${credentialId(cred)}`;
    if (!fresh) {
      const cached = await getCached(key);
      if (cached) return `Bearer ${cached}`;
    }
    const token = await tokenFlight.do(key, async () => {
      const t = await fetchToken(req, realm, service, scope, cred);
      await putCached(key, t);
      return t.token;
    }, req.signal);
    return `Bearer ${token}`;
  }

  async function fetchToken(req: AuthRequest, realm: URL, service: string, scope: string, cred: Credential | undefined): Promise<CachedToken> {
    const url = new URL(realm.href);
    let res: HttpResponse;
    const base = { signal: req.signal, maxBytes: maxTokenBytes, registry: req.registry, operation: 'token' };
    if (cred?.kind === 'identityToken') {
      // OAuth2 refresh-token grant (docker config `identitytoken`).
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: cred.token, service, scope, client_id: 'portcullis' });
      res = await inner.do({ ...base, method: 'POST', url, body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    } else {
      if (service) url.searchParams.set('service', service);
      url.searchParams.append('scope', scope);
      const headers: Record<string, string> = {};
      if (cred?.kind === 'basic') headers.authorization = basicHeader(cred.username, cred.password);
      res = await inner.do({ ...base, method: 'GET', url, headers });
    }
    // The token is copied out of the body; its bytes go back to the budget at once.
    res.release();
    if (res.status === 401 || res.status === 403) {
      throw new OciError('UNAUTHORIZED', `token request to ${realm.host} for ${scope} refused (${res.status}${cred ? '' : ', no credentials configured'})`);
    }
    if (res.status !== 200) throw new OciError('TOKEN_ERROR', `token request to ${realm.host} answered ${res.status}`);
    let json: { token?: unknown; access_token?: unknown; expires_in?: unknown; issued_at?: unknown };
    try { json = JSON.parse(Buffer.from(res.body).toString('utf8')) as typeof json; } catch {
      // No `cause`: JSON.parse's message quotes the body, which may be a token.
      throw new OciError('TOKEN_ERROR', `token response from ${realm.host} is not JSON`);
    }
    const token = typeof json?.token === 'string' && json.token ? json.token : typeof json?.access_token === 'string' ? json.access_token : '';
    if (!token || token.length > maxTokenBytes) throw new OciError('TOKEN_ERROR', `token response from ${realm.host} has no token`);
    const expiresIn = typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in : DEFAULT_EXPIRES_IN_S;
    return { token, expiresAt: Date.now() + Math.max(1, expiresIn - EXPIRY_MARGIN_S) * 1000 };
  }

  return {
    async do(req) {
      const host = req.url.host;
      let cred: Credential | undefined;
      let credLoaded = false;
      const loadCred = async () => {
        if (!credLoaded) { cred = await options.credentials.credentialsFor(req.registry, req.credentialScope, req.signal); credLoaded = true; }
        return cred;
      };

      const known = challenges.get(host);
      let sentAuth = false;
      let headers = { ...req.headers };
      if (known) {
        const a = await authorization(req, known, await loadCred(), false);
        if (a) { headers = { ...headers, authorization: a }; sentAuth = true; }
      }
      let res = await inner.do({ ...req, headers });
      if (res.status !== 401) return res;
      res.release();

      const parsed = parseWwwAuthenticate(res.headers['www-authenticate']);
      const challenge = parsed.find((c) => c.scheme === 'bearer') ?? parsed.find((c) => c.scheme === 'basic');
      if (!challenge) throw new OciError('UNAUTHORIZED', `${req.registry}/${req.repository}: 401 without a usable WWW-Authenticate challenge`);
      const a = await authorization(req, challenge, await loadCred(), sentAuth);
      if (!a) throw new OciError('UNAUTHORIZED', `${req.registry}/${req.repository}: authentication required and no credentials are configured`);
      res = await inner.do({ ...req, headers: { ...req.headers, authorization: a } });
      if (res.status === 401) {
        res.release();
        options.logger?.debug({ registry: req.registry, repository: req.repository }, 'registry refused our credentials');
        throw new OciError('UNAUTHORIZED', `${req.registry}/${req.repository}: credentials refused (401)`);
      }
      // Remembered only once it worked, so later requests authenticate up front.
      challenges.set(host, challenge);
      return res;
    },
  };
}

/** Validates a token realm against the rule in the file comment. */
export function checkRealm(realm: string | undefined, insecure: ReadonlySet<string>): URL {
  if (!realm) throw new OciError('REALM_REFUSED', 'bearer challenge without a realm');
  let url: URL;
  try { url = new URL(realm); } catch { throw new OciError('REALM_REFUSED', `token realm is not a URL: ${JSON.stringify(realm.slice(0, 200))}`); }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && insecure.has(url.host)) return url;
  throw new OciError('REALM_REFUSED', `refusing token realm ${url.protocol}//${url.host}: only https, or http to a host listed in registries.insecure`);
}

function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** A non-reversible id of a credential, so tokens of different credentials never mix. */
function credentialId(cred: Credential | undefined): string {
  if (!cred) return 'anonymous';
  const secret = cred.kind === 'basic' ? `${cred.username}\0${cred.password}` : cred.token;
  return createHash('sha256').update(`${cred.kind}\0${secret}`).digest('hex').slice(0, 32);
}
