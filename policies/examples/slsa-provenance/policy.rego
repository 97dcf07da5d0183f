# Example: an image must carry a verified SLSA provenance attestation (v1 or v0.2) saying it was
# built by a trusted builder, from a trusted repository, at a protected ref; plus the default
# signature rule. data.slsa: {"builders": [builder.id…], "repositories": [URL…],
# "protected_refs": ["refs/heads/main", "refs/tags/v*"]} (a trailing * matches any suffix).
# Uses policies/attestations.rego: build this directory together with it, e.g.
#   opa build -t wasm --ignore '*_test.rego' -e portcullis/examples/slsa_provenance/decision \
#     policies/attestations.rego policies/examples/slsa-provenance
package portcullis.examples.slsa_provenance

import data.portcullis.attestations
import rego.v1

decision := {
	"allowed": count(deny) == 0,
	"reasons": sort([r | some r in deny]),
	"warnings": [],
}

# Provenance whose builder, repository and ref are all trusted.
trusted contains a if {
	some a in attestations.provenances
	attestations.builder_id(a) in data.slsa.builders
	attestations.source_repository(a) in data.slsa.repositories
	protected(attestations.source_ref(a))
}

protected(ref) if ref in data.slsa.protected_refs

protected(ref) if {
	some p in data.slsa.protected_refs
	endswith(p, "*")
	startswith(ref, trim_suffix(p, "*"))
}

deny contains "no verified SLSA provenance attestation: attest the build (cosign attest --type slsaprovenance1)" if {
	count(attestations.provenances) == 0
}

# Say what is wrong with each provenance that is present but not trusted.
deny contains msg if {
	count(trusted) == 0
	some a in attestations.provenances
	msg := sprintf("SLSA provenance not trusted: built by %s from %s at %s", [
		text(attestations.builder_id(a)), text(attestations.source_repository(a)), text(attestations.source_ref(a)),
	])
}

text(v) := v if is_string(v)

else := "(unknown)"

deny contains "no valid signature: no valid Notation or Cosign signature found for this image" if {
	not signed
}

deny contains msg if {
	some e in input.errors
	msg := sprintf("%s failed: %s", [e.stage, e.message])
}

signed if {
	some r in input.results
	r.type in {"notation", "cosign"}
	r.valid == true
	not r.error
}
