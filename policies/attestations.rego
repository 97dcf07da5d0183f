# Typed helpers over verified in-toto attestations (docs/verifiers/attestations.md).
#
# A Cosign verifier with `predicateTypes` verifies attestations (legacy `.att` tags and Sigstore
# bundles), and an `intoto` verifier in-toto statements attached as OCI artifacts and signed on
# their manifest (`notation sign`); each valid one is an entry of its result's
# `details.attestations`:
#   {"format", "predicateType", "statementType", "predicate", "key" | "identity"+"issuer" | "signedBy"}
# Only signatures that verified, about this image's digest, of an accepted predicate type, get
# there: a policy can read `predicate` as a fact signed by a trusted key or identity.
#
# Import: `import data.portcullis.attestations`. Part of the default bundle (policies/), unused
# by the default decision; examples under policies/examples/ build on it.
package portcullis.attestations

import rego.v1

slsa_provenance_v1 := "https://slsa.dev/provenance/v1"

slsa_provenance_v02 := "https://slsa.dev/provenance/v0.2"

# cosign attest --type vuln (https://github.com/sigstore/cosign/blob/main/specs/COSIGN_VULN_ATTESTATION_SPEC.md)
cosign_vuln_v1 := "https://cosign.sigstore.dev/attestation/vuln/v1"

# cosign attest --type spdxjson / spdx, and the versioned types other tools write.
spdx_types := {"https://spdx.dev/Document", "https://spdx.dev/Document/v2.2", "https://spdx.dev/Document/v2.3"}

# cosign attest --type cyclonedx, and the versioned types other tools write.
cyclonedx_types := {
	"https://cyclonedx.org/bom", "https://cyclonedx.org/bom/v1.4", "https://cyclonedx.org/bom/v1.5",
	"https://cyclonedx.org/bom/v1.6", "https://cyclonedx.org/bom/v1.7",
}

attestation_verifier_types := {"cosign", "intoto"}

# Every verified attestation of the image, with the verifier that checked it added.
verified contains object.union(a, {"verifier": r.verifier}) if {
	some r in input.results
	r.type in attestation_verifier_types
	r.valid == true
	not r.error
	some a in r.details.attestations
}

# Verified attestations of one predicate type.
of_type(t) := {a | some a in verified; a.predicateType == t}

# Verified SBOM attestations (SPDX or CycloneDX predicates).
sboms := {a | some a in verified; is_sbom(a)}

is_sbom(a) if a.predicateType in spdx_types

is_sbom(a) if a.predicateType in cyclonedx_types

# --- SLSA provenance (v1: https://slsa.dev/spec/v1.0/provenance, v0.2: https://slsa.dev/spec/v0.2/provenance)

provenances := of_type(slsa_provenance_v1) | of_type(slsa_provenance_v02)

# The builder that signed off the build: runDetails.builder.id (v1) or builder.id (v0.2).
builder_id(a) := a.predicate.runDetails.builder.id if a.predicateType == slsa_provenance_v1

else := a.predicate.builder.id if a.predicateType == slsa_provenance_v02

# The source repository and ref the build ran from. SLSA v1 leaves externalParameters to the
# build type; the shapes read here, in order:
#   GitHub Actions (https://actions.github.io/buildtypes/workflow/v1): workflow.repository, workflow.ref;
#   {"repository": …, "ref": …};
#   {"source": "git+https://host/org/repo@refs/heads/main"} (and v0.2's invocation.configSource.uri).
source_repository(a) := r if r := a.predicate.buildDefinition.externalParameters.workflow.repository

else := r if r := a.predicate.buildDefinition.externalParameters.repository

else := r if r := split_source(a.predicate.buildDefinition.externalParameters.source)[0]

else := r if r := split_source(a.predicate.invocation.configSource.uri)[0]

source_ref(a) := r if r := a.predicate.buildDefinition.externalParameters.workflow.ref

else := r if r := a.predicate.buildDefinition.externalParameters.ref

else := r if r := split_source(a.predicate.buildDefinition.externalParameters.source)[1]

