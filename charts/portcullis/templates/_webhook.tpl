{{/*
One webhook entry, the same for both configurations but for its name and path (as
manifests/*-webhook-configuration.yaml): CREATE and UPDATE of Pods and every pod-template kind,
never in kube-system, the release namespace or validation.excludeNamespaces.
Call with (dict "root" $ "name" "pin.portcullis.dev" "path" "/mutate").
*/}}
{{- define "portcullis.webhook" -}}
{{- $root := .root -}}
{{- $c := $root.Values.certificates -}}
- name: {{ .name }}
  clientConfig:
    service:
      name: {{ include "portcullis.fullname" $root }}
      namespace: {{ $root.Release.Namespace }}
      path: {{ .path }}
      port: {{ $root.Values.service.port }}
    {{- if and (not $c.selfManaged.enabled) $c.caBundle }}
    caBundle: {{ $c.caBundle }}
    {{- end }}
  rules:
    - apiGroups: [""]
      apiVersions: [v1]
      operations: [CREATE, UPDATE]
      resources: [pods, pods/ephemeralcontainers, replicationcontrollers, podtemplates]
      scope: Namespaced
    - apiGroups: [apps]
      apiVersions: [v1]
      operations: [CREATE, UPDATE]
      resources: [deployments, replicasets, statefulsets, daemonsets]
      scope: Namespaced
    - apiGroups: [batch]
      apiVersions: [v1]
      operations: [CREATE, UPDATE]
      resources: [jobs, cronjobs]
      scope: Namespaced
  # Never judge the control plane or Portcullis itself (a webhook that must admit its own
  # replacement Pods could lock the cluster). kubernetes.io/metadata.name is set by the API server.
  namespaceSelector:
    matchExpressions:
      - key: kubernetes.io/metadata.name
        operator: NotIn
        values: {{ include "portcullis.excludedNamespaces" $root }}
  matchPolicy: Equivalent
  sideEffects: None
  # Portcullis answers before the ?timeout= the API server sends, minus admission.deadlineBufferMs.
  timeoutSeconds: {{ $root.Values.webhooks.timeoutSeconds }}
  failurePolicy: {{ $root.Values.webhooks.failurePolicy }}
  admissionReviewVersions: [v1]
{{- end -}}

{{- define "portcullis.webhookMetadata" -}}
name: {{ include "portcullis.fullname" . }}
labels:
  {{- include "portcullis.labels" . | nindent 2 }}
{{- with .Values.webhooks.annotations }}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Without self-managed certificates the API server needs the CA from somewhere: caBundle or an injector. */}}
{{- define "portcullis.checkCaBundle" -}}
{{- $c := .Values.certificates -}}
{{- if and (not $c.selfManaged.enabled) (not $c.caBundle) (not (hasKey .Values.webhooks.annotations "cert-manager.io/inject-ca-from")) -}}
{{- fail "certificates.selfManaged.enabled is false: set certificates.caBundle (base64 of the CA PEM) or a CA injector annotation in webhooks.annotations (cert-manager.io/inject-ca-from)" -}}
{{- end -}}
{{- end -}}
