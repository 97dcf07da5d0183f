/**
 * Certificate revocation evaluation of the Notary Project trust policy spec
 * (https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#certificate-revocation-evaluation),
 * for the signing chain and the timestamping chain:
 *   - from root to leaf, each certificate that publishes OCSP or CRL information is checked;
 *     one that publishes neither is considered not revoked; a self-signed root is not checked
 *     (nothing but itself could vouch for it);
 *   - OCSP is preferred; when it cannot tell (responder down, error, `unknown`, a response that
 *     does not verify), the CRL is used; each URL is tried in order until one answers;
 *   - any certificate revoked → REVOKED; any whose status cannot be determined →
 *     REVOCATION_UNKNOWN. The trust policy's level decides whether that is enforced or logged.
 *   - a revoked certificate with an invalidity date later than the signature's trusted
 *     timestamp signed before it became invalid, and counts as not revoked.
 * Fetches go through the injected RevocationFetcher, only to http(s) URLs the certificate
 * names, only to allowed hosts, inside the caller's deadline; verified statuses are cached
 * until their nextUpdate. The certificates of one chain are checked concurrently.
 */
import { createHash, type X509Certificate } from 'node:crypto';
import { failed, passed, type CheckFinding } from '../checks/check-result.js';
import { oneLineName } from '../x509/describe-certificate.js';
import { isSelfSigned } from '../x509/is-issued-by.js';
import { buildOcspRequest } from './build-ocsp-request.js';
import { readCertificateParts, type CertificateParts } from './certificate-parts.js';
import { checkCrl } from './check-crl.js';
import { checkOcspResponse } from './check-ocsp-response.js';
import type { CachedRevocation, RevocationCache } from './revocation-cache.js';
import type { RevocationFetcher } from './revocation-fetcher.js';
import type { RevocationOptions } from './revocation-options.js';
import type { RevocationStatus } from './revocation-status.js';

export interface RevocationContext {
  readonly fetcher?: RevocationFetcher | undefined;
  readonly cache: RevocationCache;
  readonly options: RevocationOptions;
  readonly now: Date;
  readonly signal: AbortSignal;
  /** Metrics hook: one call per fetch outcome and per cache lookup (bounded labels). */
  readonly observe?: ((event: RevocationEvent) => void) | undefined;
}

export type RevocationEvent =
  | { readonly type: 'fetch'; readonly kind: 'ocsp' | 'crl'; readonly result: 'success' | 'failure' | 'refused' }
  | { readonly type: 'cache'; readonly result: 'hit' | 'miss' };

/** One certificate's revocation outcome, for `details.revocation`. */
export interface CertificateRevocation {
  readonly chain: 'signing' | 'timestamping';
  readonly subject: string;
  readonly status: 'good' | 'revoked' | 'unknown' | 'notPublished' | 'root';
  readonly source?: 'ocsp' | 'crl' | 'cache' | undefined;
  readonly nextUpdate?: string | undefined;
  readonly revokedAt?: string | undefined;
  readonly reason?: string | undefined;
  /** Why sources could not tell, in the order tried. */
  readonly problems?: readonly string[] | undefined;
}

export interface ChainRevocationReport {
  readonly finding: CheckFinding;
  readonly certificates: readonly CertificateRevocation[];
  /** The earliest nextUpdate of the statuses relied on: the outcome holds until then. */
  readonly validUntil?: Date | undefined;
}

export interface ChainToCheck {
  readonly role: 'signing' | 'timestamping';
  /** Leaf first, as in the envelope. */
  readonly chain: readonly X509Certificate[];
}

const MAX_PROBLEMS = 6;

