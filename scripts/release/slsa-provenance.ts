/**
 * The SLSA v1 provenance predicate of a Portcullis image build
 * (https://slsa.dev/spec/v1.0/provenance). Pure: every fact is passed in. The build type is
 * ours and documented in docs/verify-portcullis.md; `externalParameters` holds what the caller
 * chose (source, platforms), `internalParameters` what the build script fixed (its commands,
 * node), `resolvedDependencies` every input by digest.
 */

export const PORTCULLIS_BUILD_TYPE = 'https://portcullis.dev/build/image/v1';
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';

export interface ResourceDescriptor {
  readonly uri: string;
  readonly digest: Readonly<Record<string, string>>;
  readonly name?: string;
}

export interface BuildFacts {
  /** e.g. `https://github.com/portcullis-dev/portcullis` */
  readonly sourceRepository: string;
  /** e.g. `refs/heads/main`, `refs/tags/v0.1.0` */
  readonly sourceRef: string;
  /** The git commit (40 hex digits) the image was built from. */
  readonly sourceCommit: string;
  /** Whether the checkout had no uncommitted change when the release ran. */
  readonly sourceTreeClean: boolean;
  readonly platforms: readonly string[];
  readonly sourceDateEpoch: number | undefined;
  /** The commands that built the image, in order, as run. */
  readonly commands: readonly string[];
  /** The node that ran the build (process.version of the builder). */
  readonly builderNodeVersion: string;
  /** Every other input by digest: lockfile, pinned node packages, Debian packages. */
  readonly dependencies: readonly ResourceDescriptor[];
}

export interface RunFacts {
  readonly builderId: string;
  readonly invocationId: string;
  readonly startedOn: Date;
  readonly finishedOn: Date;
  /** What the release produced beside the image (SBOMs), by digest. */
  readonly byproducts: readonly ResourceDescriptor[];
}

export function buildSlsaProvenance(build: BuildFacts, run: RunFacts): Record<string, unknown> {
  if (!/^[0-9a-f]{40}$/.test(build.sourceCommit)) throw new TypeError(`sourceCommit must be 40 hex digits, got ${JSON.stringify(build.sourceCommit)}`);
  const source = `git+${build.sourceRepository}@${build.sourceRef}`;
  return {
    buildDefinition: {
      buildType: PORTCULLIS_BUILD_TYPE,
      externalParameters: {
        // Both shapes policies/attestations.rego reads: {repository, ref} and source.
        repository: build.sourceRepository,
        ref: build.sourceRef,
        source,
        platforms: [...build.platforms],
      },
      internalParameters: {
        commands: [...build.commands],
        builderNodeVersion: build.builderNodeVersion,
        sourceTreeClean: build.sourceTreeClean,
        ...(build.sourceDateEpoch === undefined ? {} : { sourceDateEpoch: build.sourceDateEpoch }),
      },
      resolvedDependencies: [{ uri: source, digest: { gitCommit: build.sourceCommit } }, ...build.dependencies],
    },
    runDetails: {
      builder: { id: run.builderId },
      metadata: { invocationId: run.invocationId, startedOn: run.startedOn.toISOString(), finishedOn: run.finishedOn.toISOString() },
      byproducts: [...run.byproducts],
    },
  };
}
