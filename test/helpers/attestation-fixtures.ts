/**
 * What the attestation integration tests share: predicates generated for the test (a SLSA v1
 * provenance as a GitHub-Actions-like builder writes it, a cosign vulnerability scan record, an
 * SPDX 2.3 SBOM with one package), an
 * admission context, and an example policy built to Wasm with the helpers it imports.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { AdmissionContext } from '../../src/admission/ports.js';
import { buildFixtureBundle } from './build-fixture-bundle.js';
import { PROJECT_ROOT } from './tools.js';

export function slsaProvenance(repository: string, ref: string, builder: string): { buildDefinition: { externalParameters: Record<string, unknown> } & Record<string, unknown> } & Record<string, unknown> {
  return {
    buildDefinition: {
      buildType: 'https://actions.github.io/buildtypes/workflow/v1',
      externalParameters: { workflow: { repository, ref, path: '.github/workflows/release.yml' } },
      internalParameters: {},
      resolvedDependencies: [{ uri: `git+${repository}@${ref}`, digest: { gitCommit: 'a'.repeat(40) } }],
    },
    runDetails: { builder: { id: builder }, metadata: { invocationId: 'run-1' } },
  };
}

/** A cosign vulnerability predicate whose result is a Trivy JSON report. */
export function vulnerabilityScan(finishedAt: Date, severities: readonly string[]): unknown {
  const at = finishedAt.toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    invocation: { uri: 'https://ci.example.test/scan/1', event_id: '1', 'builder.id': 'trivy' },
    scanner: {
      uri: 'pkg:github/aquasecurity/trivy@0.60.0', version: '0.60.0', db: { uri: 'https://ghcr.io/aquasecurity/trivy-db', version: '2' },
      result: { SchemaVersion: 2, Results: [{ Target: 'app', Vulnerabilities: severities.map((s, i) => ({ VulnerabilityID: `CVE-2026-${1000 + i}`, Severity: s })) }] },
    },
    metadata: { scanStartedOn: at, scanFinishedOn: at },
  };
}

/** An SPDX 2.3 document with one package under `license` (an SPDX expression). */
export function spdxPredicate(license: string): unknown {
  return {
    spdxVersion: 'SPDX-2.3', dataLicense: 'CC0-1.0', SPDXID: 'SPDXRef-DOCUMENT', name: 'app', documentNamespace: 'https://example.test/spdx/app',
    creationInfo: { created: '2026-01-01T00:00:00Z', creators: ['Tool: portcullis-test'] },
    packages: [{ name: 'libexample', SPDXID: 'SPDXRef-Package-libexample', versionInfo: '1.0.0', downloadLocation: 'NOASSERTION', licenseConcluded: license }],
  };
}

export function podAdmission(): AdmissionContext {
  return {
    signal: AbortSignal.timeout(30_000), deadline: Date.now() + 30_000,
    request: { uid: 'u1', operation: 'CREATE', namespace: 'default', kind: { group: '', version: 'v1', kind: 'Pod' }, name: 'web', userInfo: { username: 'dev', groups: [] }, dryRun: false },
    pod: { imagePullSecrets: [] },
  };
}

/** Builds `policies/examples/<example>` with `policies/attestations.rego`, as docs/verifiers/attestations.md says. */
export async function exampleBundle(example: string, work: string): Promise<string> {
  const dir = mkdtempSync(join(work, `policy-${example}-`));
  copyFileSync(join(PROJECT_ROOT, 'policies/attestations.rego'), join(dir, 'attestations.rego'));
  copyFileSync(join(PROJECT_ROOT, `policies/examples/${example}/policy.rego`), join(dir, 'policy.rego'));
  const entrypoint = `portcullis/examples/${example.replaceAll('-', '_')}/decision`;
  return (await buildFixtureBundle(dir, { entrypoint, out: join(work, `${example}.tar.gz`) })).path;
}