export async function checkChainRevocation(chains: readonly ChainToCheck[], timestamp: Date | undefined, ctx: RevocationContext): Promise<ChainRevocationReport> {
  const jobs = chains.flatMap(({ role, chain }) => [...chain.keys()].reverse().map((i) => ({ role, cert: chain[i] as X509Certificate, issuer: chain[i + 1] })));
  const certificates = await Promise.all(jobs.map((j) => checkCertificate(j.role, j.cert, j.issuer, timestamp, ctx)));
  const validUntil = certificates.reduce<Date | undefined>((min, c) => {
    if (!c.nextUpdate || (c.status !== 'good' && c.status !== 'revoked')) return min;
    const t = new Date(c.nextUpdate);
    return !min || t < min ? t : min;
  }, undefined);
  const revoked = certificates.filter((c) => c.status === 'revoked');
  const unknown = certificates.filter((c) => c.status === 'unknown');
  const name = (c: CertificateRevocation) => `${c.chain === 'timestamping' ? 'timestamping ' : ''}certificate "${c.subject}"`;
  let finding: CheckFinding;
  if (revoked.length > 0) {
    finding = failed('REVOKED', revoked.map((c) => `${name(c)} is revoked (${c.source}${c.reason ? `, ${c.reason}` : ''}, since ${c.revokedAt})`).join('; '));
  } else if (unknown.length > 0) {
    finding = failed('REVOCATION_UNKNOWN', unknown.map((c) => `revocation status of ${name(c)} cannot be determined: ${(c.problems ?? []).join('; ')}`).join('; '));
  } else {
    const checked = certificates.filter((c) => c.status === 'good').length;
    finding = passed(checked === 0 ? 'no certificate publishes revocation information (CRL or OCSP): considered not revoked' : `${checked} certificate(s) checked: not revoked`);
  }
  return { finding, certificates, ...(validUntil ? { validUntil } : {}) };
}

async function checkCertificate(role: 'signing' | 'timestamping', cert: X509Certificate, issuer: X509Certificate | undefined, timestamp: Date | undefined, ctx: RevocationContext): Promise<CertificateRevocation> {
  const subject = oneLineName(cert.subject);
  const base = { chain: role, subject };
  let parts: CertificateParts;
  try {
    parts = readCertificateParts(cert);
  } catch (err) {
    return { ...base, status: 'unknown', problems: [`its extensions cannot be read: ${(err as Error).message}`] };
  }
  if (!issuer && isSelfSigned(cert)) return { ...base, status: 'root' };
  if (parts.ocspUrls.length === 0 && parts.crlUrls.length === 0) return { ...base, status: 'notPublished' };
  if (!issuer) return { ...base, status: 'unknown', problems: ['its issuer is not in the chain'] };

  const key = `${sha256(cert.raw)}:${sha256(issuer.raw)}`;
  const cached = ctx.cache.get(key);
  if (cached && (!cached.status.nextUpdate || cached.status.nextUpdate.getTime() >= ctx.now.getTime())) {
    ctx.observe?.({ type: 'cache', result: 'hit' });
    return outcome(base, cached.status, 'cache', timestamp);
  }
  ctx.observe?.({ type: 'cache', result: 'miss' });
  if (!ctx.options.fetch || !ctx.fetcher) {
    return { ...base, status: 'unknown', problems: ['fetching revocation information is turned off (revocation.fetch)'] };
  }
  const problems: string[] = [];
  const found = (await viaOcsp(cert, issuer, parts, ctx, problems)) ?? (await viaCrl(issuer, parts, ctx, problems));
  if (!found) return { ...base, status: 'unknown', problems: problems.slice(0, MAX_PROBLEMS) };
  ctx.cache.set(key, found, found.status.nextUpdate, ctx.now);
  return { ...outcome(base, found.status, found.source, timestamp), ...(problems.length > 0 ? { problems: problems.slice(0, MAX_PROBLEMS) } : {}) };
}

function outcome(base: { chain: 'signing' | 'timestamping'; subject: string }, s: RevocationStatus, source: 'ocsp' | 'crl' | 'cache', timestamp: Date | undefined): CertificateRevocation {
  const nextUpdate = s.nextUpdate?.toISOString();
  if (s.status === 'good') return { ...base, status: 'good', source, ...(nextUpdate ? { nextUpdate } : {}) };
  // Signed (and timestamped) before the key became invalid: the signature stands.
  if (s.invalidityDate && timestamp && timestamp < s.invalidityDate) {
    return { ...base, status: 'good', source, ...(nextUpdate ? { nextUpdate } : {}), reason: `revoked with invalidity date ${s.invalidityDate.toISOString()}, after the signature's timestamp` };
  }
  return { ...base, status: 'revoked', source, revokedAt: s.revokedAt.toISOString(), ...(s.reason ? { reason: s.reason } : {}), ...(nextUpdate ? { nextUpdate } : {}) };
}

