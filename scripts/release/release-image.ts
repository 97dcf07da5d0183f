/**
 * Releases a built Portcullis image (docs/verify-portcullis.md): optionally copies its OCI
 * layout to the registry, then, for the image index in the registry:
 *   1. a CycloneDX and an SPDX SBOM per platform (syft);
 *   2. a SLSA v1 provenance statement of the build (slsa-provenance.ts);
 *   3. a Notation signature and a Cosign signature of the index;
 *   4. the provenance as a signed Cosign attestation of the index (`--type slsaprovenance1`),
 *      each SBOM as a signed Cosign attestation of its platform manifest (`cyclonedx`, `spdxjson`).
 * Those are what Portcullis verifies (notation and cosign verifiers, cosign attestations with
 * predicateTypes). Keys are paths (and COSIGN_PASSWORD, read by cosign itself): never logged.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Architecture } from '../image/image-inputs.js';
import { collectBuildFacts } from './collect-build-facts.js';
import { ReleaseError } from './release-error.js';
import { runTool } from './run-tool.js';
import { buildSlsaProvenance, type ResourceDescriptor } from './slsa-provenance.js';

export interface ReleaseOptions {
  /** Where the image is (or goes, with `layout`): `host/repo:tag` or `host/repo@sha256:…`. */
  readonly image: string;
  /** An OCI layout (scripts/build-image.sh --out) and its tag: copied to `image` first, and scanned locally. */
  readonly layout?: { readonly dir: string; readonly tag: string };
  readonly projectDir: string;
  /** `runDetails.builder.id`: who vouches for the build, e.g. the CI workflow's URI. */
  readonly builderId: string;
  readonly commands: readonly string[];
  readonly sourceRepository?: string;
  readonly sourceRef?: string;
  readonly notation: { readonly keyFile: string; readonly certFile: string };
  /** A key file (or a KMS URI cosign understands); its password, if any, comes from COSIGN_PASSWORD. */
  readonly cosign: { readonly key: string };
  /** Plain HTTP to the registry (loopback test registries). */
  readonly plainHttp?: boolean;
  /** No Rekor upload (air-gapped): `--tlog-upload=false`; verifiers then need `tlog.required: false`. */
  readonly noTlog?: boolean;
  /** Where the SBOMs, provenance.json and release.json are written. Default: a new temp dir. */
  readonly outDir?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Tool binaries; default: found on PATH (scripts/release.sh puts .tools/bin first). */
  readonly bin?: Partial<Record<'oras' | 'syft' | 'notation' | 'cosign', string>>;
  readonly log?: (line: string) => void;
}

export interface ReleasedPlatform {
  readonly platform: string;
  readonly digest: string;
  readonly sboms: { readonly cyclonedx: string; readonly spdx: string };
}

export interface ReleaseResult {
  /** `host/repo` */
  readonly repository: string;
  /** The image index (or manifest) digest: what is signed and attested with the provenance. */
  readonly digest: string;
  readonly platforms: readonly ReleasedPlatform[];
  readonly provenanceFile: string;
  readonly outDir: string;
}

interface Manifest {
  readonly mediaType?: string;
  readonly manifests?: ReadonlyArray<{ digest: string; platform?: { os?: string; architecture?: string; variant?: string } }>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly config?: unknown;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** `host/repo:tag`, `host/repo@sha256:…` → repository and the tag or digest. */
export function splitReference(ref: string): { repository: string; tag?: string; digest?: string } {
  const at = ref.indexOf('@');
  if (at >= 0) {
    const digest = ref.slice(at + 1);
    if (!DIGEST.test(digest)) throw new ReleaseError('BAD_INPUT', `${ref}: not a sha256 digest after @`);
    return { ...splitReference(ref.slice(0, at)), digest };
  }
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (slash < 0) throw new ReleaseError('BAD_INPUT', `${ref}: expected host/repository[:tag][@digest]`);
  return colon > slash ? { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) } : { repository: ref };
}

/** The build's SOURCE_DATE_EPOCH, from the index's `created` annotation (RFC 3339). */
function epochOf(created: string | undefined): number | undefined {
  const ms = created === undefined ? NaN : Date.parse(created);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}

