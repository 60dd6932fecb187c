{{/* The chart name, or nameOverride. */}}
{{- define "rkllm-gateway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* "<release>-<chart>", or fullnameOverride; just the release when it already holds the chart name. */}}
{{- define "rkllm-gateway.fullname" -}}
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

{{- define "rkllm-gateway.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "rkllm-gateway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "rkllm-gateway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "rkllm-gateway.labels" -}}
helm.sh/chart: {{ include "rkllm-gateway.chart" . }}
{{ include "rkllm-gateway.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: inference-gateway
{{- end }}

{{- define "rkllm-gateway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "rkllm-gateway.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "rkllm-gateway.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/* mode, checked. */}}
{{- define "rkllm-gateway.mode" -}}
{{- if not (has .Values.mode (list "deployment" "daemonset")) }}
{{- fail (printf "mode must be deployment or daemonset, got %q" (toString .Values.mode)) }}
{{- end }}
{{- if .Values.cluster.enabled }}daemonset{{ else }}{{ .Values.mode }}{{ end }}
{{- end }}

{{/* shutdownGracePeriod in whole seconds ("20s" or 20). */}}
{{- define "rkllm-gateway.shutdownSeconds" -}}
{{- $raw := toString .Values.shutdownGracePeriod }}
{{- if not (regexMatch "^[0-9]+s?$" $raw) }}
{{- fail (printf "shutdownGracePeriod must be whole seconds such as 20s or 20, got %q" $raw) }}
{{- end }}
{{- $raw | trimSuffix "s" | atoi }}
{{- end }}

{{/*
preStop delay + twice the shutdown phase timeout + margin: the gateway may spend up to the timeout in each of two
shutdown phases (ending the live streams, then draining the web server) before it destroys the NPU handle, and the
kubelet must never SIGKILL it in the middle.
*/}}
{{- define "rkllm-gateway.terminationGracePeriodSeconds" -}}
{{- add (int .Values.preStopDelaySeconds) (mul 2 (include "rkllm-gateway.shutdownSeconds" . | atoi)) (int .Values.terminationGraceMarginSeconds) }}
{{- end }}

{{/* The Service's session affinity: auto is ClientIP for a DaemonSet, None for the single-pod Deployment. */}}
{{- define "rkllm-gateway.sessionAffinity" -}}
{{- $affinity := .Values.service.sessionAffinity }}
{{- if eq $affinity "auto" }}
{{- ternary "ClientIP" "None" (and (eq (include "rkllm-gateway.mode" .) "daemonset") (not .Values.cluster.enabled)) }}
{{- else if has $affinity (list "ClientIP" "None") }}
{{- $affinity }}
{{- else }}
{{- fail (printf "service.sessionAffinity must be auto, ClientIP or None, got %q" (toString $affinity)) }}
{{- end }}
{{- end }}

{{/*
The application.yml of the ConfigMap: the config values, with the keys the chart owns (server.port, the shutdown
grace, and the import of the security Secret's file when there is one) set from their own values.
*/}}
{{- define "rkllm-gateway.applicationYaml" -}}
{{- $grace := printf "%ss" (include "rkllm-gateway.shutdownSeconds" .) }}
{{- $spring := dict "lifecycle" (dict "timeout-per-shutdown-phase" $grace) }}
{{- if include "rkllm-gateway.securitySecret" . }}
{{- $_ := set $spring "config" (dict "import" "file:/secrets/security.yml") }}
{{- end }}
{{- $owned := dict
      "server" (dict "port" (int .Values.containerPort))
      "spring" $spring }}
{{- if .Values.cluster.enabled }}
{{- $cluster := dict "mode" "redis" "redis-url" (include "rkllm-gateway.redisUrl" .) "lease" .Values.cluster.lease }}
{{- $_ := set $owned "rkllm" (dict "cluster" $cluster) }}
{{- end }}
{{- $config := mustMergeOverwrite (deepCopy (.Values.config | default dict)) $owned }}
{{- toYaml $config }}
{{- end }}

{{/*
The Secret that holds the security settings: the user's existingSecret, the chart's own when keys or a stream-token
secret are given, else empty (no Secret, every route open).
*/}}
{{- define "rkllm-gateway.securitySecret" -}}
{{- $security := .Values.security | default dict }}
{{- if $security.existingSecret }}
{{- $security.existingSecret }}
{{- else if or $security.apiKeys $security.streamTokenSecret }}
{{- printf "%s-security" (include "rkllm-gateway.fullname" .) }}
{{- end }}
{{- end }}

{{/*
The security.yml of the chart's own Secret: rkllm.security with the keys and the stream-token secret of the values.
*/}}
{{- define "rkllm-gateway.securityYaml" -}}
{{- $keys := list }}
{{- range $index, $key := .Values.security.apiKeys }}
{{- if not $key.name }}
{{- fail (printf "security.apiKeys[%d] needs a name" $index) }}
{{- end }}
{{- if eq (empty $key.key) (empty $key.keySha256) }}
{{- fail (printf "security.apiKeys[%d] (%s) needs exactly one of key and keySha256" $index $key.name) }}
{{- end }}
{{- $entry := dict "name" $key.name "role" ($key.role | default "client") }}
{{- if $key.key }}
{{- $_ := set $entry "key" $key.key }}
{{- else }}
{{- $_ := set $entry "key-sha256" $key.keySha256 }}
{{- end }}
{{- $keys = append $keys $entry }}
{{- end }}
{{- $security := dict "api-keys" $keys }}
{{- with .Values.security.streamTokenSecret }}
{{- $_ := set $security "stream-tokens" (dict "secret" .) }}
{{- end }}
{{- toYaml (dict "rkllm" (dict "security" $security)) }}
{{- end }}

{{/* The cluster's Redis: cluster.redisUrl, else the chart's own. */}}
{{- define "rkllm-gateway.redisUrl" -}}
{{- .Values.cluster.redisUrl | default (printf "redis://%s-redis:6379" (include "rkllm-gateway.fullname" .)) }}
{{- end }}

{{/* The labels that select the chart's own Redis, apart from the gateway's. */}}
{{- define "rkllm-gateway.redisSelectorLabels" -}}
app.kubernetes.io/name: {{ include "rkllm-gateway.name" . }}-redis
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
