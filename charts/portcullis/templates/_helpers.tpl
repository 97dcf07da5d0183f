{{/*
Names. With the release named "portcullis" (docs/install-helm.md) every object is named as in
the kustomize base (manifests/): portcullis, portcullis-config, portcullis-tls, …
*/}}
{{- define "portcullis.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "portcullis.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "portcullis.selectorLabels" -}}
app.kubernetes.io/name: {{ include "portcullis.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "portcullis.labels" -}}
{{ include "portcullis.selectorLabels" . }}
app.kubernetes.io/part-of: portcullis
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Object names, in one place (the self-managed certificates' config and RBAC name them too). */}}
{{- define "portcullis.configName" -}}{{ include "portcullis.fullname" . }}-config{{- end -}}
{{- define "portcullis.tlsSecretName" -}}
{{- if and (not .Values.certificates.selfManaged.enabled) .Values.certificates.existingSecret -}}
{{- .Values.certificates.existingSecret -}}
{{- else -}}
{{- if .Values.certificates.selfManaged.enabled -}}
{{- include "portcullis.fullname" . }}-webhook-tls
{{- else -}}
{{- include "portcullis.fullname" . }}-tls
{{- end -}}
{{- end -}}
{{- end -}}
{{- define "portcullis.trustSecretName" -}}{{ default (printf "%s-trust-store" (include "portcullis.fullname" .)) .Values.trust.existingSecret }}{{- end -}}
{{- define "portcullis.clientCAName" -}}{{ include "portcullis.fullname" . }}-client-ca{{- end -}}
{{- define "portcullis.clientCASecretName" -}}{{ default (include "portcullis.clientCAName" .) .Values.mtls.clientCA.existingSecret }}{{- end -}}
{{- define "portcullis.leaseName" -}}{{ include "portcullis.fullname" . }}-webhook-certs{{- end -}}

{{- define "portcullis.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* Namespaces neither the webhooks nor the config ever judge: the control plane, Portcullis itself, and the operator's. */}}
{{- define "portcullis.excludedNamespaces" -}}
{{- toJson (uniq (concat (list "kube-system" .Release.Namespace) .Values.validation.excludeNamespaces)) -}}
{{- end -}}

{{/* Paths inside the container. */}}
{{- define "portcullis.clientCAFile" -}}/etc/portcullis/client-ca/{{ .Values.mtls.clientCA.key }}{{- end -}}

{{/* tls.selfManaged of the config (docs/self-managed-certs.md), naming this release's objects. */}}
{{- define "portcullis.selfManagedConfig" -}}
{{- $fullname := include "portcullis.fullname" . -}}
{{- $sm := .Values.certificates.selfManaged -}}
{{- toJson (dict
  "enabled" true
  "secretName" (include "portcullis.tlsSecretName" .)
  "namespace" .Release.Namespace
  "serviceName" $fullname
  "extraNames" $sm.extraNames
  "webhookConfigurations" (dict "validating" $fullname "mutating" $fullname)
  "leaseName" (include "portcullis.leaseName" .)
  "caValidity" $sm.caValidity
  "certValidity" $sm.certValidity
  "renewBefore" $sm.renewBefore
  "overlap" $sm.overlap
  "checkInterval" $sm.checkInterval
  "leaseDuration" $sm.leaseDuration
  "startTimeout" $sm.startTimeout
) -}}
{{- end -}}

{{/* The Portcullis config file (SPEC "Configuration"), from the values. */}}
{{- define "portcullis.config" -}}
{{- $v := .Values -}}
{{- $tls := dict "clientCAFile" nil "allowedClientNames" $v.mtls.allowedClientNames -}}
{{- if $v.mtls.enabled -}}{{- $_ := set $tls "clientCAFile" (include "portcullis.clientCAFile" .) -}}{{- end -}}
{{- if $v.certificates.selfManaged.enabled -}}
{{- /* The pair comes from the Secret, through the API server: no certFile/keyFile. */ -}}
{{- $_ := set $tls "selfManaged" (include "portcullis.selfManagedConfig" . | fromJson) -}}
{{- else -}}
{{- $_ := set $tls "certFile" "/etc/portcullis/tls/tls.crt" -}}
{{- $_ := set $tls "keyFile" "/etc/portcullis/tls/tls.key" -}}
{{- end -}}
{{- $validation := deepCopy $v.validation -}}
{{- $_ := set $validation "excludeNamespaces" (include "portcullis.excludedNamespaces" . | fromJsonArray) -}}
{{- $cache := dict "type" $v.cache.type "maxBytes" $v.cache.maxBytes "maxEntryBytes" $v.cache.maxEntryBytes -}}
{{- if or (eq $v.cache.type "redis") $v.cache.redis.url -}}
{{- $_ := set $cache "redis" (dict "url" $v.cache.redis.url "hmacKeys" $v.cache.redis.hmacKeys) -}}
{{- end -}}
{{- $config := dict
  "server" (dict "port" 8443 "metricsPort" 9090)
  "tls" $tls
  "admission" (deepCopy $v.admission)
  "mutation" (deepCopy $v.mutation)
  "validation" $validation
  "registries" (deepCopy $v.registries)
  "cache" $cache
  "policy" (dict "bundle" nil)
  "audit" (dict "enabled" $v.audit.enabled)
  "verifiers" (deepCopy $v.verifiers)
-}}
{{- $config = mergeOverwrite $config (deepCopy $v.extraConfig) -}}
{{- toYaml $config -}}
{{- end -}}

{{/* Whether the rendered config carries a credential: then it may only live in a Secret. */}}
{{- define "portcullis.configHasCredentials" -}}
{{- $registries := default dict .Values.extraConfig.registries -}}
{{- $extraCache := default dict .Values.extraConfig.cache -}}
{{- $extraRedis := default dict $extraCache.redis -}}
{{- $url := default .Values.cache.redis.url $extraRedis.url -}}
{{- if or (regexMatch "^[a-z+]+://[^/]*@" ($url | toString)) (gt (len (default list $registries.credentials)) 0) -}}true{{- end -}}
{{- end -}}
