# Example: the default rule (one valid Notation or Cosign signature), except for namespaces
# and image globs listed in data.exemptions: {"namespaces": [...], "images": [globs]}.
# Image globs match subject.reference without its digest, "/" separating segments
# (e.g. "registry.example.com/tools/*"). An exempt image is allowed with a warning.
# subject.reference is canonical (docs/registry-identity.md): write globs with lower-case
# hosts, no ":443", and Docker Hub as "docker.io/library/…", and every spelling is covered.
# Build: portcullis policy build policies/examples/exemptions
#   --entrypoint portcullis/examples/exemptions/decision
package portcullis.examples.exemptions

import rego.v1

decision := {"allowed": true, "reasons": [], "warnings": [msg]} if {
	some why in exempt
	msg := sprintf("not verified: %s", [why])
} else := {
	"allowed": count(deny) == 0,
	"reasons": sort([r | some r in deny]),
	"warnings": [],
}

exempt contains sprintf("namespace %s is exempt", [input.request.namespace]) if {
	input.request.namespace in exempt_namespaces
}

exempt contains sprintf("image matches exemption %s", [g]) if {
	some g in exempt_images
	glob.match(g, ["/"], image_name)
}

default exempt_namespaces := []

exempt_namespaces := data.exemptions.namespaces

default exempt_images := []

exempt_images := data.exemptions.images

image_name := regex.replace(input.subject.reference, "@sha256:[0-9a-f]+$", "")

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
