/**
 * Referrer discovery (SPEC "Validation"): the OCI 1.1 referrers API, else the referrers tag
 * schema, plus Cosign's legacy `sha256-<hex>.sig` / `.att` tags, merged. Whether a registry has
 * the API is learnt and remembered per registry for a while (as oras-go does); only a 404 teaches
 * "no API" (spec: a registry without it answers 404), any other odd answer is simply not
 * remembered. The tag schema and the Cosign tags are read in parallel with it either way.
 * https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#listing-referrers
 * https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#referrers-tag-schema
 * https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md (tag-based discovery)
 */
import type { Descriptor, ListedReferrer, ReferrerSource } from './types.js';
import { COSIGN_LEGACY_ATTESTATION, COSIGN_LEGACY_SIGNATURE, OCI_INDEX } from './media-types.js';
import type { RepositoryRequester } from './registry-client.js';
import { OciError } from './errors.js';
import { parseDigest } from './digest.js';
import { parseNextLink } from './link-header.js';
import { deadlineOf, registerDeadline } from './deadline.js';
import { linkRequestSignal } from './request-signal.js';
import { descriptor as parseDescriptor, MAX_DESCRIPTORS } from './parse-manifest.js';
import { registryError } from './registry-error.js';
import type { ReferrersSupportMemory } from './referrers-support.js';

export type { ReferrersSupport } from './referrers-support.js';

export async function listReferrers(
  repo: RepositoryRequester,
  support: ReferrersSupportMemory,
  subject: Descriptor,
  signal: AbortSignal,
  artifactType?: string,
  readCosignTags = true,
): Promise<ListedReferrer[]> {
  const { algorithm, encoded } = parseDigest(subject.digest);
  const tag = `${algorithm}-${encoded}`;
  // The Cosign tags are independent of the other two: ask for them in parallel (one round trip),
  // and cancel the rest as soon as one branch fails.
  const siblings = new AbortController();
  const outer = signal;
  signal = linkRequestSignal(AbortSignal.any([outer, siblings.signal]), outer);
  const deadline = deadlineOf(outer);
  if (deadline !== undefined) registerDeadline(signal, deadline);
  // The tag schema is read even where the referrers API answers: content pushed by a client
  // that forced the tag schema (notation's default `--force-referrers-tag`), or pushed before
  // the registry gained the API, is listed only there. It runs in parallel, so it costs a
  // request, not a round trip.
  const schemaTag = `${algorithm}-${encoded.slice(0, 64)}`; // spec "Referrers Tag Schema": truncated to 64
  const [api, tagged, cosign] = await Promise.all([
    (async () => {
      const known = support.get(repo.registry);
      if (known === 'tags') return [];
      const answer = await referrersApi(repo, subject.digest, signal, known === 'api');
      if (answer.kind === 'api') support.set(repo.registry, 'api');
      else if (answer.kind === 'none') support.set(repo.registry, 'tags');
      // 'unknown': nothing learnt; this call relies on the tag schema, the next one asks again.
      return answer.kind === 'api' ? answer.found : [];
    })(),
    tagSchema(repo, schemaTag, signal),
    readCosignTags ? cosignTags(repo, tag, signal) : Promise.resolve([]),
  ]).catch((err: unknown) => {
    siblings.abort();
    throw err;
  });
  // The source of each entry is the request that found it, never a field of the answer.
  const sourced = (list: readonly Descriptor[], source: ReferrerSource) => list.map((descriptor): ListedReferrer => ({ descriptor, source }));
  const seen = new Set<string>();
  const out: ListedReferrer[] = [];
  for (const entry of [...sourced(api, 'referrers-api'), ...sourced(tagged, 'tag-schema'), ...sourced(cosign, 'cosign-tag')]) {
    const d = entry.descriptor;
    // The artifactType filter is applied here, never by the registry (see referrersApi).
    if (artifactType !== undefined && d.artifactType !== artifactType) continue;
    if (seen.has(d.digest)) continue;
    seen.add(d.digest);
    out.push(entry);
  }
  return out;
}

/**
 * What one referrers probe taught: the list (`api`), that the registry has no API (`none`, from
 * a 404 only), or nothing (`unknown`: an answer that fits neither, e.g. a 400/405 from a proxy
 * or a 200 that is not an OCI index).
 */
type ApiAnswer = { kind: 'api'; found: Descriptor[] } | { kind: 'none' } | { kind: 'unknown' };

/**
 * `GET /v2/<name>/referrers/<digest>`.
 * The `artifactType` query filter is deliberately not sent: filtering is always done here, and
 * olareg v0.1.2's server-side filter was seen to drop one of two signatures of the same type
 * (and to keep answering with the shortened list). One unfiltered list also serves every filter.
 */
