import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { COSIGN_LEGACY_ATTESTATION, COSIGN_LEGACY_SIGNATURE, SIGSTORE_BUNDLE_TYPES } from '../../oci/media-types.js';
import { ConfigError } from '../../shared/coded-error.js';
import type { TrustMaterial, TrustMaterialSource } from '../../trust/types.js';
import { trustSourceFor } from '../trust-source-for.js';
import type { VerifierFactory } from '../verifier.js';
import { parseCosignOptions, type CosignOptions } from './cosign-options.js';
import { CosignVerifier } from './cosign-verifier.js';
import { compileIdentity, type IdentityMatcher } from './identity-matcher.js';
import { loadPublicKey, MAX_KEY_FILE_BYTES, parsePublicKeyPem, type CosignPublicKey } from './load-public-key.js';
import { loadTrustedRoot, parseTrustedRoot, type CosignTrustRoot } from './load-trusted-root.js';
import type { CosignPolicy } from './verify-signed-entity.js';

/** Default referrers looked at: legacy `.sig` signatures and every Sigstore bundle version. */
export const COSIGN_DEFAULT_ARTIFACT_TYPES: readonly string[] = [COSIGN_LEGACY_SIGNATURE, ...SIGSTORE_BUNDLE_TYPES];
/** Default of a verifier with `predicateTypes` (an attestation verifier): `.att` tags and every Sigstore bundle version. */
export const COSIGN_ATTESTATION_ARTIFACT_TYPES: readonly string[] = [COSIGN_LEGACY_ATTESTATION, ...SIGSTORE_BUNDLE_TYPES];

function artifactTypesOf(options: CosignOptions): readonly string[] {
  return options.artifactTypes ?? (options.predicateTypes ? COSIGN_ATTESTATION_ARTIFACT_TYPES : COSIGN_DEFAULT_ARTIFACT_TYPES);
}

/** A Cosign verifier whose keys or trust root come from watched Kubernetes Secrets. */
export interface ReloadingCosignVerifier extends CosignVerifier {
  /** Reloads the watched material now (also done on every change); keeps the old on failure. */
  reload(): Promise<void>;
  /** Stops watching. */
  close(): Promise<void>;
}

/** A configured key: loaded once (inline PEM, file) or read from a watched Secret. */
type KeyEntry = { readonly field: string; readonly key: CosignPublicKey } | { readonly field: string; readonly source: TrustMaterialSource };
type RootEntry = { readonly field: string; readonly root: CosignTrustRoot } | { readonly field: string; readonly source: TrustMaterialSource };

interface Material {
  readonly policy: CosignPolicy;
  readonly configHash: string;
  readonly keys: number;
}

/**
 * Builds a Cosign verifier from its `verifiers[i]` entry: validates the options, reads every
 * key and the trusted root now, so verification does no I/O. `key`, `keys[]` and
 * `trustedRoot` may name a Kubernetes Secret (`secret:<ns>/<name>[/<key>]`, through
 * `deps.trustSource`); those are watched and swapped in whole when they change. Throws
 * ConfigError naming the field.
 */
export const createCosignVerifier: VerifierFactory = async (entry, path, deps) => {
  const options = parseCosignOptions(entry, path);
  const keySpecs = [...(options.key !== undefined ? [options.key] : []), ...(options.keys ?? [])];
  const keyEntries: KeyEntry[] = [];
  let inline = 0;
  for (const [i, spec] of keySpecs.entries()) {
    const field = options.key !== undefined && i === 0 ? `${path}.key` : `${path}.keys[${options.key !== undefined ? i - 1 : i}]`;
    const source = trustSourceFor(spec, field, deps);
    if (source) {
      keyEntries.push({ field, source });
      continue;
    }
    const key = await loadPublicKey(spec, deps.baseDir, field, inline);
    if (key.label.startsWith('inline')) inline += 1;
    keyEntries.push({ field, key });
  }
  const identities = (options.keyless?.identities ?? []).map((identity, i) => compileIdentity(identity, `${path}.keyless.identities[${i}]`));

  let rootEntry: RootEntry | undefined;
  if (options.trustedRoot !== undefined) {
    const field = `${path}.trustedRoot`;
    const source = trustSourceFor(options.trustedRoot, field, deps);
    rootEntry = source ? { field, source } : { field, root: await loadTrustedRoot(options.trustedRoot, deps.baseDir, field) };
  }
  if (!rootEntry && identities.length > 0) {
    throw new ConfigError('INVALID_CONFIG', `${path}.trustedRoot`, 'keyless verification needs a trustedRoot (a Sigstore trusted_root.json with the Fulcio CAs)');
  }
  if (!rootEntry && options.tlog.required) {
    throw new ConfigError('INVALID_CONFIG', `${path}.trustedRoot`, 'tlog.required needs a trustedRoot holding the Rekor key; set tlog: {required: false} for signatures made with --tlog-upload=false');
  }

  const sources = [...keyEntries, ...(rootEntry ? [rootEntry] : [])].flatMap((e) => ('source' in e ? [e.source] : []));
  const load = (): Promise<Material> => loadMaterial(options, keyEntries, rootEntry, identities);
  const first = await load();
  deps.logger.debug({ verifier: options.name, keys: first.keys, identities: identities.length, trustedRoot: Boolean(rootEntry), watched: sources.map((s) => s.id) }, 'cosign verifier configured');
  const verifier = new CosignVerifier({
    name: options.name,
    artifactTypes: artifactTypesOf(options),
    scopes: options.scopes,
    predicateTypes: options.predicateTypes,
    statementLimits: options.statementLimits,
    sbomRules: options.sbomRules,
    configHash: first.configHash,
    policy: first.policy,
  });
  if (sources.length === 0) return verifier;
  return watchMaterial(verifier, sources, load, options.name, deps.logger);
};

