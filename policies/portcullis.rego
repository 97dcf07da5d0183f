# The default Portcullis policy (SPEC "Policy"). Entrypoint: portcullis/decision.
#
# Input: one image (or one platform of it) with the results of every configured verifier on
# its referrers, and the errors of pipeline stages that could not finish. Output:
# {"allowed": bool, "reasons": [string], "warnings": [string]}.
#
# Rules:
#   - at least one valid signature from a signature verifier (notation or cosign); when there
#     is none, each failed signature is a reason (its error or message);
#   - a pipeline stage error (resolve, referrers, fetch, …) denies, naming the stage;
#   - SBOM and vulnerability-report results, where present, must be valid; a verifier error on
#     one denies with the error.
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
	valid(r)
}

# Signature results that did not verify. Verifiers may report a failed check as an `error`
# (Notation does, with a code): for signatures either way means "not valid", and only matters
# when no other signature is valid (as `notation verify`: one good signature suffices).
failed_signatures contains r if {
	some r in input.results
	r.type in signature_types
	not valid(r)
}

valid(r) if {
	r.valid == true
	not r.error
}

failure(r) := r.error.message if r.error

else := r.message

deny contains msg if {
	count(valid_signatures) == 0
	count(failed_signatures) == 0
	msg := "no valid signature: no Notation or Cosign signature found for this image"
}

deny contains msg if {
	count(valid_signatures) == 0
	some r in failed_signatures
	msg := sprintf("no valid signature: %s \"%s\": %s", [r.type, r.verifier, failure(r)])
}

# An SBOM or vulnerability report that could not be verified denies with the error.
deny contains msg if {
	some r in input.results
	r.type in artifact_types
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
