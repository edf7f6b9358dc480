{{/* Names and labels. */}}
{{- define "shears.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "shears.fullname" -}}
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

{{- define "shears.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "shears.labels" -}}
helm.sh/chart: {{ include "shears.chart" . }}
{{ include "shears.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "shears.selectorLabels" -}}
app.kubernetes.io/name: {{ include "shears.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Selector labels of one role's pods: pass (dict "root" $ "component" "api"). */}}
{{- define "shears.componentSelectorLabels" -}}
{{ include "shears.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "shears.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "shears.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "shears.secretName" -}}
{{- default (include "shears.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{- define "shears.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The GPU image is the CPU tag with "-gpu" (docs/deploying.md builds both), unless worker.image overrides it. */}}
{{- define "shears.workerImage" -}}
{{- $repository := default .Values.image.repository .Values.worker.image.repository }}
{{- $tag := .Values.worker.image.tag }}
{{- if not $tag }}
{{- $tag = default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.worker.gpu.enabled }}
{{- $tag = printf "%s-gpu" $tag }}
{{- end }}
{{- end }}
{{- printf "%s:%s" $repository $tag }}
{{- end }}

{{/*
Environment shared by API and worker pods that comes from the Secret. secretKeyRef only: a secret's value never
appears in a pod spec. The API key and the S3 keys are optional: without them Shears generates the first admin key,
and IRSA or an instance profile supplies S3 credentials.
*/}}
{{- define "shears.secretEnv" -}}
- name: SPRING_DATASOURCE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "shears.secretName" . }}
      key: {{ .Values.secrets.keys.databasePassword }}
- name: SHEARS_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "shears.secretName" . }}
      key: {{ .Values.secrets.keys.apiKey }}
      optional: true
- name: SHEARS_METRICS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "shears.secretName" . }}
      key: {{ .Values.secrets.keys.metricsKey }}
      optional: true
{{- if eq .Values.artifacts.type "s3" }}
- name: AWS_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ include "shears.secretName" . }}
      key: {{ .Values.secrets.keys.s3AccessKeyId }}
      optional: true
- name: AWS_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "shears.secretName" . }}
      key: {{ .Values.secrets.keys.s3SecretAccessKey }}
      optional: true
{{- end }}
{{- end }}

{{/* Probes on the actuator health groups; startup guards liveness while the engine loads. */}}
{{- define "shears.probes" -}}
startupProbe:
  httpGet:
    path: /actuator/health/liveness
    port: http
  periodSeconds: {{ .Values.probes.startup.periodSeconds }}
  failureThreshold: {{ .Values.probes.startup.failureThreshold }}
livenessProbe:
  httpGet:
    path: /actuator/health/liveness
    port: http
  periodSeconds: {{ .Values.probes.liveness.periodSeconds }}
  timeoutSeconds: {{ .Values.probes.liveness.timeoutSeconds }}
  failureThreshold: {{ .Values.probes.liveness.failureThreshold }}
readinessProbe:
  httpGet:
    path: /actuator/health/readiness
    port: http
  periodSeconds: {{ .Values.probes.readiness.periodSeconds }}
  timeoutSeconds: {{ .Values.probes.readiness.timeoutSeconds }}
  failureThreshold: {{ .Values.probes.readiness.failureThreshold }}
{{- end }}

{{/* Settings that would break the deployment fail the render instead. */}}
{{- define "shears.validate" -}}
{{- $timeout := mul (int .Values.jobrunr.pollIntervalSeconds) (int .Values.jobrunr.serverTimeoutPollIntervalMultiplicand) }}
{{- if ge (int $timeout) 60 }}
{{- fail (printf "jobrunr.pollIntervalSeconds × serverTimeoutPollIntervalMultiplicand is %d s; keep it under 60 s so a dead worker's job is taken over quickly" (int $timeout)) }}
{{- end }}
{{- if le (int (include "shears.workerInterruptAwaitSeconds" .)) 0 }}
{{- fail "worker.terminationGracePeriodSeconds leaves no time for the running job: it must exceed worker.handoffMarginSeconds + worker.shutdownPhaseTimeoutSeconds" }}
{{- end }}
{{- if and .Values.secrets.values.apiKey (lt (len .Values.secrets.values.apiKey) 16) }}
{{- fail "secrets.values.apiKey must be at least 16 characters (Shears refuses a shorter SHEARS_API_KEY)" }}
{{- end }}
{{- if and .Values.secrets.values.metricsKey (lt (len .Values.secrets.values.metricsKey) 16) }}
{{- fail "secrets.values.metricsKey must be at least 16 characters (Shears refuses a shorter SHEARS_METRICS_KEY)" }}
{{- end }}
{{- if and .Values.metrics.serviceMonitor.enabled (not .Values.secrets.existingSecret) (not .Values.secrets.values.metricsKey) }}
{{- fail "metrics.serviceMonitor needs a metrics key to scrape with (never the admin key): set secrets.values.metricsKey or secrets.existingSecret" }}
{{- end }}
{{- if and .Values.worker.keda.enabled (not .Values.worker.keda.prometheusServerAddress) }}
{{- fail "worker.keda needs worker.keda.prometheusServerAddress: the Prometheus that scrapes the Shears pods" }}
{{- end }}
{{- if not (has .Values.artifacts.type (list "s3" "filesystem")) }}
{{- fail (printf "artifacts.type must be s3 or filesystem, is %q" .Values.artifacts.type) }}
{{- end }}
{{- if and (eq .Values.artifacts.type "s3") (not .Values.artifacts.s3.bucket) }}
{{- fail "artifacts.s3.bucket is required when artifacts.type is s3" }}
{{- end }}
{{- end }}

{{/* How long a stopping worker lets its job run before interrupting it and handing it back. */}}
{{- define "shears.workerInterruptAwaitSeconds" -}}
{{- sub (sub (int .Values.worker.terminationGracePeriodSeconds) (int .Values.worker.handoffMarginSeconds)) (int .Values.worker.shutdownPhaseTimeoutSeconds) }}
{{- end }}

{{/* The PromQL selector of this release's Shears series: its namespace and its two Services. */}}
{{- define "shears.seriesSelector" -}}
namespace="{{ .Release.Namespace }}", service=~"{{ include "shears.fullname" . }}(-worker)?"
{{- end }}
