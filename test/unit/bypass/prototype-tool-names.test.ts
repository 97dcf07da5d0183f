/**
 * Bypass class 7 (issue 13), SARIF: the scanner was looked up by the report's own tool name in
 * an object literal, so a run "written by" `constructor` or `toString` found a prototype
 * member, passed as a supported scanner and was read as a Grype report. Only Trivy and Grype
 * are supported; every other name is refused.
 */
import { describe, expect, it } from '@jest/globals';
import { SARIF_JSON } from '../../../src/oci/media-types.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { createVulnerabilityReportVerifier } from '../../../src/verifiers/vulnerability/create-vulnerability-report-verifier.js';
import { referrerArtifact } from '../../helpers/referrer-artifact.js';
import { PROTOTYPE_NAMES } from '../../helpers/prototype-names.js';

const subject = { reference: 'r/app@sha256:' + 'a'.repeat(64), registry: 'r', repository: 'app', digest: 'sha256:' + 'a'.repeat(64), mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 1 };

describe('bypass class 7: SARIF tool names named after prototype members', () => {
  it.each([...PROTOTYPE_NAMES, 'Constructor ', ' __PROTO__'])('refuses a report written by "%s" as an unsupported scanner', async (name) => {
    const verifier = await createVulnerabilityReportVerifier({ name: 'v', type: 'vulnerabilityreport', disallowedSeverities: ['critical'] }, 'verifiers[0]', { baseDir: '/', logger: silentLogger() });
    const bytes = JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name, rules: [{ id: 'CVE-1', help: { text: 'Severity: CRITICAL' } }] } }, results: [{ ruleId: 'CVE-1', message: { text: 'x' } }] }] });
    const artifact = referrerArtifact({ artifactType: SARIF_JSON, layers: [{ mediaType: SARIF_JSON, bytes }] });
    const r = await verifier.verify(subject, artifact, { signal: new AbortController().signal, now: new Date(), nested: [] });
    expect(r).toMatchObject({ valid: false, error: { code: 'UNSUPPORTED_SCANNER', message: `run 0 was written by "${name}"; only Trivy and Grype reports are supported` } });
  });
});
