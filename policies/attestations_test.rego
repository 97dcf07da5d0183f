package portcullis.attestations_test

import data.portcullis.attestations
import rego.v1

result(attestation_list) := {
	"verifier": "attest", "type": "cosign", "valid": true, "message": "m",
	"details": {"signatures": [], "attestations": attestation_list}, "nested": [],
}

att(t, predicate) := {"format": "legacy", "predicateType": t, "statementType": "https://in-toto.io/Statement/v1", "predicate": predicate, "key": "k"}

v1 := att(attestations.slsa_provenance_v1, {
	"buildDefinition": {
		"buildType": "https://actions.github.io/buildtypes/workflow/v1",
		"externalParameters": {"workflow": {"repository": "https://github.com/acme/app", "ref": "refs/heads/main", "path": ".github/workflows/release.yml"}},
		"resolvedDependencies": [{"uri": "git+https://github.com/acme/app@refs/heads/main", "digest": {"gitCommit": "abc"}}],
	},
	"runDetails": {"builder": {"id": "https://builder.example/v1"}},
})

v02 := att(attestations.slsa_provenance_v02, {
	"builder": {"id": "https://builder.example/v02"},
	"invocation": {"configSource": {"uri": "git+https://github.com/acme/app@refs/tags/v1.2.0", "digest": {"sha1": "abc"}}},
	"materials": [{"uri": "pkg:docker/golang@1.22", "digest": {"sha256": "aa"}}],
})

test_only_valid_cosign_results_are_verified_attestations if {
	bad := object.union(result([v1]), {"valid": false})
	errored := object.union(result([v1]), {"error": {"code": "X", "message": "m"}})
	notation := object.union(result([v1]), {"type": "notation"})
	got := attestations.verified with input as {"results": [bad, errored, notation, result([v02])]}
	got == {object.union(v02, {"verifier": "attest"})}
}

test_valid_intoto_results_are_verified_attestations if {
	signed := object.union(att(attestations.slsa_provenance_v1, {}), {"format": "oci-artifact", "layer": 0, "signedBy": ["release"]})
	intoto := {"verifier": "statements", "type": "intoto", "valid": true, "details": {"attestations": [signed]}, "nested": []}
	unsigned := object.union(intoto, {"valid": false, "error": {"code": "NOT_SIGNED", "message": "m"}})
	got := attestations.verified with input as {"results": [intoto, unsigned]}
	got == {object.union(signed, {"verifier": "statements"})}
}

test_slsa_v1_fields if {
	attestations.builder_id(v1) == "https://builder.example/v1"
	attestations.source_repository(v1) == "https://github.com/acme/app"
	attestations.source_ref(v1) == "refs/heads/main"
	attestations.resolved_dependencies(v1) == [{"uri": "git+https://github.com/acme/app@refs/heads/main", "digest": {"gitCommit": "abc"}}]
}

test_slsa_v1_source_string if {
	a := att(attestations.slsa_provenance_v1, {"buildDefinition": {"externalParameters": {"source": "git+https://git.example/org/app@refs/tags/v2"}}})
	attestations.source_repository(a) == "https://git.example/org/app"
	attestations.source_ref(a) == "refs/tags/v2"
	attestations.resolved_dependencies(a) == []
}

test_slsa_v02_fields if {
	attestations.builder_id(v02) == "https://builder.example/v02"
	attestations.source_repository(v02) == "https://github.com/acme/app"
	attestations.source_ref(v02) == "refs/tags/v1.2.0"
	count(attestations.resolved_dependencies(v02)) == 1
}

test_vulnerability_findings_from_trivy_and_grype if {
	trivy := att(attestations.cosign_vuln_v1, {
		"scanner": {"result": {"Results": [{"Vulnerabilities": [{"VulnerabilityID": "CVE-1", "Severity": "critical"}, {"VulnerabilityID": "CVE-2", "Severity": "LOW"}]}]}},
		"metadata": {"scanFinishedOn": "2026-03-01T00:00:00Z"},
	})
	attestations.findings(trivy) == {{"id": "CVE-1", "severity": "CRITICAL"}, {"id": "CVE-2", "severity": "LOW"}}
	attestations.findings_of_severity(trivy, "Critical") == {{"id": "CVE-1", "severity": "CRITICAL"}}
	attestations.scan_finished_ns(trivy) == time.parse_rfc3339_ns("2026-03-01T00:00:00Z")
	grype := att(attestations.cosign_vuln_v1, {"scanner": {"result": {"matches": [{"vulnerability": {"id": "GHSA-1", "severity": "High"}}]}}})
	attestations.findings(grype) == {{"id": "GHSA-1", "severity": "HIGH"}}
}

test_sbom_licenses_spdx_and_cyclonedx if {
	spdx := att("https://spdx.dev/Document", {"packages": [
		{"name": "a", "licenseConcluded": "MIT", "licenseDeclared": "NOASSERTION"},
		{"name": "b", "licenseDeclared": "(Apache-2.0 OR GPL-3.0-only) AND Zlib"},
	]})
	attestations.is_sbom(spdx)
	attestations.licenses(spdx) == {"MIT", "(Apache-2.0 OR GPL-3.0-only) AND Zlib"}
	cdx := att("https://cyclonedx.org/bom", {"components": [{"licenses": [{"license": {"id": "BSD-3-Clause"}}, {"expression": "MIT OR AGPL-3.0-only"}]}]})
	attestations.licenses(cdx) == {"BSD-3-Clause", "MIT OR AGPL-3.0-only"}
}

test_license_ids_split_expressions if {
	attestations.license_ids("(Apache-2.0 OR GPL-3.0-only) AND Zlib") == {"Apache-2.0", "GPL-3.0-only", "Zlib"}
	attestations.license_ids("GPL-2.0-only WITH Classpath-exception-2.0") == {"GPL-2.0-only"}
}
