package portcullis.examples.exemptions_test

import data.portcullis.examples.exemptions as policy
import rego.v1

ex := {"namespaces": ["sandbox"], "images": ["registry.example.com/tools/*"]}

mk(ns, ref) := {"subject": {"reference": ref}, "request": {"namespace": ns}, "results": [], "errors": []}

test_allows_an_exempt_namespace_with_a_warning if {
	d := policy.decision with input as mk("sandbox", "registry.example.com/app:1") with data.exemptions as ex
	d == {"allowed": true, "reasons": [], "warnings": ["not verified: namespace sandbox is exempt"]}
}

test_allows_an_exempt_image_glob if {
	d := policy.decision with input as mk("default", "registry.example.com/tools/debug:1@sha256:0a1b") with data.exemptions as ex
	d.warnings == ["not verified: image matches exemption registry.example.com/tools/*"]
}

test_a_glob_does_not_cross_path_segments if {
	d := policy.decision with input as mk("default", "registry.example.com/tools/a/b:1") with data.exemptions as ex
	d.allowed == false
}

test_denies_an_unsigned_image_elsewhere if {
	d := policy.decision with input as mk("default", "registry.example.com/app:1") with data.exemptions as ex
	d.reasons == ["no valid signature: no valid Notation or Cosign signature found for this image"]
}

test_works_without_exemption_data if {
	d := policy.decision with input as mk("sandbox", "registry.example.com/app:1") with data.exemptions as {}
	d.allowed == false
}