async function referrersApi(repo: RepositoryRequester, digest: string, signal: AbortSignal, knownSupported: boolean): Promise<ApiAnswer> {
  let url = new URL(`referrers/${digest}`, repo.base);
  const out: Descriptor[] = [];
  for (let page = 0; ; page++) {
    if (page >= repo.maxReferrerPages) throw new OciError('TOO_MANY_PAGES', `${repo.registry}/${repo.repository}: referrers of ${digest} span more than ${repo.maxReferrerPages} pages`);
    const res = await repo.send('referrers', 'GET', url, [OCI_INDEX], repo.maxManifestBytes, signal);
    // Only the descriptors are kept: the page's bytes are given back to the budget once read.
    try {
      // A registry without the API answers 404 (spec "Listing Referrers"); some routers answer
      // 400/405 to an unknown path, but so may a proxy having a bad moment: not remembered.
      if (res.status === 404) {
        if (knownSupported || page > 0) return { kind: 'api', found: out };
        return { kind: 'none' };
      }
      if (res.status === 400 || res.status === 405) return { kind: 'unknown' };
      if (res.status !== 200) throw registryError(res, `${repo.registry}/${repo.repository} referrers of ${digest}`);
      const type = res.headers['content-type']?.split(';')[0]?.trim();
      if (type !== OCI_INDEX) {
        if (page === 0 && !knownSupported) return { kind: 'unknown' };
        throw new OciError('UNEXPECTED_RESPONSE', `${repo.registry}/${repo.repository}: referrers response is ${type ?? 'untyped'}, not an OCI index`);
      }
      out.push(...indexEntries(res.body, `${repo.registry}/${repo.repository} referrers of ${digest}`));
      if (out.length > MAX_DESCRIPTORS) throw new OciError('TOO_MANY_PAGES', `${repo.registry}/${repo.repository}: more than ${MAX_DESCRIPTORS} referrers`);
    } finally {
      res.release();
    }
    const next = parseNextLink(res.headers.link);
    if (!next) return { kind: 'api', found: out };
    let nextUrl: URL;
    try { nextUrl = new URL(next, url); } catch { throw new OciError('UNEXPECTED_RESPONSE', 'invalid referrers Link header'); }
    // Credentials go with the next page: never follow it to another origin.
    if (nextUrl.origin !== repo.base.origin) throw new OciError('UNEXPECTED_RESPONSE', `referrers Link points to another origin (${nextUrl.host})`);
    url = nextUrl;
  }
}

/** The referrers tag schema: an index tagged `<alg>-<hex>`; absent means no referrers. */
async function tagSchema(repo: RepositoryRequester, tag: string, signal: AbortSignal): Promise<Descriptor[]> {
  const m = await repo.get(tag, 'referrers-tag', signal, true);
  if (!m) return [];
  m.release?.();
  if (m.parsed.kind !== 'index') throw new OciError('INVALID_MANIFEST', `${repo.registry}/${repo.repository}:${tag} is not an index`);
  return [...m.parsed.index.manifests];
}

/**
 * Cosign's tag-based signatures and attestations, reported with the legacy artifact type of the
 * tag asked for (the registry's answer names none). Only the digest, media type and size of the
 * registry's answer are kept: no annotation of the answer survives into the listing.
 */
async function cosignTags(repo: RepositoryRequester, prefix: string, signal: AbortSignal): Promise<Descriptor[]> {
  const kinds = [['sig', COSIGN_LEGACY_SIGNATURE], ['att', COSIGN_LEGACY_ATTESTATION]] as const;
  const found = await Promise.all(kinds.map(async ([suffix, artifactType]) => {
    const d = await repo.resolve(`${prefix}.${suffix}`, 'cosign-tag', signal, true);
    return d ? [{ mediaType: d.mediaType, digest: d.digest, size: d.size, artifactType }] : [];
  }));
  return found.flat();
}

function indexEntries(body: Uint8Array, what: string): Descriptor[] {
  let json: unknown;
  try { json = JSON.parse(Buffer.from(body).toString('utf8')); } catch (err) { throw new OciError('INVALID_MANIFEST', `${what}: not JSON`, { cause: err }); }
  const manifests = (json as { manifests?: unknown } | null)?.manifests;
  if (manifests === undefined || manifests === null) return [];
  if (!Array.isArray(manifests)) throw new OciError('INVALID_MANIFEST', `${what}: manifests is not a list`);
  if (manifests.length > MAX_DESCRIPTORS) throw new OciError('INVALID_MANIFEST', `${what}: more than ${MAX_DESCRIPTORS} entries`);
  return manifests.map((d) => parseDescriptor(d, what));
}