else := r if r := split_source(a.predicate.invocation.configSource.uri)[1]

# "git+https://host/org/repo@refs/heads/main" → ["https://host/org/repo", "refs/heads/main"].
split_source(uri) := [trim_prefix(concat("@", array.slice(parts, 0, count(parts) - 1)), "git+"), parts[count(parts) - 1]] if {
	is_string(uri)
	parts := split(uri, "@")
	count(parts) > 1
}

# The resolved dependencies (v1) or materials (v0.2): [{"uri", "digest": {…}}].
resolved_dependencies(a) := a.predicate.buildDefinition.resolvedDependencies if a.predicateType == slsa_provenance_v1

else := a.predicate.materials if a.predicateType == slsa_provenance_v02

else := []

# --- Cosign vulnerability scan records

scans := of_type(cosign_vuln_v1)

# When the scan finished, in nanoseconds since the epoch (metadata.scanFinishedOn, RFC 3339).
scan_finished_ns(a) := time.parse_rfc3339_ns(a.predicate.metadata.scanFinishedOn)

# The findings of the scan's result as {"id", "severity"} (severity upper-case). The result is
# the scanner's own report; read here: Trivy JSON (trivy --format cosign-vuln:
# Results[].Vulnerabilities[]) and Grype JSON (matches[].vulnerability).
findings(a) := trivy_findings(a.predicate.scanner.result) | grype_findings(a.predicate.scanner.result)

trivy_findings(result) := {{"id": v.VulnerabilityID, "severity": upper(v.Severity)} |
	some res in object.get(result, "Results", [])
	some v in object.get(res, "Vulnerabilities", [])
}

grype_findings(result) := {{"id": m.vulnerability.id, "severity": upper(m.vulnerability.severity)} |
	some m in object.get(result, "matches", [])
}

findings_of_severity(a, severity) := {f | some f in findings(a); f.severity == upper(severity)}

# --- SBOM predicates (SPDX 2.x JSON, CycloneDX JSON)

# Every licence expression or name the SBOM states for its packages: SPDX
# packages[].licenseConcluded/licenseDeclared (NOASSERTION and NONE left out), CycloneDX
# components[].licenses[].license.id/name or .expression.
licenses(a) := spdx_licenses(a.predicate) if a.predicateType in spdx_types

else := cyclonedx_licenses(a.predicate) if a.predicateType in cyclonedx_types

else := set()

spdx_licenses(doc) := {l |
	some p in object.get(doc, "packages", [])
	some field in ["licenseConcluded", "licenseDeclared"]
	l := object.get(p, field, "NOASSERTION")
	is_string(l)
	not l in {"NOASSERTION", "NONE", ""}
}

cyclonedx_licenses(doc) := {l |
	some c in object.get(doc, "components", [])
	some entry in object.get(c, "licenses", [])
	l := cyclonedx_license(entry)
}

cyclonedx_license(entry) := l if l := entry.expression

else := r if r := entry.license.id

else := r if r := entry.license.name

# The verdict of the verifier's `sbomRules` (the `sbom` verifier's licence and package rules, with
# full SPDX expression semantics) on an SBOM predicate, when the verifier has them:
# a.sbom = {"format", "specVersion", "packageCount", "violationCount", "violations"} or {"error"}.
sbom_checked(a) if is_object(a.sbom)

# The violations the rules found ({"kind", "package", "version"?, "license"?, "rule"?, "message"}); [] without sbomRules.
sbom_violations(a) := object.get(object.get(a, "sbom", {}), "violations", [])

# The licence identifiers of an SPDX expression: "(MIT OR GPL-3.0-only) AND Zlib" →
# {"MIT", "GPL-3.0-only", "Zlib"} ("A WITH E" gives "A"). Operators are case-sensitive per SPDX.
license_ids(expression) := {t |
	some t in split(replace(replace(expression, "(", " "), ")", " "), " ")
	t != ""
	not t in {"AND", "OR", "WITH", "and", "or", "with"}
	not is_exception(expression, t)
}

is_exception(expression, t) if contains(expression, concat(" ", ["WITH", t]))
