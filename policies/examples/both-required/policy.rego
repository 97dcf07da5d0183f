# Example: an image needs both a valid Notation signature and a valid Cosign signature.
# Build: portcullis policy build policies/examples/both-required
#   --entrypoint portcullis/examples/both_required/decision
package portcullis.examples.both_required

import rego.v1

decision := {
	"allowed": count(deny) == 0,
	"reasons": sort([r | some r in deny]),
	"warnings": [],
}

names := {"notation": "Notation", "cosign": "Cosign"}

deny contains msg if {
	some type, name in names
	not valid_of(type)
	msg := sprintf("no valid %s signature (both Notation and Cosign are required)", [name])
}

deny contains msg if {
	some e in input.errors
	msg := sprintf("%s failed: %s", [e.stage, e.message])
}

valid_of(type) if {
	some r in input.results
	r.type == type
	r.valid == true
	not r.error
}
