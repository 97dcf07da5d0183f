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

checked(violations) := object.union(spdx("Apache-2.0 OR GPL-3.0-only"), {"details": {"signatures": [], "attestations": [{
	"format": "bundle", "predicateType": "https://spdx.dev/Document", "statementType": "https://in-toto.io/Statement/v1",
	"predicate": {"spdxVersion": "SPDX-2.3", "packages": [{"name": "libx", "licenseConcluded": "Apache-2.0 OR GPL-3.0-only"}]},
	"sbom": {"format": "spdx", "specVersion": "2.3", "packageCount": 1, "violationCount": count(violations), "violations": violations},
}]}})

test_the_verifier_sbom_rules_decide_when_present if {
	# The verifier's rules found nothing in "Apache-2.0 OR GPL-3.0-only" (Apache can be chosen):
	# the identifier split of data.denied_licenses is not applied on top.
	decide([sig, checked([])]) == {"allowed": true, "reasons": [], "warnings": []}
}

test_denies_on_the_verifier_sbom_violations if {
	d := decide([sig, checked([{"kind": "package", "package": "libx", "message": "libx@1.0.0 is a disallowed package (libx)"}])])
	d.reasons == ["SBOM attestation (https://spdx.dev/Document): libx@1.0.0 is a disallowed package (libx)"]
}

test_denies_an_sbom_the_rules_could_not_read if {
	bad := object.union(spdx("MIT"), {"details": {"signatures": [], "attestations": [{
		"format": "bundle", "predicateType": "https://spdx.dev/Document", "statementType": "s", "predicate": {},
		"sbom": {"error": {"code": "INVALID_DOCUMENT", "message": "spdxVersion is missing"}},
	}]}})
	decide([sig, bad]).reasons == ["SBOM attestation (https://spdx.dev/Document) could not be checked: INVALID_DOCUMENT: spdxVersion is missing"]
}
