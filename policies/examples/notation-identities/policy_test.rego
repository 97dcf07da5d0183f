package portcullis.examples.notation_identities_test

import data.portcullis.examples.notation_identities as policy
import rego.v1

sig(signer, valid) := {"verifier": "release", "type": "notation", "valid": valid, "message": "m", "details": {"signer": {"subject": signer}}, "nested": []}

test_allows_a_named_identity if {
	d := policy.decision with input as {"results": [sig("CN=release,O=Example", true)], "errors": []}
		with data.notation_identities as ["CN=release,O=Example"]
	d.allowed == true
}

test_denies_another_identity_and_names_it if {
	d := policy.decision with input as {"results": [sig("CN=dev,O=Example", true)], "errors": []}
		with data.notation_identities as ["CN=release,O=Example"]
	d.reasons == ["no Notation signature from an allowed identity (signed by: CN=dev,O=Example; allowed: CN=release,O=Example)"]
}

test_denies_an_invalid_signature_from_a_named_identity if {
	d := policy.decision with input as {"results": [sig("CN=release,O=Example", false)], "errors": []}
		with data.notation_identities as ["CN=release,O=Example"]
	d.allowed == false
}
