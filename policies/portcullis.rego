# The default Portcullis policy (SPEC "Policy"). Entrypoint: portcullis/decision.
#
# Input: one image (or one platform of it) with the results of every configured verifier on
# its referrers, and the errors of pipeline stages that could not finish. Output:
# {"allowed": bool, "reasons": [string], "warnings": [string]}.
#
# Rules:
#   - at least one valid signature from a signature verifier (notation or cosign);
#   - any verifier error or pipeline stage error denies, naming it;
#   - SBOM and vulnerability-report results, where present, must be valid.
#
# Reasons are one line a person can act on. Only %s is used in sprintf: the Wasm host
# (sprintf-js) and OPA's Go sprintf agree on it.
package portcullis

import rego.v1

signature_types := {"notation", "cosign"}

artifact_types := {"sbom", "vulnerabilityreport"}

decision := {
	"allowed": count(deny) == 0,
	"reasons": sort([r | some r in deny]),
	"warnings": sort([w | some w in warn]),
}

valid_signatures contains r if {
	some r in input.results
	r.type in signature_types
	r.valid == true
	not r.error
}

# Signature results that were checked and failed (errors are reported on their own).
invalid_signatures contains r if {
	some r in input.results
	r.type in signature_types
	r.valid != true
	not r.error
}

deny contains msg if {
	count(valid_signatures) == 0
	count(invalid_signatures) == 0
	msg := "no valid signature: no Notation or Cosign signature found for this image"
}

deny contains msg if {
	count(valid_signatures) == 0
	some r in invalid_signatures
	msg := sprintf("no valid signature: %s \"%s\": %s", [r.type, r.verifier, r.message])
}

deny contains msg if {
	some r in input.results
	r.error
	msg := sprintf("%s \"%s\" could not verify %s: %s", [r.type, r.verifier, r.referrer.digest, r.error.message])
}

deny contains msg if {
	some e in input.errors
	msg := sprintf("%s failed: %s", [e.stage, e.message])
}

deny contains msg if {
	some r in input.results
	r.type in artifact_types
	r.valid != true
	not r.error
	msg := sprintf("%s \"%s\": %s", [r.type, r.verifier, r.message])
}

# No warnings by default; example policies add some.
warn := set()
