package portcullis.examples.both_required_test

import data.portcullis.examples.both_required as policy
import rego.v1

sig(type) := {"verifier": type, "type": type, "valid": true, "message": "m", "details": {}, "nested": []}

test_allows_both if {
	d := policy.decision with input as {"results": [sig("notation"), sig("cosign")], "errors": []}
	d.allowed == true
}

test_denies_notation_only if {
	d := policy.decision with input as {"results": [sig("notation")], "errors": []}
	d.reasons == ["no valid Cosign signature (both Notation and Cosign are required)"]
}

test_denies_neither if {
	d := policy.decision with input as {"results": [], "errors": []}
	count(d.reasons) == 2
}
