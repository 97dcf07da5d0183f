/** An SPDX or CycloneDX document reduced to what the `sbom` verifier checks. */
export interface SbomDocument {
  readonly format: SbomFormat;
  /** As the document states it: `2.3` for `SPDX-2.3`, `1.5` for CycloneDX 1.5. */
  readonly specVersion: string;
  /** The document's own creation time (`creationInfo.created` / `metadata.timestamp`). */
  readonly created: Date | undefined;
  /** The creation time as written, when the document gives one (it may not be RFC 3339). */
  readonly createdText?: string | undefined;
  /** `Tool: syft-1.0`, `Organization: …`, `Person: …` (CycloneDX tools/authors written the same way). */
  readonly creators: readonly string[];
  readonly packages: readonly SbomPackage[];
}

export type SbomFormat = 'spdx' | 'cyclonedx';

export interface SbomPackage {
  readonly name: string;
  readonly version: string | undefined;
  /** Package URLs the document gives for this package (`pkg:npm/left-pad@1.3.0`). */
  readonly purls: readonly string[];
  /** The license statements that apply (see `licensesOf…` in the parsers for which ones). */
  readonly licenses: readonly LicenseClaim[];
}

/** An SPDX license expression, or a free-text license name (CycloneDX `license.name`). */
export type LicenseClaim = { readonly kind: 'expression'; readonly text: string } | { readonly kind: 'name'; readonly text: string };