async function viaOcsp(cert: X509Certificate, issuer: X509Certificate, parts: CertificateParts, ctx: RevocationContext, problems: string[]): Promise<CachedRevocation | undefined> {
  for (const url of parts.ocspUrls) {
    if (refused(url, 'ocsp', ctx, problems)) continue;
    const request = buildOcspRequest(cert, issuer);
    try {
      const body = await ctx.fetcher!.fetch({ url, kind: 'ocsp', body: request.der, timeoutMs: ctx.options.ocspTimeoutMs, maxBytes: ctx.options.maxOcspBytes }, ctx.signal);
      ctx.observe?.({ type: 'fetch', kind: 'ocsp', result: 'success' });
      const status = checkOcspResponse(body, { certId: request.certId, issuer, nonce: request.nonce, now: ctx.now, maxAgeWithoutNextUpdateMs: ctx.options.ocspMaxAgeSeconds * 1000 });
      return { status, source: 'ocsp' };
    } catch (err) {
      if (isFetchError(err)) ctx.observe?.({ type: 'fetch', kind: 'ocsp', result: 'failure' });
      problems.push(`OCSP ${clip(url)}: ${describe(err)}`);
      if (ctx.signal.aborted) return undefined;
    }
  }
  return undefined;
}

async function viaCrl(issuer: X509Certificate, parts: CertificateParts, ctx: RevocationContext, problems: string[]): Promise<CachedRevocation | undefined> {
  if (ctx.signal.aborted) return undefined;
  let issuerParts: CertificateParts;
  try {
    issuerParts = readCertificateParts(issuer);
  } catch (err) {
    problems.push(`the issuer's extensions cannot be read: ${(err as Error).message}`);
    return undefined;
  }
  for (const url of parts.crlUrls) {
    if (refused(url, 'crl', ctx, problems)) continue;
    try {
      const body = await ctx.fetcher!.fetch({ url, kind: 'crl', timeoutMs: ctx.options.crlTimeoutMs, maxBytes: ctx.options.maxCrlBytes }, ctx.signal);
      ctx.observe?.({ type: 'fetch', kind: 'crl', result: 'success' });
      return { status: checkCrl(body, { cert: parts, issuer, issuerParts, now: ctx.now }), source: 'crl' };
    } catch (err) {
      if (isFetchError(err)) ctx.observe?.({ type: 'fetch', kind: 'crl', result: 'failure' });
      problems.push(`CRL ${clip(url)}: ${describe(err)}`);
      if (ctx.signal.aborted) return undefined;
    }
  }
  return undefined;
}

/** Records why `url` is not fetched, if it is not. */
function refused(url: string, kind: 'ocsp' | 'crl', ctx: RevocationContext, problems: string[]): boolean {
  const refusal = refuse(url, ctx.options);
  if (!refusal) return false;
  problems.push(`${kind.toUpperCase()} ${clip(url)}: ${refusal}`);
  ctx.observe?.({ type: 'fetch', kind, result: 'refused' });
  return true;
}

/** Only http(s) URLs, only allowed hosts (the spec names HTTP; HTTPS is accepted too). */
function refuse(url: string, options: RevocationOptions): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `scheme ${u.protocol} is not fetched (http and https only)`;
  if (u.username || u.password) return 'URLs with credentials are not fetched';
  if (options.allowedHosts && !options.allowedHosts.some((h) => h.toLowerCase() === u.host.toLowerCase() || h.toLowerCase() === u.hostname.toLowerCase())) {
    return `host ${u.host} is not in revocation.allowedHosts`;
  }
  return undefined;
}

/** Errors from checking carry a RevocationError code; anything else came from the fetch. */
function isFetchError(err: unknown): boolean {
  return (err as { name?: unknown })?.name !== 'RevocationError';
}

function describe(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return clip(typeof e?.code === 'string' ? `${e.code}: ${message}` : message, 300);
}

function clip(s: string, n = 120): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}
