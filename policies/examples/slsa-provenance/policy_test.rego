package portcullis.examples.slsa_provenance_test

import data.portcullis.examples.slsa_provenance as policy
import rego.v1

slsa := {
	"builders": ["https://builder.example/trusted"],
	"repositories": ["https://github.com/acme/app"],
	"protected_refs": ["refs/heads/main", "refs/tags/v*"],
}

sig := {"verifier": "release", "type": "notation", "valid": true, "message": "m", "details": {}, "nested": []}

provenance(builder, repository, ref) := {
	"verifier": "provenance", "type": "cosign", "valid": true, "message": "m", "nested": [],
	"details": {"signatures": [], "attestations": [{
		"format": "bundle", "predicateType": "https://slsa.dev/provenance/v1", "statementType": "https://in-toto.io/Statement/v1",
		"predicate": {
			"buildDefinition": {"externalParameters": {"workflow": {"repository": repository, "ref": ref}}},
			"runDetails": {"builder": {"id": builder}},
		},
	}]},
}

decide(results) := d if {
	d := policy.decision with input as {"results": results, "errors": []} with data.slsa as slsa
}

test_allows_a_trusted_build_from_a_protected_branch if {
	decide([sig, provenance("https://builder.example/trusted", "https://github.com/acme/app", "refs/heads/main")]).allowed == true
}

test_allows_a_trusted_build_from_a_release_tag if {
	decide([sig, provenance("https://builder.example/trusted", "https://github.com/acme/app", "refs/tags/v1.4.0")]).allowed == true
}

test_denies_another_builder if {
	d := decide([sig, provenance("https://builder.example/laptop", "https://github.com/acme/app", "refs/heads/main")])
	d.reasons == ["SLSA provenance not trusted: built by https://builder.example/laptop from https://github.com/acme/app at refs/heads/main"]
}

test_denies_a_fork if {
	decide([sig, provenance("https://builder.example/trusted", "https://github.com/mallory/app", "refs/heads/main")]).allowed == false
}

test_denies_an_unprotected_branch if {
	decide([sig, provenance("https://builder.example/trusted", "https://github.com/acme/app", "refs/heads/feature")]).allowed == false
}

test_denies_without_provenance if {
	d := decide([sig])
	d.reasons == ["no verified SLSA provenance attestation: attest the build (cosign attest --type slsaprovenance1)"]
}

test_ignores_provenance_that_did_not_verify if {
	bad := object.union(provenance("https://builder.example/trusted", "https://github.com/acme/app", "refs/heads/main"), {"valid": false})
	decide([sig, bad]).allowed == false
}
