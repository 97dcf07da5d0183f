/**
 * The notation verifier: config entry → Verifier. Trust material and the trust policy are
 * loaded here (and reloaded when their files or Kubernetes Secrets change); `verify()` itself is pure
 * (verifyNotationSignature) over the snapshot current when it starts.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { ConfigError } from '../../shared/coded-error.js';
import { createFileTrustMaterialSource } from '../../trust/create-file-trust-material-source.js';
import type { TrustMaterial, TrustMaterialSource } from '../../trust/types.js';
import { trustSourceFor } from '../trust-source-for.js';
import { earliestTime, verifierResult, type ReferrerArtifact, type Subject, type Verifier, type VerifierFactory, type VerifierResult, type VerifyContext } from '../verifier.js';
import { NotationError } from './notation-error.js';
import { parseNotationVerifierConfig } from './notation-verifier-config.js';
import { readSignatureManifest } from './read-signature-manifest.js';
import { parseTrustPolicy } from './trust-policy/parse-trust-policy.js';
import type { TrustPolicyDocument } from './trust-policy/trust-policy.js';
import { buildTrustStores, type NotationTrustStores } from './trust-store/notation-trust-stores.js';
import { createRevocationCache } from './revocation/revocation-cache.js';
import type { RevocationEvent } from './revocation/check-chain-revocation.js';
import type { RevocationFetcher } from './revocation/revocation-fetcher.js';
import { DEFAULT_REVOCATION_OPTIONS, type RevocationOptions } from './revocation/revocation-options.js';
import { verifyNotationSignature } from './verify-notation-signature.js';

export interface NotationVerifier extends Verifier {
  /** Reloads trust material and the policy now (also done on file changes); keeps the old on failure. */
  reload(): Promise<void>;
  /** Stops watching files. */
  close(): Promise<void>;
}

export interface NotationVerifierSources {
  readonly name: string;
  readonly artifactTypes: readonly string[];
  /** Inline trust policy document, or a source holding it as JSON. */
  readonly trustPolicy: { readonly inline: unknown } | { readonly source: TrustMaterialSource };
  /** `type:name` → sources (files, folders, later Kubernetes Secrets). */
  readonly trustStoreSources: ReadonlyMap<string, readonly TrustMaterialSource[]>;
  readonly watch: boolean;
  readonly logger: Logger;
  /** Config path for error messages, e.g. `verifiers[0]`. */
  readonly path: string;
  readonly revocation?: RevocationOptions | undefined;
  /** Fetches OCSP responses and CRLs (injected from the composition root); absent: nothing is fetched. */
  readonly revocationFetcher?: RevocationFetcher | undefined;
  readonly onRevocationEvent?: ((event: RevocationEvent) => void) | undefined;
}

interface Snapshot {
  readonly policy: TrustPolicyDocument;
  readonly stores: NotationTrustStores;
  readonly hash: string;
}

export const createNotationVerifier: VerifierFactory = async (entry, path, deps) => {
  const cfg = parseNotationVerifierConfig(entry, path);
  // Each value is a file or folder, or a Kubernetes Secret (`secret:ns/name[/key]`), watched alike.
  const sourceFor = (spec: string, at: string): TrustMaterialSource => trustSourceFor(spec, at, deps) ?? createFileTrustMaterialSource(resolve(deps.baseDir, spec));
  const trustStoreSources = new Map<string, TrustMaterialSource[]>();
  for (const [key, paths] of cfg.trustStores) {
    const at = `${path}.trustStores.${key.replace(':', '.')}`;
    trustStoreSources.set(key, paths.map((p, i) => sourceFor(p, paths.length > 1 ? `${at}[${i}]` : at)));
  }
  return createNotationVerifierFromSources({
    name: cfg.name,
    artifactTypes: cfg.artifactTypes,
    trustPolicy: cfg.trustPolicyFile !== undefined ? { source: sourceFor(cfg.trustPolicyFile, `${path}.trustPolicyFile`) } : { inline: cfg.trustPolicy },
    trustStoreSources,
    watch: cfg.watch,
    logger: deps.logger,
    path,
    revocation: cfg.revocation,
    revocationFetcher: deps.revocationFetcher,
    onRevocationEvent: deps.onRevocationEvent,
  });
};

