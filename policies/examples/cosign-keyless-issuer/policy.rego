# Example: only Cosign keyless signatures whose certificate was issued for one OIDC issuer
# (details.signatures[_].issuer of a valid cosign result) count. data.cosign_issuer: the issuer URL.
# Build: portcullis policy build policies/examples/cosign-keyless-issuer
#   --entrypoint portcullis/examples/cosign_keyless_issuer/decision
package portcullis.examples.cosign_keyless_issuer

import rego.v1

decision := {
	"allowed": count(deny) == 0,
	"reasons": sort([r | some r in deny]),
	"warnings": [],
}

trusted contains r if {
	some r in input.results
	r.type == "cosign"
	r.valid == true
	not r.error
	some sig in r.details.signatures
	sig.valid == true
	sig.issuer == data.cosign_issuer
}

deny contains msg if {
	count(trusted) == 0
	msg := sprintf("no valid Cosign keyless signature issued by %s", [data.cosign_issuer])
}

deny contains msg if {
	some e in input.errors
	msg := sprintf("%s failed: %s", [e.stage, e.message])
}
