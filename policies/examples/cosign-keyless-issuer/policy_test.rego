package portcullis.examples.cosign_keyless_issuer_test

import data.portcullis.examples.cosign_keyless_issuer as policy
import rego.v1

issuer := "https://token.actions.githubusercontent.com"

sig(iss) := {"verifier": "keyless", "type": "cosign", "valid": true, "message": "m", "details": {"signatures": [{"format": "bundle", "issuer": iss, "identity": "ci", "valid": true}]}, "nested": []}

test_allows_the_configured_issuer if {
	d := policy.decision with input as {"results": [sig(issuer)], "errors": []} with data.cosign_issuer as issuer
	d.allowed == true
}

test_denies_another_issuer if {
	d := policy.decision with input as {"results": [sig("https://accounts.google.com")], "errors": []}
		with data.cosign_issuer as issuer
	d.reasons == ["no valid Cosign keyless signature issued by https://token.actions.githubusercontent.com"]
}

test_denies_a_stage_error_beside_a_good_signature if {
	d := policy.decision with input as {"results": [sig(issuer)], "errors": [{"stage": "referrers", "message": "timeout"}]}
		with data.cosign_issuer as issuer
	d.reasons == ["referrers failed: timeout"]
}
