/**
 * The referrer listing of a digest-pinned image needs only its digest, so it need not wait for
 * the subject's own HEAD (whose media type and size the verifiers check): both go out at once,
 * and the dependent round trips of a cold image are HEAD ∥ listing → referrer manifest → blob
 * (3, not 4). The early listing is handed to the first matching `listReferrers` call; any other
 * call goes to the registry client as before. Nothing of the listing is trusted more for it:
 * it is the same untrusted answer verify-subject.ts already checks entry by entry.
 */
import type { Descriptor, ImageRef, ListReferrersOptions, ListedReferrer, RegistryClient } from '../oci/types.js';

export function prefetchListing(
  client: RegistryClient, ref: ImageRef, digest: string, options: ListReferrersOptions, signal: AbortSignal,
): RegistryClient {
  // The lister reads only the digest; the real descriptor is passed on the call it answers.
  const provisional: Descriptor = { mediaType: '', digest, size: 0 };
  let early: Promise<ListedReferrer[]> | undefined = client.listReferrers(ref, provisional, signal, options);
  // Never awaited when the image turns out to have no target to verify (its HEAD failed, …).
  early.catch(() => undefined);
  return {
    resolve: (r, s) => client.resolve(r, s),
    fetchManifest: (r, d, s) => client.fetchManifest(r, d, s),
    fetchBlob: (r, d, s) => client.fetchBlob(r, d, s),
    listReferrers(r, subject, s, opts) {
      const same = early !== undefined && subject.digest === digest && r === ref
        && opts?.artifactType === options.artifactType && (opts?.cosignTags ?? true) === (options.cosignTags ?? true);
      if (!same) return client.listReferrers(r, subject, s, opts);
      const answer = early!;
      early = undefined;
      return answer;
    },
  };
}
