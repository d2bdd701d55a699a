{{/* Chart name, truncated to the 63 characters a label allows. */}}
{{- define "codec.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: release-chart, or the release name alone when it already contains the chart name. */}}
{{- define "codec.fullname" -}}
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

{{- define "codec.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "codec.selectorLabels" -}}
app.kubernetes.io/name: {{ include "codec.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "codec.labels" -}}
helm.sh/chart: {{ include "codec.chart" . }}
{{ include "codec.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: codec
app.kubernetes.io/part-of: codec
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "codec.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "codec.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "codec.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Name of the Secret mounted as the KEK directory; fails when no KEK is configured (and no kek.volume). */}}
{{- define "codec.kekSecretName" -}}
{{- if .Values.kek.existingSecret }}
{{- .Values.kek.existingSecret }}
{{- else if .Values.kek.keys }}
{{- printf "%s-kek" (include "codec.fullname" .) }}
{{- else }}
{{- fail "codec: no KEK configured. Set kek.existingSecret to the name of a Secret holding the KEK files (recommended, e.g. --set kek.existingSecret=codec-kek), kek.keys to a map of version -> base64 KEK, or kek.volume to a volume that holds them (e.g. a CSI secrets-store volume)." }}
{{- end }}
{{- end }}

{{/* The KEK volume source: kek.volume when set, else the KEK Secret. */}}
{{- define "codec.kekVolume" -}}
{{- if .Values.kek.volume }}
{{- toYaml .Values.kek.volume }}
{{- else }}
secret:
  secretName: {{ include "codec.kekSecretName" . }}
  defaultMode: 0440
{{- end }}
{{- end }}

{{/* Name of the Secret mounted as the caller-token directory; fails when auth is on and no tokens are configured. */}}
{{- define "codec.authSecretName" -}}
{{- if .Values.auth.existingSecret }}
{{- .Values.auth.existingSecret }}
{{- else if .Values.auth.tokens }}
{{- printf "%s-callers" (include "codec.fullname" .) }}
{{- else }}
{{- fail "codec: auth.enabled is true but no caller tokens are configured. Set auth.existingSecret to the name of a Secret with one key per caller (key = caller name, value = token; recommended, e.g. --set auth.existingSecret=codec-callers), or auth.tokens to a map of caller -> token." }}
{{- end }}
{{- end }}

{{/* Name of the Secret with the serving certificate; fails when TLS is on and no certificate source is given. */}}
{{- define "codec.tlsSecretName" -}}
{{- if and .Values.tls.existingSecret .Values.tls.certManager.issuerRef }}
{{- fail "codec: tls.existingSecret and tls.certManager.issuerRef are both set. Set one: the Secret you manage, or the cert-manager issuer that makes <fullname>-tls." }}
{{- else if .Values.tls.existingSecret }}
{{- .Values.tls.existingSecret }}
{{- else if .Values.tls.certManager.issuerRef }}
{{- if not .Values.tls.certManager.issuerRef.name }}
{{- fail "codec: tls.certManager.issuerRef needs a name (and kind: Issuer or ClusterIssuer), e.g. --set tls.certManager.issuerRef.name=my-issuer." }}
{{- end }}
{{- printf "%s-tls" (include "codec.fullname" .) }}
{{- else }}
{{- fail "codec: tls.enabled is true (the default) but no certificate is configured. Set tls.existingSecret to a Secret with tls.crt and tls.key (and ca.crt for tls.clientAuth), or tls.certManager.issuerRef to a cert-manager issuer (e.g. --set tls.certManager.issuerRef.name=my-issuer --set tls.certManager.issuerRef.kind=ClusterIssuer), or set tls.enabled=false explicitly (plaintext gRPC: caller tokens cross the network in clear)." }}
{{- end }}
{{- end }}

{{/* The probe handler: native gRPC health on the gRPC port without TLS (SERVICE: the health service name, "" for
     the server), HTTP GET /health on the management port with TLS (the kubelet's gRPC probe speaks plaintext only). */}}
{{- define "codec.probeHandler" -}}
{{- $ := index . 0 }}{{- $service := index . 1 }}
{{- if $.Values.tls.enabled }}
httpGet:
  path: /health
  port: metrics
  scheme: HTTP
{{- else }}
grpc:
  port: {{ $.Values.service.grpcPort }}
  {{- with $service }}
  service: {{ . }}
  {{- end }}
{{- end }}
{{- end }}

{{/* Validates the values that the schema cannot express; included by every template that needs a Secret. */}}
{{- define "codec.validate" -}}
{{- if not .Values.kek.volume }}{{- $_ := include "codec.kekSecretName" . }}{{- end }}
{{- if .Values.auth.enabled }}{{- $_ := include "codec.authSecretName" . }}{{- end }}
{{- if .Values.tls.enabled }}{{- $_ := include "codec.tlsSecretName" . }}{{- end }}
{{- end }}
