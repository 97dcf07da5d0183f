# Example: an image must carry a verified SBOM attestation (SPDX or CycloneDX predicate) and no
# package in it may be under a licence of data.denied_licenses (SPDX identifiers); plus the
# default signature rule. When the attestation verifier has `sbomRules`, the verdict of those
# rules is used: the same licence and package rules, with full SPDX expression semantics, as the
# `sbom` verifier applies to SBOMs attached as plain referrers ("MIT OR GPL-3.0-only" is allowed
# when only GPL is denied). Without them, data.denied_licenses is checked here, stricter:
# expressions are split into identifiers, so "MIT OR GPL-3.0-only" names GPL-3.0-only.
# Uses policies/attestations.rego: build this directory together with it, e.g.
#   opa build -t wasm --ignore '*_test.rego' -e portcullis/examples/sbom_attestation_licenses/decision \
#     policies/attestations.rego policies/examples/sbom-attestation-licenses
package portcullis.examples.sbom_attestation_licenses

import data.portcullis.attestations
import rego.v1

decision := {
	"allowed": count(deny) == 0,
	"reasons": sort([r | some r in deny]),
	"warnings": [],
}

denied_licenses := {lower(l) | some l in data.denied_licenses}

deny contains "no verified SBOM attestation: attest one (cosign attest --type spdxjson or cyclonedx)" if {
	count(attestations.sboms) == 0
}

deny contains msg if {
	some a in attestations.sboms
	some v in attestations.sbom_violations(a)
	msg := sprintf("SBOM attestation (%s): %s", [a.predicateType, v.message])
}

deny contains msg if {
	some a in attestations.sboms
	e := a.sbom.error
	msg := sprintf("SBOM attestation (%s) could not be checked: %s: %s", [a.predicateType, e.code, e.message])
}

deny contains msg if {
	some a in attestations.sboms
	not attestations.sbom_checked(a)
	some expression in attestations.licenses(a)
	some id in attestations.license_ids(expression)
	lower(id) in denied_licenses
	msg := sprintf("SBOM attestation (%s) lists a package under denied licence %s (%s)", [a.predicateType, id, expression])
}

deny contains "no valid signature: no valid Notation or Cosign signature found for this image" if {
	not signed
}

deny contains msg if {
	some e in input.errors
	msg := sprintf("%s failed: %s", [e.stage, e.message])
}

signed if {
	some r in input.results
	r.type in {"notation", "cosign"}
	r.valid == true
	not r.error
}
