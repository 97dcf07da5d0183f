package portcullis.examples.sbom_attestation_licenses_test

import data.portcullis.examples.sbom_attestation_licenses as policy
import rego.v1

sig := {"verifier": "release", "type": "notation", "valid": true, "message": "m", "details": {}, "nested": []}

sbom(predicate_type, predicate) := {
	"verifier": "sboms", "type": "cosign", "valid": true, "message": "m", "nested": [],
	"details": {"signatures": [], "attestations": [{"format": "bundle", "predicateType": predicate_type, "statementType": "https://in-toto.io/Statement/v1", "predicate": predicate}]},
}

spdx(license) := sbom("https://spdx.dev/Document", {"spdxVersion": "SPDX-2.3", "packages": [{"name": "libx", "licenseConcluded": license}]})

decide(results) := d if {
	d := policy.decision with input as {"results": results, "errors": []} with data.denied_licenses as ["GPL-3.0-only"]
}

test_allows_permissive_licences if {
	decide([sig, spdx("MIT")]) == {"allowed": true, "reasons": [], "warnings": []}
}

test_denies_a_denied_licence_inside_an_expression if {
	d := decide([sig, spdx("Apache-2.0 OR GPL-3.0-only")])
	d.reasons == ["SBOM attestation (https://spdx.dev/Document) lists a package under denied licence GPL-3.0-only (Apache-2.0 OR GPL-3.0-only)"]
}

test_denies_in_cyclonedx if {
	d := decide([sig, sbom("https://cyclonedx.org/bom", {"components": [{"name": "y", "licenses": [{"license": {"id": "gpl-3.0-only"}}]}]})])
	d.allowed == false
}

test_denies_without_an_sbom_attestation if {
	decide([sig]).reasons == ["no verified SBOM attestation: attest one (cosign attest --type spdxjson or cyclonedx)"]
}
