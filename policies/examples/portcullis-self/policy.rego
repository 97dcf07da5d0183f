# Example: Portcullis admits its own image (docs/verify-portcullis.md) only when it carries
#   - a valid Notation signature, and
#   - a valid Cosign signature (not an attestation), and
#   - a verified SLSA v1 provenance of Portcullis' build type, from a trusted builder, of the
#     Portcullis repository, at a protected ref,
# as scripts/release.sh makes them. data.portcullis_self: {"build_type", "builders": [id…],
# "repositories": [URL…], "protected_refs": ["refs/heads/main", "refs/tags/v*"]}.
# Build it with the attestation helpers:
#   opa build -t wasm --ignore '*_test.rego' -e portcullis/examples/portcullis_self/decision \
#     policies/attestations.rego policies/examples/portcullis-self
package portcullis.examples.portcullis_self

import data.portcullis.attestations
import rego.v1

decision := {
	"allowed": count(deny) == 0,
	"reasons": sort([r | some r in deny]),
	"warnings": [],
}

cfg := data.portcullis_self

deny contains "no valid Notation signature from the Portcullis release certificate" if {
	not notation_signed
}

deny contains "no valid Cosign signature from the Portcullis release key" if {
	not cosign_signed
}

deny contains "no verified SLSA provenance of the Portcullis build (scripts/release.sh attests it with cosign attest --type slsaprovenance1)" if {
	count(attestations.provenances) == 0
}

# Name what is wrong with each provenance present, when none is trusted.
deny contains msg if {
	count(trusted) == 0
	some a in attestations.provenances
	msg := sprintf("SLSA provenance not trusted: %s", [concat("; ", sort(problems(a)))])
}

deny contains msg if {
	some e in input.errors
	msg := sprintf("%s failed: %s", [e.stage, e.message])
}

trusted contains a if {
	some a in attestations.provenances
	count(problems(a)) == 0
}

problems(a) := {p |
	some check in checks(a)
	not check.ok
	p := check.problem
}

# Every field read through a default, so that a provenance missing one still gets a reason.
checks(a) := [
	{"ok": build_type(a) == cfg.build_type, "problem": sprintf("build type %s", [text(build_type(a))])},
	{"ok": builder(a) in cfg.builders, "problem": sprintf("built by %s", [text(builder(a))])},
	{"ok": repository(a) in cfg.repositories, "problem": sprintf("from repository %s", [text(repository(a))])},
	{"ok": is_protected(ref(a)), "problem": sprintf("at unprotected ref %s", [text(ref(a))])},
]

build_type(a) := object.get(a.predicate, ["buildDefinition", "buildType"], null)

builder(a) := b if b := attestations.builder_id(a)

else := null

repository(a) := r if r := attestations.source_repository(a)

else := null

ref(a) := r if r := attestations.source_ref(a)

else := null

is_protected(r) if {
	some p in cfg.protected_refs
	ref_matches(p, r)
} else := false

ref_matches(p, r) if p == r

ref_matches(p, r) if {
	endswith(p, "*")
	is_string(r)
	startswith(r, trim_suffix(p, "*"))
}

text(v) := v if is_string(v)

else := "(none)"

valid(r) if {
	r.valid == true
	not r.error
}

notation_signed if {
	some r in input.results
	r.type == "notation"
	valid(r)
}

# A Cosign result without attestations is a signature; attestations verify as Cosign results too.
cosign_signed if {
	some r in input.results
	r.type == "cosign"
	valid(r)
	count(object.get(r, ["details", "attestations"], [])) == 0
}
