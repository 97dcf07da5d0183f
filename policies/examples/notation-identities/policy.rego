# Example: only Notation signatures from named identities count.
# data.notation_identities: list of signing certificate subjects (details.signer.subject of a
# notation result, e.g. "CN=release,O=Example"). Build: portcullis policy build policies/examples/notation-identities
#   --entrypoint portcullis/examples/notation_identities/decision
package portcullis.examples.notation_identities

import rego.v1

decision := {
	"allowed": count(deny) == 0,
	"reasons": sort([r | some r in deny]),
	"warnings": [],
}

trusted contains r if {
	some r in input.results
	r.type == "notation"
	r.valid == true
	not r.error
	r.details.signer.subject in data.notation_identities
}

deny contains msg if {
	count(trusted) == 0
	signers := sort({s | some r in input.results; r.type == "notation"; r.valid == true; s := r.details.signer.subject})
	msg := sprintf("no Notation signature from an allowed identity (signed by: %s; allowed: %s)", [concat(", ", signers), concat(", ", data.notation_identities)])
}

deny contains msg if {
	some e in input.errors
	msg := sprintf("%s failed: %s", [e.stage, e.message])
}
