package portcullis.examples.portcullis_self_test

import data.portcullis.examples.portcullis_self as policy
import rego.v1

cfg := {
	"build_type": "https://portcullis.dev/build/image/v1",
	"builders": ["https://ci.example/release"],
	"repositories": ["https://github.com/portcullis-dev/portcullis"],
	"protected_refs": ["refs/heads/main", "refs/tags/v*"],
}

notation := {"verifier": "release-notation", "type": "notation", "valid": true, "message": "m", "details": {}, "nested": []}

cosign_sig := {"verifier": "release-cosign", "type": "cosign", "valid": true, "message": "m", "nested": [], "details": {"signatures": [{"valid": true}], "attestations": []}}

provenance(predicate) := {
	"verifier": "release-provenance", "type": "cosign", "valid": true, "message": "m", "nested": [],
	"details": {"signatures": [{"valid": true}], "attestations": [{
		"format": "legacy", "predicateType": "https://slsa.dev/provenance/v1",
		"statementType": "https://in-toto.io/Statement/v1", "predicate": predicate,
	}]},
}

# What scripts/release.sh writes (scripts/release/slsa-provenance.ts), reduced to what is read.
ours(builder, repository, ref) := {
	"buildDefinition": {
		"buildType": "https://portcullis.dev/build/image/v1",
		"externalParameters": {"repository": repository, "ref": ref, "source": sprintf("git+%s@%s", [repository, ref])},
	},
	"runDetails": {"builder": {"id": builder}},
}

good := provenance(ours("https://ci.example/release", "https://github.com/portcullis-dev/portcullis", "refs/heads/main"))

decide(results) := d if {
	d := policy.decision with input as {"results": results, "errors": []} with data.portcullis_self as cfg
}

test_allows_both_signatures_and_trusted_provenance if {
	decide([notation, cosign_sig, good]) == {"allowed": true, "reasons": [], "warnings": []}
}

test_allows_a_release_tag if {
	decide([notation, cosign_sig, provenance(ours("https://ci.example/release", "https://github.com/portcullis-dev/portcullis", "refs/tags/v0.1.0"))]).allowed
}

test_denies_without_notation if {
	decide([cosign_sig, good]).reasons == ["no valid Notation signature from the Portcullis release certificate"]
}

test_an_attestation_is_not_a_cosign_signature if {
	decide([notation, good]).reasons == ["no valid Cosign signature from the Portcullis release key"]
}

test_denies_an_invalid_cosign_signature if {
	d := decide([notation, object.union(cosign_sig, {"valid": false, "error": {"code": "WRONG_KEY", "message": "m"}}), good])
	d.reasons == ["no valid Cosign signature from the Portcullis release key"]
}

test_denies_without_provenance if {
	decide([notation, cosign_sig]).reasons == ["no verified SLSA provenance of the Portcullis build (scripts/release.sh attests it with cosign attest --type slsaprovenance1)"]
}

test_denies_provenance_from_another_builder if {
	d := decide([notation, cosign_sig, provenance(ours("https://ci.example/laptop", "https://github.com/portcullis-dev/portcullis", "refs/heads/main"))])
	d.reasons == ["SLSA provenance not trusted: built by https://ci.example/laptop"]
}

test_names_every_failed_check if {
	d := decide([notation, cosign_sig, provenance(ours("https://ci.example/laptop", "https://github.com/mallory/portcullis", "refs/heads/wip"))])
	d.reasons == ["SLSA provenance not trusted: at unprotected ref refs/heads/wip; built by https://ci.example/laptop; from repository https://github.com/mallory/portcullis"]
}

test_denies_a_provenance_with_nothing_in_it if {
	d := decide([notation, cosign_sig, provenance({})])
	d.reasons == ["SLSA provenance not trusted: at unprotected ref (none); build type (none); built by (none); from repository (none)"]
}

test_denies_another_build_type if {
	p := json.patch(ours("https://ci.example/release", "https://github.com/portcullis-dev/portcullis", "refs/heads/main"), [{"op": "replace", "path": "/buildDefinition/buildType", "value": "https://example.com/other"}])
	decide([notation, cosign_sig, provenance(p)]).reasons == ["SLSA provenance not trusted: build type https://example.com/other"]
}

test_ignores_provenance_that_did_not_verify if {
	decide([notation, cosign_sig, object.union(good, {"valid": false})]).allowed == false
}

test_denies_on_a_pipeline_error if {
	d := policy.decision with input as {"results": [notation, cosign_sig, good], "errors": [{"stage": "referrers", "message": "timeout"}]} with data.portcullis_self as cfg
	d.reasons == ["referrers failed: timeout"]
}
