/**
 * Verifies the referrers of one subject (an image manifest, an index, or, nested, an artifact
 * such as an SBOM): list referrers → pick those whose artifact type a verifier handles → the
 * cached result, or fetch the artifact (size-capped) and run the verifier → results.
 * Verifiers are pure; all registry I/O is here.
 *
 * Trust boundary (docs/validation.md "The trust boundary"): a listing entry is untrusted input. Its artifactType
 * only picks which verifier looks at the referrer; its annotations are never read. What a
 * verifier and the policy see of the referrer comes from the referrer's own manifest, whose
 * digest the fetcher checked, and from signed content.
 */
import type { Logger } from 'pino';
import type { Cache } from '../cache/types.js';
import type { Metrics } from '../observability/metrics.js';
import { releaseContent, type Descriptor, type FetchedContent, type ImageRef, type ListReferrersOptions, type ListedReferrer, type RegistryClient } from '../oci/types.js';
import { COSIGN_LEGACY_ATTESTATION, COSIGN_LEGACY_SIGNATURE, OCI_EMPTY } from '../oci/media-types.js';
import { earliestTime, type ReferrerArtifact, type Subject, type Verifier, type VerifierResult } from '../verifiers/verifier.js';
import { mapLimit } from './map-limit.js';
import { readReferrerManifest, type ReferrerManifest } from './read-referrer-manifest.js';
import { resultCacheKey } from './result-cache-key.js';
import { runStage, type StageError } from './run-stage.js';
import { errorMessage } from '../shared/error-message.js';

export interface VerifySubjectDeps {
  readonly client: RegistryClient;
  readonly verifiers: readonly Verifier[];
  readonly cache?: Cache | undefined;
  readonly metrics?: Pick<Metrics, 'verifierDuration'> | undefined;
  readonly logger?: Logger | undefined;
  readonly now: () => Date;
  readonly maxArtifactBytes: number;
  readonly maxReferrers: number;
  readonly referrerConcurrency: number;
}

export interface SubjectResults {
  readonly results: VerifierResult[];
  readonly errors: StageError[];
}

/**
 * Signature verifiers: their signed payload names the digest it signs (Notation's target
 * artifact, Cosign's `critical.image.docker-manifest-digest` or in-toto subject), and they check
 * it against the subject. Only they may look at a referrer whose manifest names no subject.
 */
const SIGNATURE_TYPES = new Set(['notation', 'cosign']);

/**
 * Seconds a result may be cached: undefined (the configured TTL) when nothing in it expires,
 * else the time left until the earliest `expiresAt` of the result and its nested results
 * (0: already expired, do not cache).
 */
function secondsUntilExpiry(result: VerifierResult, now: Date): number | undefined {
  const expiresAt = result.nested.reduce<string | undefined>((t, n) => earliestTime(t, n.expiresAt), result.expiresAt);
  if (!expiresAt) return undefined;
  return Math.max(0, Math.floor((Date.parse(expiresAt) - now.getTime()) / 1000));
}


function codeOf(e: unknown): string {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : 'VERIFIER_FAILED';
}

function errorResult(v: Verifier, descriptor: Descriptor, code: string, message: string): VerifierResult {
  return {
    verifier: v.name, type: v.type, artifactType: descriptor.artifactType ?? '',
    // `descriptor` is the one built from the referrer's own manifest (see `artifactDescriptor`).
    referrer: { digest: descriptor.digest, mediaType: descriptor.mediaType, annotations: { ...(descriptor.annotations ?? {}) } },
    valid: false, message, details: {}, nested: [], error: { code, message },
  };
}

/** The verifiers that look at `subject`'s referrers. */
export function applicableVerifiers(verifiers: readonly Verifier[], subject: Subject): Verifier[] {
  return verifiers.filter((v) => !v.appliesTo || v.appliesTo(subject));
}

/**
 * How `subject`'s referrers are listed for these verifiers: Cosign's legacy tags only when one
 * of them handles what those tags hold (else their answer could change nothing).
 */
export function listingOptions(applicable: readonly Verifier[]): ListReferrersOptions {
  return { cosignTags: applicable.some((v) => v.artifactTypes.includes(COSIGN_LEGACY_SIGNATURE) || v.artifactTypes.includes(COSIGN_LEGACY_ATTESTATION)) };
}