/** Builds the verifier over any trust material sources (the seam for Kubernetes Secret sources). */
export async function createNotationVerifierFromSources(opts: NotationVerifierSources): Promise<NotationVerifier> {
  let snapshot = await loadSnapshot(opts);
  const revocationOptions = opts.revocation ?? DEFAULT_REVOCATION_OPTIONS;
  // Verified OCSP/CRL statuses, per verifier, bounded in entries and time (until nextUpdate).
  const revocationCache = createRevocationCache({ maxEntries: revocationOptions.cacheMaxEntries, maxSeconds: revocationOptions.cacheMaxSeconds });
  let reloading: Promise<void> = Promise.resolve();
  const reload = (): Promise<void> => {
    reloading = reloading.then(async () => {
      try {
        const next = await loadSnapshot(opts);
        if (next.hash !== snapshot.hash) opts.logger.info({ verifier: opts.name }, 'notation trust material reloaded');
        snapshot = next;
      } catch (err) {
        opts.logger.error({ verifier: opts.name, err: (err as Error).message }, 'notation trust material reload refused; keeping the previous material');
      }
    });
    return reloading;
  };
  const unwatch: (() => void)[] = [];
  if (opts.watch) {
    const all = [...opts.trustStoreSources.values()].flat();
    if ('source' in opts.trustPolicy) all.push(opts.trustPolicy.source);
    for (const s of all) unwatch.push(s.watch(() => void reload()));
  }

  const verifier: NotationVerifier = {
    name: opts.name,
    type: 'notation',
    artifactTypes: opts.artifactTypes,
    configHash: () => snapshot.hash,
    reload,
    async close() {
      for (const u of unwatch.splice(0)) u();
      await reloading;
    },
    async verify(subject: Subject, artifact: ReferrerArtifact, ctx: VerifyContext): Promise<VerifierResult> {
      const current = snapshot;
      let sig;
      try {
        sig = readSignatureManifest(artifact.manifest, artifact.blobs);
        if (sig.subjectDigest !== undefined && sig.subjectDigest !== subject.digest) {
          throw new NotationError('TARGET_MISMATCH', `signature manifest refers to ${sig.subjectDigest}, not ${subject.digest}`);
        }
      } catch (e) {
        if (!(e instanceof NotationError)) throw e;
        return verifierResult(verifier, artifact, { valid: false, message: e.message, details: { checks: [] }, error: { code: e.code, message: e.message } });
      }
      let out;
      try {
        out = await verifyNotationSignature({
          subject,
          envelopeMediaType: sig.envelopeMediaType,
          envelope: sig.envelope,
          trustPolicy: current.policy,
          trustStores: current.stores,
          now: ctx.now,
          revocation: {
            fetcher: opts.revocationFetcher,
            cache: revocationCache,
            options: revocationOptions,
            now: ctx.now,
            signal: ctx.signal,
            observe: opts.onRevocationEvent,
          },
        });
      } catch (e) {
        // Every expected failure is a NotationError turned into a check; anything else is bytes
        // no parser anticipated, and still only makes this signature invalid.
        const message = `signature could not be verified: ${(e as Error).message}`;
        return verifierResult(verifier, artifact, { valid: false, message, details: { checks: [] }, error: { code: 'MALFORMED_ENVELOPE', message } });
      }
      // A valid result holds until the signature expires, and (without a trusted timestamp,
      // which pins the signing time inside the certificate's validity) until the signing
      // certificate does.
      const d = out.details;
      // It also holds only until the revocation statuses it relied on are due for an update.
      const expiresAt = out.valid ? earliestTime(earliestTime(d.expiry ?? undefined, d.timestamp ? undefined : d.signer?.notAfter), out.revocationValidUntil?.toISOString()) : undefined;
      return verifierResult(verifier, artifact, {
        valid: out.valid,
        message: out.message,
        details: out.details as unknown as Record<string, unknown>,
        ...(expiresAt ? { expiresAt } : {}),
        ...(out.code ? { error: { code: out.code, message: out.message } } : {}),
      });
    },
  };
  return verifier;
}

async function loadSnapshot(opts: NotationVerifierSources): Promise<Snapshot> {
  const policyPath = `${opts.path}.${'source' in opts.trustPolicy ? 'trustPolicyFile' : 'trustPolicy'}`;
  let raw: unknown;
  if ('source' in opts.trustPolicy) {
    const items = await loadSource(opts.trustPolicy.source, policyPath);
    try {
      raw = JSON.parse(Buffer.from(items[0]?.bytes ?? []).toString('utf8'));
    } catch (cause) {
      throw new ConfigError('INVALID_CONFIG', policyPath, `trust policy file is not valid JSON: ${(cause as Error).message}`, { cause });
    }
  } else {
    raw = opts.trustPolicy.inline;
  }
  const policy = parseTrustPolicy(raw, policyPath);
  for (const p of policy.trustPolicies) {
    for (const ref of p.trustStores) {
      const key = `${ref.type}:${ref.name}`;
      if (!opts.trustStoreSources.has(key)) throw new ConfigError('INVALID_CONFIG', policyPath, `trust policy "${p.name}" uses trust store ${key}, which is not configured under trustStores.${ref.type}.${ref.name}`);
    }
  }
  const materials = new Map<string, TrustMaterial[]>();
  for (const [key, sources] of opts.trustStoreSources) {
    const at = `${opts.path}.trustStores.${key.replace(':', '.')}`;
    const items: TrustMaterial[] = [];
    for (const s of sources) items.push(...(await loadSource(s, at)));
    materials.set(key, items);
  }
  let stores: NotationTrustStores;
  try {
    stores = buildTrustStores(materials);
  } catch (cause) {
    throw new ConfigError('INVALID_CONFIG', `${opts.path}.trustStores`, (cause as Error).message, { cause });
  }
  const h = createHash('sha256');
  h.update(JSON.stringify({ name: opts.name, artifactTypes: opts.artifactTypes, policy: raw, revocation: opts.revocation ?? null }));
  for (const key of [...stores.keys()].sort()) {
    h.update(`\n${key}`);
    for (const c of stores.get(key) ?? []) h.update(`:${c.fingerprint256}`);
  }
  return { policy, stores, hash: h.digest('hex') };
}

async function loadSource(source: TrustMaterialSource, at: string): Promise<TrustMaterial[]> {
  try {
    return await source.load(AbortSignal.timeout(10_000));
  } catch (cause) {
    throw new ConfigError('FILE_NOT_FOUND', at, `${source.id}: ${(cause as Error).message}`, { cause });
  }
}
