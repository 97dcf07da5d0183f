package portcullis_test

import data.portcullis
import rego.v1

subject := {
	"reference": "127.0.0.1:5000/app:1@sha256:aa", "registry": "127.0.0.1:5000",
	"repository": "app", "tag": "1", "digest": "sha256:aa",
	"mediaType": "application/vnd.oci.image.manifest.v1+json",
}

result(type, name, valid, message) := {
	"verifier": name, "type": type, "artifactType": "x",
	"referrer": {"digest": "sha256:bb", "mediaType": "application/vnd.oci.image.manifest.v1+json", "annotations": {}},
	"valid": valid, "message": message, "details": {}, "nested": [],
}

input_with(results, errors) := {"subject": subject, "request": {"namespace": "default"}, "results": results, "errors": errors}

test_allows_a_valid_notation_signature if {
	d := portcullis.decision with input as input_with([result("notation", "release", true, "signed by CN=release")], [])
	d == {"allowed": true, "reasons": [], "warnings": []}
}

test_allows_a_valid_cosign_signature_beside_an_invalid_notation_one if {
	d := portcullis.decision with input as input_with(
		[
			result("cosign", "keyless", true, "signed by ci@example.com"),
			result("notation", "release", false, "certificate chain does not lead to trust store ca:release"),
		],
		[],
	)
	d.allowed == true
}

test_denies_an_image_without_referrers if {
	d := portcullis.decision with input as input_with([], [])
	d.allowed == false
	d.reasons == ["no valid signature: no Notation or Cosign signature found for this image"]
}

test_denies_an_invalid_signature_naming_the_verifier if {
	d := portcullis.decision with input as input_with(
		[result("notation", "release-signatures", false, "certificate chain does not lead to trust store ca:release")],
		[],
	)
	d.allowed == false
	d.reasons == ["no valid signature: notation \"release-signatures\": certificate chain does not lead to trust store ca:release"]
}

test_reports_a_signature_error_as_the_reason_when_nothing_is_valid if {
	errored := object.union(
		result("notation", "release-signatures", false, "certificate chain does not lead to trust store ca:release"),
		{"error": {"code": "UNTRUSTED_CHAIN", "message": "certificate chain does not lead to trust store ca:release"}},
	)
	d := portcullis.decision with input as input_with([errored], [])
	d.allowed == false
	d.reasons == ["no valid signature: notation \"release-signatures\": certificate chain does not lead to trust store ca:release"]
}

test_a_failed_signature_beside_a_valid_one_does_not_deny if {
	errored := object.union(result("cosign", "keyless", false, "x"), {"error": {"code": "MALFORMED", "message": "bundle is not JSON"}})
	d := portcullis.decision with input as input_with([result("notation", "release", true, "ok"), errored], [])
	d.allowed == true
}

test_denies_an_sbom_verifier_error_even_beside_a_valid_signature if {
	errored := object.union(result("sbom", "licenses", false, "x"), {"error": {"code": "UNSUPPORTED_FORMAT", "message": "not SPDX or CycloneDX JSON"}})
	d := portcullis.decision with input as input_with([result("notation", "release", true, "ok"), errored], [])
	d.allowed == false
	d.reasons == ["sbom \"licenses\" could not verify sha256:bb: not SPDX or CycloneDX JSON"]
}

test_denies_a_stage_error if {
	d := portcullis.decision with input as input_with(
		[result("notation", "release", true, "ok")],
		[{"stage": "referrers", "message": "deadline exceeded"}],
	)
	d.allowed == false
	d.reasons == ["referrers failed: deadline exceeded"]
}

test_denies_an_invalid_sbom if {
	d := portcullis.decision with input as input_with(
		[result("notation", "release", true, "ok"), result("sbom", "licenses", false, "denied license GPL-3.0-only in package foo")],
		[],
	)
	d.allowed == false
	d.reasons == ["sbom \"licenses\": denied license GPL-3.0-only in package foo"]
}

test_allows_valid_sbom_and_vulnerability_report if {
	d := portcullis.decision with input as input_with(
		[
			result("notation", "release", true, "ok"),
			result("sbom", "licenses", true, "ok"),
			result("vulnerabilityreport", "cves", true, "no disallowed findings"),
		],
		[],
	)
	d.allowed == true
}

test_denies_an_invalid_vulnerability_report if {
	d := portcullis.decision with input as input_with(
		[result("cosign", "k", true, "ok"), result("vulnerabilityreport", "cves", false, "CVE-2024-1 is critical")],
		[],
	)
	d.reasons == ["vulnerabilityreport \"cves\": CVE-2024-1 is critical"]
}
