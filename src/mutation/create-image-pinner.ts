/**
 * Mutation (SPEC "Mutation"): pins each image reference to the digest its tag resolves to,
 * keeping the user's spelling and appending the digest:
 *   `nginx:1.27`            → `nginx:1.27@sha256:…`
 *   `nginx` (no tag)        → `nginx:latest@sha256:…`  — SPEC's `<as written>:<tag>@<digest>` with
 *                             the implied tag written out, so the pinned tag stays visible
 *   `nginx@sha256:…`, `nginx:1.27@sha256:…` → unchanged (already pinned)
 * A failure on one image is an `error` outcome carrying the OciError code and the registry's
 * message; the admission layer applies `mutation.onError`.
 */
import type { Logger } from 'pino';
import type { AdmissionContext, ImagePinner, PinOutcome } from '../admission/ports.js';
import type { CredentialScope, RegistryClient, Resolver, ScopedRegistryClient } from '../oci/types.js';
import { CodedError } from '../shared/coded-error.js';
import { parseReference } from '../oci/reference.js';
import { mapLimit } from '../validation/map-limit.js';

export interface ImagePinnerDeps {
  /** A resolver; when it can scope credentials, each pod's pull secrets are used. */
  readonly client: Resolver | ScopedRegistryClient;
  readonly logger?: Logger;
  /** Images resolved at once, like the validator's `concurrency` (registry sockets are bounded by the client too). Default 16. */
  readonly concurrency?: number;
}

export function createImagePinner(deps: ImagePinnerDeps): ImagePinner {
  return {
    async pin(images, ctx) {
      const resolver = scoped(deps.client, ctx);
      const unique = [...new Set(images)];
      const outcomes = await mapLimit(unique, deps.concurrency ?? 16, async (image) => [image, await pinOne(resolver, image, ctx.signal, deps.logger)] as const);
      return new Map(outcomes);
    },
  };
}

/** Pins one image as written; never throws. */
export async function pinOne(resolver: Resolver, image: string, signal: AbortSignal, logger?: Logger): Promise<PinOutcome> {
  try {
    const ref = parseReference(image);
    if (ref.digest !== undefined) return { kind: 'unchanged' };
    const descriptor = await resolver.resolve(ref, signal);
    const reference = `${image}${ref.tag === undefined ? ':latest' : ''}@${descriptor.digest}`;
    return { kind: 'pinned', reference, digest: descriptor.digest };
  } catch (err) {
    const code = err instanceof CodedError ? err.code : 'INTERNAL';
    const message = `${image}: ${(err as Error)?.message ?? String(err)}`;
    logger?.debug({ image, code }, 'image could not be pinned');
    return { kind: 'error', code, message };
  }
}

function scoped(client: Resolver | ScopedRegistryClient, ctx: AdmissionContext): Resolver {
  if (!('withCredentialScope' in client)) return client;
  const scope: CredentialScope = {
    namespace: ctx.request.namespace,
    serviceAccountName: ctx.pod.serviceAccountName,
    imagePullSecrets: ctx.pod.imagePullSecrets,
  };
  const r: RegistryClient = client.withCredentialScope(scope);
  return r;
}