export async function releaseImage(options: ReleaseOptions): Promise<ReleaseResult> {
  const startedOn = new Date();
  const log = options.log ?? (() => {});
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env), SYFT_CHECK_FOR_APP_UPDATE: 'false' };
  const secrets = [env.COSIGN_PASSWORD ?? ''];
  const bin = (name: 'oras' | 'syft' | 'notation' | 'cosign'): string => options.bin?.[name] ?? name;
  const http = options.plainHttp ? ['--plain-http'] : [];
  const outDir = resolve(options.outDir ?? mkdtempSync(join(tmpdir(), 'portcullis-release-')));
  mkdirSync(outDir, { recursive: true });
  const ref = splitReference(options.image);
  const repository = ref.repository;

  // --- the image in the registry, by digest
  if (options.layout) {
    if (ref.digest) throw new ReleaseError('BAD_INPUT', `${options.image}: with a layout, name the target by tag, not digest`);
    const target = `${repository}:${ref.tag ?? options.layout.tag}`;
    log(`copying ${options.layout.dir}:${options.layout.tag} to ${target}`);
    await runTool(bin('oras'), ['cp', '--from-oci-layout', `${options.layout.dir}:${options.layout.tag}`, target, ...(options.plainHttp ? ['--to-plain-http'] : [])], { env, secrets });
  }
  const digest = ref.digest ?? (await runTool(bin('oras'), ['resolve', ...http, `${repository}:${ref.tag ?? options.layout?.tag ?? 'latest'}`], { env, secrets })).trim();
  if (!DIGEST.test(digest)) throw new ReleaseError('BAD_MANIFEST', `${options.image} resolved to ${JSON.stringify(digest)}, not a digest`);
  const pinned = `${repository}@${digest}`;
  const raw = await runTool(bin('oras'), ['manifest', 'fetch', ...http, pinned], { env, secrets });
  // oras checked the bytes against the digest; the content is still only what the registry holds.
  let top: Manifest;
  try { top = JSON.parse(raw) as Manifest; } catch { throw new ReleaseError('BAD_MANIFEST', `${pinned}: manifest is not JSON`); }

  const platforms = (top.manifests ?? [])
    .filter((m) => m.platform?.os && m.platform.architecture && m.platform.os !== 'unknown')
    .map((m) => ({ digest: m.digest, platform: [m.platform?.os, m.platform?.architecture, m.platform?.variant].filter(Boolean).join('/') }));
  if (top.manifests === undefined) throw new ReleaseError('BAD_MANIFEST', `${pinned}: not an image index (scripts/build-image.sh writes one)`);
  if (platforms.length === 0) throw new ReleaseError('BAD_MANIFEST', `${pinned}: an index without platform images`);
  for (const p of platforms) if (!DIGEST.test(p.digest)) throw new ReleaseError('BAD_MANIFEST', `${pinned}: entry ${JSON.stringify(p.digest)} is not a digest`);

  // The provenance's commit must be the one the image says it was built from.
  const facts = collectBuildFacts({
    projectDir: options.projectDir,
    architectures: platforms.map((p) => p.platform.split('/')[1] as Architecture),
    commands: options.commands,
    sourceRepository: options.sourceRepository,
    sourceRef: options.sourceRef,
    sourceDateEpoch: epochOf(top.annotations?.['org.opencontainers.image.created']),
  });
  const revision = top.annotations?.['org.opencontainers.image.revision'];
  if (revision !== undefined && revision !== facts.sourceCommit) {
    throw new ReleaseError('REVISION_MISMATCH', `${pinned} was built from ${revision}, but the checkout is at ${facts.sourceCommit}: release from the commit that built it`);
  }

  // --- SBOMs, one pair per platform
  const released: ReleasedPlatform[] = [];
  const byproducts: ResourceDescriptor[] = [];
  for (const p of platforms) {
    const slug = p.platform.replaceAll('/', '-');
    const files = { cyclonedx: join(outDir, `sbom-${slug}.cdx.json`), spdx: join(outDir, `sbom-${slug}.spdx.json`) };
    log(`SBOMs of ${p.platform} (${p.digest})`);
    const source = options.layout ? `oci-dir:${options.layout.dir}` : `registry:${repository}@${p.digest}`;
    const syftHome = mkdtempSync(join(tmpdir(), 'portcullis-release-syft-'));
    try {
      await runTool(bin('syft'), [
        'scan', source, '--platform', p.platform, '--source-name', repository, '--source-version', p.digest,
        '-o', `cyclonedx-json=${files.cyclonedx}`, '-o', `spdx-json=${files.spdx}`, '-q',
      ], {
        // syft's cache stays private to this run; plain HTTP only when asked for.
        env: { ...env, XDG_CACHE_HOME: syftHome, ...(options.plainHttp ? { SYFT_REGISTRY_INSECURE_USE_HTTP: 'true' } : {}) },
        secrets,
      });
    } finally {
      rmSync(syftHome, { recursive: true, force: true });
    }
    for (const [kind, file] of Object.entries(files)) {
      byproducts.push({ uri: `file:${file.slice(outDir.length + 1)}`, name: `${kind} SBOM of ${p.platform}`, digest: { sha256: sha256(readFileSync(file)) } });
    }
    released.push({ ...p, sboms: files });
  }

  // --- provenance
  const provenance = buildSlsaProvenance(facts, { builderId: options.builderId, invocationId: randomUUID(), startedOn, finishedOn: new Date(), byproducts });
  const provenanceFile = join(outDir, 'provenance.json');
  writeFileSync(provenanceFile, JSON.stringify(provenance, null, 2) + '\n');

  // --- signatures: Notation with a private config holding only the release key
  const notationHome = mkdtempSync(join(tmpdir(), 'portcullis-release-notation-'));
  try {
    mkdirSync(join(notationHome, 'notation'));
    // https://github.com/notaryproject/notation/blob/main/specs/directory.spec.md (signingkeys.json)
    writeFileSync(join(notationHome, 'notation', 'signingkeys.json'), JSON.stringify({
      default: 'release', keys: [{ name: 'release', keyPath: resolve(options.notation.keyFile), certPath: resolve(options.notation.certFile) }],
    }), { mode: 0o600 });
    log(`notation sign ${pinned}`);
    // Referrers API where the registry has it (else oras-go falls back to the tag schema): notation's
    // default, the tag schema only, is not found by `notation verify` on a registry with the API.
    await runTool(bin('notation'), ['sign', '--key', 'release', '--force-referrers-tag=false', ...(options.plainHttp ? ['--insecure-registry'] : []), pinned], { env: { ...env, XDG_CONFIG_HOME: notationHome }, secrets });
  } finally {
    rmSync(notationHome, { recursive: true, force: true });
  }
  const cosignFlags = ['--key', options.cosign.key, '-y', ...(options.noTlog ? ['--tlog-upload=false'] : []), ...(options.plainHttp ? ['--allow-insecure-registry'] : [])];
  log(`cosign sign ${pinned}`);
  await runTool(bin('cosign'), ['sign', ...cosignFlags, pinned], { env, secrets });

  // --- attestations
  log(`cosign attest --type slsaprovenance1 ${pinned}`);
  await runTool(bin('cosign'), ['attest', ...cosignFlags, '--type', 'slsaprovenance1', '--predicate', provenanceFile, pinned], { env, secrets });
  for (const p of released) {
    for (const [type, file] of [['cyclonedx', p.sboms.cyclonedx], ['spdxjson', p.sboms.spdx]] as const) {
      log(`cosign attest --type ${type} ${repository}@${p.digest}`);
      await runTool(bin('cosign'), ['attest', ...cosignFlags, '--type', type, '--predicate', file, `${repository}@${p.digest}`], { env, secrets });
    }
  }

  const result: ReleaseResult = { repository, digest, platforms: released, provenanceFile, outDir };
  writeFileSync(join(outDir, 'release.json'), JSON.stringify(result, null, 2) + '\n');
  return result;
}