/** Verifies `subject`'s referrers with the verifiers that apply; `nestedDepth` 0 allows one nested level. */
export async function verifySubject(
  deps: VerifySubjectDeps, ref: ImageRef, subject: Subject, verifiers: readonly Verifier[], signal: AbortSignal, nestedDepth = 0,
): Promise<SubjectResults> {
  const applicable = applicableVerifiers(verifiers, subject);
  const errors: StageError[] = [];
  if (applicable.length === 0) return { results: [], errors };
  const subjectDesc: Descriptor = { mediaType: subject.mediaType, digest: subject.digest, size: subject.size };
  const what = subject.reference;
  const listing = await runStage('referrers', signal, what, (s) => deps.client.listReferrers(ref, subjectDesc, s, listingOptions(applicable)), ref.registry);
  if (!listing.ok) return { results: [], errors: [listing.error] };
  let referrers = listing.value;
  if (referrers.length > deps.maxReferrers) {
    deps.logger?.warn({ subject: what, count: referrers.length, limit: deps.maxReferrers }, 'too many referrers; verifying the first ones');
    errors.push({ stage: 'referrers', message: `${what}: ${referrers.length} referrers, only the first ${deps.maxReferrers} were checked` });
    referrers = referrers.slice(0, deps.maxReferrers);
  }

  const perReferrer = await mapLimit(referrers, deps.referrerConcurrency, async ({ descriptor: listed, source }: ListedReferrer) => {
    const out: VerifierResult[] = [];
    const errs: StageError[] = [];
    let fetched: { manifest: FetchedContent } & ReferrerManifest | undefined;
    let refused = false;
    // Gives the registry byte budget of the referrer's manifest back once it is done with.
    const done = () => { releaseContent([fetched?.manifest]); return { out, errs }; };
    const fetchManifest = async () => {
      if (fetched || refused) return fetched;
      const r = await runStage('fetch', signal, `${what} referrer ${listed.digest}`, async (s) => {
        const manifest = await deps.client.fetchManifest(ref, listed, s);
        return { manifest, ...readReferrerManifest(manifest.bytes) };
      }, ref.registry);
      if (!r.ok) { errs.push(r.error); refused = true; return undefined; }
      // A referrer must name this subject in its own manifest: the tag-schema index and the
      // listing are writable by anyone who can push to the repository, and a signed SBOM or
      // report made for another image must not stand for this one. Only an entry our lister
      // found by resolving a Cosign `.sig`/`.att` tag may name none (Cosign's legacy format
      // has no subject field); it is then handed to signature verifiers only, which check
      // that their signed payload names this digest. Nothing in a listing can make an entry
      // count as such: `source` is set by src/oci/referrers.ts from the request it made.
      // Checked here, where the bytes are read: a cached result was computed from bytes that
      // passed (the key holds both digests), so the warm path needs no fetch for it.
      // https://github.com/opencontainers/image-spec/blob/v1.1.0/manifest.md (subject)
      const named = r.value.subjectDigest;
      if (named !== subject.digest && !(source === 'cosign-tag' && named === undefined)) {
        errs.push({ stage: 'fetch', message: `${what} referrer ${listed.digest} names ${named ? `subject ${named}` : 'no subject'}, not ${subject.digest}: ignored` });
        refused = true;
        return undefined;
      }
      fetched = r.value;
      return fetched;
    };
    // The listing normally carries artifactType (referrers API, tag schema, Cosign tags); an
    // older registry may not, then the referrer's own manifest says. Cosign writes bundle
    // referrers into the tag-schema index with the empty config type as their artifactType,
    // which names nothing: the manifest's own field is the real one there too.
    let artifactType = listed.artifactType === OCI_EMPTY ? undefined : listed.artifactType;
    if (!artifactType) artifactType = (await fetchManifest())?.artifactType;
    if (artifactType === OCI_EMPTY) artifactType = undefined;
    if (!artifactType) return done();
    const matching = applicable.filter((v) => v.artifactTypes.includes(artifactType) && (source !== 'cosign-tag' || SIGNATURE_TYPES.has(v.type)));
    if (matching.length === 0) return done();
    // What a verifier and the policy see of the referrer: the listed digest (checked against
    // the bytes when they are fetched) and, once the manifest is read, its own media type and
    // annotations; never the listing's annotations.
    const artifactDescriptor = (m?: ReferrerManifest): Descriptor => ({
      mediaType: m?.mediaType ?? listed.mediaType, digest: listed.digest, size: listed.size, artifactType,
      ...(m?.annotations ? { annotations: m.annotations } : {}),
    });

    // Nested: the artifact's own signatures, by the signature verifiers (bounded: one level).
    let nestedAll: VerifierResult[] = [];
    if (nestedDepth === 0 && matching.some((v) => v.nestedRequirement)) {
      const signers = deps.verifiers.filter((v) => SIGNATURE_TYPES.has(v.type));
      const nestedSubject: Subject = {
        reference: `${subject.registry}/${subject.repository}@${listed.digest}`, registry: subject.registry, repository: subject.repository,
        digest: listed.digest, mediaType: listed.mediaType, size: listed.size,
      };
      const nested = await verifySubject(deps, ref, nestedSubject, signers, signal, nestedDepth + 1);
      nestedAll = nested.results;
      errs.push(...nested.errors.map((e) => ({ stage: 'nested' as const, message: e.message })));
    }

    for (const v of matching) {
      const nested = v.nestedRequirement
        ? nestedAll.filter((r) => v.nestedRequirement!.verifiers.length === 0 || v.nestedRequirement!.verifiers.includes(r.verifier))
        : [];
      const key = resultCacheKey(subject, listed.digest, v, nested);
      const cached = await deps.cache?.get<VerifierResult>('results', key).catch(() => undefined);
      if (cached) { out.push(cached); continue; }
      const art = await fetchManifest();
      if (!art) continue;
      const blobs = await runStage('fetch', signal, `${what} referrer ${listed.digest}`, async (s) => {
        const total = art.layers.reduce((n, l) => n + l.size, 0);
        if (total > deps.maxArtifactBytes) throw new Error(`artifact is ${total} bytes, over the ${deps.maxArtifactBytes}-byte limit`);
        const got: FetchedContent[] = [];
        for (const l of art.layers) got.push(await deps.client.fetchBlob(ref, l, s));
        return got;
      }, ref.registry);
      if (!blobs.ok) { errs.push(blobs.error); break; }
      const artifact: ReferrerArtifact = { descriptor: artifactDescriptor(art), manifest: art.manifest, blobs: blobs.value };
      const stop = deps.metrics?.verifierDuration.startTimer({ type: v.type });
      const run = await runStage('verify', signal, `${what} ${v.type} "${v.name}"`, (s) => v.verify(subject, artifact, { signal: s, now: deps.now(), nested }));
      releaseContent(blobs.value);
      let result: VerifierResult;
      if (run.ok) {
        result = nested.length && run.value.nested.length === 0 ? { ...run.value, nested } : run.value;
      } else {
        result = 'cause' in run && run.cause !== undefined
          ? errorResult(v, artifact.descriptor, codeOf(run.cause), errorMessage(run.cause))
          : errorResult(v, artifact.descriptor, 'DEADLINE_EXCEEDED', 'deadline exceeded before verification could finish');
      }
      // `error` on a returned result names the failed check (contract in verifiers/verifier.ts);
      // only a verifier that threw or ran out of time is an error here.
      stop?.({ result: !run.ok ? 'error' : result.valid ? 'valid' : 'invalid' });
      out.push(result);
      // A returned result is a function of the bytes and the configuration (both in the key),
      // so it is cached valid or not; a throw or a timeout may pass, so it is not.
      const ttl = run.ok ? secondsUntilExpiry(result, deps.now()) : 0;
      if (run.ok && ttl !== 0) await deps.cache?.set('results', key, result, ttl).catch((e: unknown) => deps.logger?.warn({ err: errorMessage(e) }, 'result cache write failed'));
    }
    return done();
  });
  const results = perReferrer.flatMap((r) => r.out);
  for (const r of perReferrer) errors.push(...r.errs);
  return { results, errors };
}
