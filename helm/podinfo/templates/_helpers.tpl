{{/*
Chart name, truncated to 63 characters (the DNS label limit).
*/}}
{{- define "podinfo.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name: fullnameOverride, else the release name when it already contains
the chart name, else "<release>-<chart>"; truncated to 63 characters.
*/}}
{{- define "podinfo.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Namespace of the namespaced objects.
*/}}
{{- define "podinfo.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride }}
{{- end }}

{{/*
Chart label value.
*/}}
{{- define "podinfo.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels.
*/}}
{{- define "podinfo.labels" -}}
helm.sh/chart: {{ include "podinfo.chart" . }}
{{ include "podinfo.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Selector labels.
*/}}
{{- define "podinfo.selectorLabels" -}}
app.kubernetes.io/name: {{ include "podinfo.fullname" . }}
{{- end }}

{{/*
Labels of the helm test pods.
*/}}
{{- define "podinfo.testLabels" -}}
heritage: {{ .Release.Service }}
release: {{ .Release.Name }}
chart: {{ .Chart.Name }}-{{ .Chart.Version }}
app: {{ include "podinfo.name" . }}
{{- end }}

{{/*
Annotations of the helm test pods: keep service-mesh sidecars out of them.
*/}}
{{- define "podinfo.testAnnotations" -}}
sidecar.istio.io/inject: "false"
linkerd.io/inject: disabled
appmesh.k8s.aws/sidecarInjectorWebhook: disabled
{{- end }}

{{/*
Name of the service account to use.
*/}}
{{- define "podinfo.serviceAccountName" -}}
{{- if .Values.serviceAccount.enabled }}
{{- default (include "podinfo.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Name of the TLS secret for the secure port.
*/}}
{{- define "podinfo.tlsSecretName" -}}
{{- default (printf "%s-tls" (include "podinfo.fullname" .)) .Values.tls.secretName }}
{{- end }}

{{/*
URL prefix without the trailing slash: "/" gives "", "/api/" gives "/api".
*/}}
{{- define "podinfo.prefix" -}}
{{- trimSuffix "/" (default "/" .Values.prefix) }}
{{- end }}

{{/*
The podinfo image.
*/}}
{{- define "podinfo.image" -}}
{{- printf "%s:%s" .Values.image.repository (toString (default .Chart.AppVersion .Values.image.tag)) }}
{{- end }}

{{/*
Pod securityContext shared by the app, hook jobs and test pods.
*/}}
{{- define "podinfo.podSecurityContext" -}}
{{- with .Values.podSecurityContext -}}
securityContext:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/*
Container securityContext of the hook jobs and test pods (the app container also honours
podinfo's hostPort rule, see deployment.yaml).
*/}}
{{- define "podinfo.containerSecurityContext" -}}
{{- with .Values.securityContext -}}
securityContext:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/*
Probe handler: podinfo's `podcli check http` exec probe, or httpGet when probes.handler=httpGet.
Call with (dict "root" $ "path" "/healthz").
*/}}
{{- define "podinfo.probeHandler" -}}
{{- $root := .root }}
{{- $port := $root.Values.service.httpPort | default 9898 }}
{{- if eq (toString $root.Values.probes.handler) "httpGet" -}}
httpGet:
  path: {{ include "podinfo.prefix" $root }}{{ .path }}
  port: http
{{- else -}}
exec:
  command:
    - podcli
    - check
    - http
    - localhost:{{ $port }}{{ include "podinfo.prefix" $root }}{{ .path }}
{{- end }}
{{- end }}

{{/*
Probe timings; a 0 or missing number takes podinfo's default, as in podinfo's chart.
*/}}
{{- define "podinfo.probeTimings" -}}
initialDelaySeconds: {{ .initialDelaySeconds | default 1 }}
timeoutSeconds: {{ .timeoutSeconds | default 5 }}
failureThreshold: {{ .failureThreshold | default 3 }}
successThreshold: {{ .successThreshold | default 1 }}
periodSeconds: {{ .periodSeconds | default 10 }}
{{- end }}
