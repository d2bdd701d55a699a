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

{{/* Name of the Secret mounted as the KEK directory; fails when no KEK is configured. */}}
{{- define "codec.kekSecretName" -}}
{{- if .Values.kek.existingSecret }}
{{- .Values.kek.existingSecret }}
{{- else if .Values.kek.keys }}
{{- printf "%s-kek" (include "codec.fullname" .) }}
{{- else }}
{{- fail "codec: no KEK configured. Set kek.existingSecret to the name of a Secret holding the KEK files (recommended, e.g. --set kek.existingSecret=codec-kek), or kek.keys to a map of version -> base64 KEK." }}
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

{{- define "codec.tlsSecretName" -}}
{{- if .Values.tls.existingSecret }}
{{- .Values.tls.existingSecret }}
{{- else }}
{{- fail "codec: tls.enabled is true but tls.existingSecret is empty. Set it to a Secret with tls.crt, tls.key (and ca.crt for tls.clientAuth), e.g. one made by cert-manager." }}
{{- end }}
{{- end }}

{{/* Validates the values that the schema cannot express; included by every template that needs a Secret. */}}
{{- define "codec.validate" -}}
{{- $_ := include "codec.kekSecretName" . }}
{{- if .Values.auth.enabled }}{{- $_ := include "codec.authSecretName" . }}{{- end }}
{{- if .Values.tls.enabled }}{{- $_ := include "codec.tlsSecretName" . }}{{- end }}
{{- end }}