/**
 * Follows the watched sources: each change reloads everything, and only complete, valid
 * material replaces the current one (a half-written or wrong Secret keeps the old keys).
 */
function watchMaterial(verifier: CosignVerifier, sources: readonly TrustMaterialSource[], load: () => Promise<Material>, name: string, logger: Logger): ReloadingCosignVerifier {
  let reloading: Promise<void> = Promise.resolve();
  const reload = (): Promise<void> => {
    reloading = reloading.then(async () => {
      try {
        const next = await load();
        if (next.configHash !== verifier.configHash()) logger.info({ verifier: name, keys: next.keys }, 'cosign trust material reloaded');
        verifier.useMaterial(next.policy, next.configHash);
      } catch (err) {
        logger.error({ verifier: name, err: (err as Error).message }, 'cosign trust material reload refused; keeping the previous material');
      }
    });
    return reloading;
  };
  const unwatch = sources.map((s) => s.watch(() => void reload()));
  return Object.assign(verifier, {
    reload,
    async close() {
      for (const u of unwatch.splice(0)) u();
      await reloading;
    },
  });
}

async function loadMaterial(options: CosignOptions, keyEntries: readonly KeyEntry[], rootEntry: RootEntry | undefined, identities: readonly IdentityMatcher[]): Promise<Material> {
  const keys: CosignPublicKey[] = [];
  for (const e of keyEntries) {
    if ('key' in e) {
      keys.push(e.key);
      continue;
    }
    const items = await loadSource(e.source, e.field);
    if (items.length === 0) throw new ConfigError('INVALID_CONFIG', e.field, `${e.source.id} holds no keys`);
    for (const item of items) {
      if (item.bytes.length > MAX_KEY_FILE_BYTES) throw new ConfigError('INVALID_CONFIG', e.field, `${item.origin}: key larger than ${MAX_KEY_FILE_BYTES} bytes`);
      keys.push({ label: item.origin, ...parsePublicKeyPem(Buffer.from(item.bytes).toString('utf8'), e.field, item.origin) });
    }
  }
  let root: CosignTrustRoot | undefined;
  if (rootEntry && 'root' in rootEntry) root = rootEntry.root;
  else if (rootEntry) {
    const items = await loadSource(rootEntry.source, rootEntry.field);
    const only = items[0];
    if (items.length !== 1 || !only) throw new ConfigError('INVALID_CONFIG', rootEntry.field, `${rootEntry.source.id} holds ${items.length} entries; name the one key holding trusted_root.json (secret:<ns>/<name>/<key>)`);
    try {
      root = parseTrustedRoot(only.bytes);
    } catch (err) {
      throw new ConfigError('INVALID_CONFIG', rootEntry.field, `${only.origin}: ${(err as Error).message}`, { cause: err });
    }
  }
  const configHash = createHash('sha256')
    .update(
      JSON.stringify({
        type: 'cosign',
        name: options.name,
        artifactTypes: artifactTypesOf(options),
        keys: keys.map((k) => k.fingerprint),
        keyless: options.keyless ?? null,
        trustedRoot: root?.digest ?? null,
        tlog: options.tlog,
        sct: options.sct,
        scopes: options.scopes,
        predicateTypes: options.predicateTypes ?? null,
        statementLimits: options.statementLimits,
        sbomRules: options.sbomRules ? { licenses: [...options.sbomRules.disallowedLicenseNames].sort(), packages: options.sbomRules.disallowedPackages } : null,
      }),
    )
    .digest('hex');
  return {
    configHash: `sha256:${configHash}`,
    keys: keys.length,
    policy: { keys, identities, trust: root?.material, tlogRequired: options.tlog.required, sctRequired: options.sct.required },
  };
}

async function loadSource(source: TrustMaterialSource, field: string): Promise<TrustMaterial[]> {
  try {
    return await source.load(AbortSignal.timeout(10_000));
  } catch (cause) {
    throw new ConfigError('FILE_NOT_FOUND', field, `${source.id}: ${(cause as Error).message}`, { cause });
  }
}
