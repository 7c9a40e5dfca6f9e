{{/*
Names. Every name of a control-plane object is computed here, once, and used both for the object and for
the GANTRY_* variable that tells the components about it: the code keeps no second copy.
*/}}

{{- define "gantry.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "gantry.fullname" -}}
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

{{- define "gantry.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Namespace of the control plane: the release namespace (GANTRY_NAMESPACE). */}}
{{- define "gantry.namespace" -}}
{{- .Release.Namespace }}
{{- end }}

{{/* <fullname>-<suffix>, the suffix always kept whole. */}}
{{- define "gantry.derivedName" -}}
{{- $root := index . 0 }}
{{- $suffix := index . 1 }}
{{- $max := index . 2 }}
{{- $prefix := include "gantry.fullname" $root | trunc (int (sub $max (add1 (len $suffix)))) | trimSuffix "-" }}
{{- printf "%s-%s" $prefix $suffix }}
{{- end }}

{{/* The controller Deployment (and the default of its ServiceAccount and Lease). */}}
{{- define "gantry.controller.name" -}}
{{- include "gantry.derivedName" (list . "controller" 63) }}
{{- end }}

{{/* The xds-shard StatefulSet (GANTRY_SHARD_STATEFULSET). 52 characters at most: Kubernetes adds the
pod ordinal and a revision hash to it. */}}
{{- define "gantry.shards.statefulSetName" -}}
{{- if .Values.shards.statefulSetName }}
{{- .Values.shards.statefulSetName }}
{{- else }}
{{- include "gantry.derivedName" (list . "xds-shard" 52) }}
{{- end }}
{{- end }}

{{/* The shards' headless Service (GANTRY_SHARD_SERVICE). */}}
{{- define "gantry.shards.headlessServiceName" -}}
{{- if .Values.shards.headlessServiceName }}
{{- .Values.shards.headlessServiceName }}
{{- else }}
{{- include "gantry.derivedName" (list . "xds-shards" 63) }}
{{- end }}
{{- end }}

{{/* The xDS Service in front of all shards (GANTRY_XDS_SERVICE). */}}
{{- define "gantry.xds.serviceName" -}}
{{- if .Values.xds.service.name }}
{{- .Values.xds.service.name }}
{{- else }}
{{- include "gantry.derivedName" (list . "xds" 63) }}
{{- end }}
{{- end }}

{{/* The Secret holding the xDS plane's CA (GANTRY_CA_SECRET), created by the controller leader. */}}
{{- define "gantry.xds.caSecretName" -}}
{{- if .Values.xds.tls.caSecretName }}
{{- .Values.xds.tls.caSecretName }}
{{- else }}
{{- include "gantry.derivedName" (list . "ca" 63) }}
{{- end }}
{{- end }}

{{/* The Secret holding the shards' serving certificate and ca.crt (GANTRY_XDS_SERVING_SECRET), created and
renewed by the controller, read by the shards. */}}
{{- define "gantry.xds.servingSecretName" -}}
{{- if .Values.xds.tls.servingSecretName }}
{{- .Values.xds.tls.servingSecretName }}
{{- else }}
{{- include "gantry.derivedName" (list . "xds-serving" 63) }}
{{- end }}
{{- end }}

{{/* The Role and RoleBinding of leader election. */}}
{{- define "gantry.controller.leaderElectionName" -}}
{{- include "gantry.derivedName" (list . "controller-leader-election" 63) }}
{{- end }}

{{/* The controller's leader-election Lease (GANTRY_LEASE_NAME). */}}
{{- define "gantry.controller.leaseName" -}}
{{- if .Values.controller.leaderElection.leaseName }}
{{- .Values.controller.leaderElection.leaseName }}
{{- else }}
{{- include "gantry.controller.name" . }}
{{- end }}
{{- end }}

{{- define "gantry.controller.serviceAccountName" -}}
{{- if .Values.controller.serviceAccount.name }}
{{- .Values.controller.serviceAccount.name }}
{{- else if .Values.controller.serviceAccount.create }}
{{- include "gantry.controller.name" . }}
{{- else }}
{{- "default" }}
{{- end }}
{{- end }}

{{- define "gantry.shards.serviceAccountName" -}}
{{- if .Values.shards.serviceAccount.name }}
{{- .Values.shards.serviceAccount.name }}
{{- else if .Values.shards.serviceAccount.create }}
{{- include "gantry.shards.statefulSetName" . }}
{{- else }}
{{- "default" }}
{{- end }}
{{- end }}

{{/* Metrics Services (scraped by the optional ServiceMonitor). */}}
{{- define "gantry.controller.metricsServiceName" -}}
{{- include "gantry.derivedName" (list . "controller-metrics" 63) }}
{{- end }}

{{- define "gantry.shards.metricsServiceName" -}}
{{- include "gantry.derivedName" (list . "xds-shard-metrics" 63) }}
{{- end }}

{{/*
Labels.
*/}}
{{- define "gantry.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gantry.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "gantry.labels" -}}
helm.sh/chart: {{ include "gantry.chart" . }}
{{ include "gantry.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: gantry
{{- end }}

{{- define "gantry.controller.selectorLabels" -}}
{{ include "gantry.selectorLabels" . }}
app.kubernetes.io/component: controller
{{- end }}

{{- define "gantry.controller.labels" -}}
{{ include "gantry.labels" . }}
app.kubernetes.io/component: controller
{{- end }}

{{- define "gantry.shards.selectorLabels" -}}
{{ include "gantry.selectorLabels" . }}
app.kubernetes.io/component: xds-shard
{{- end }}

{{- define "gantry.shards.labels" -}}
{{ include "gantry.labels" . }}
app.kubernetes.io/component: xds-shard
{{- end }}

{{/*
Images. Each field of a component's `image` overrides the global `image` only when it is set.
Usage: include "gantry.image" (dict "root" . "component" .Values.controller.image)
*/}}
{{- define "gantry.image" -}}
{{- $global := .root.Values.image }}
{{- $own := .component | default dict }}
{{- $registry := $own.registry | default $global.registry }}
{{- $repository := $own.repository | default $global.repository }}
{{- $tag := $own.tag | default $global.tag | default .root.Chart.AppVersion }}
{{- if $registry }}
{{- printf "%s/%s:%s" $registry $repository $tag }}
{{- else }}
{{- printf "%s:%s" $repository $tag }}
{{- end }}
{{- end }}

{{- define "gantry.imagePullPolicy" -}}
{{- $own := .component | default dict }}
{{- $own.pullPolicy | default .root.Values.image.pullPolicy }}
{{- end }}

{{/*
Environment common to the controller and the shards: every name the chart decides, and the shared settings.
*/}}
{{- define "gantry.commonEnv" -}}
- name: GANTRY_NAMESPACE
  value: {{ include "gantry.namespace" . | quote }}
- name: GANTRY_IDENTITY
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: GANTRY_CONTROLLER_NAME
  value: {{ .Values.controllerName | quote }}
- name: GANTRY_GATEWAY_CLASS_NAME
  value: {{ .Values.gatewayClass.name | quote }}
- name: GANTRY_MANAGE_GATEWAY_CLASS
  value: {{ .Values.gatewayClass.create | quote }}
- name: GANTRY_XDS_SERVICE
  value: {{ include "gantry.xds.serviceName" . | quote }}
- name: GANTRY_SHARD_SERVICE
  value: {{ include "gantry.shards.headlessServiceName" . | quote }}
- name: GANTRY_SHARD_STATEFULSET
  value: {{ include "gantry.shards.statefulSetName" . | quote }}
- name: GANTRY_SHARD_COUNT
  value: {{ .Values.shards.count | int | quote }}
- name: GANTRY_XDS_PORT
  value: {{ .Values.xds.port | int | quote }}
- name: GANTRY_ADMIN_PORT
  value: {{ .Values.adminPort | int | quote }}
- name: GANTRY_CLUSTER_DOMAIN
  value: {{ .Values.clusterDomain | quote }}
- name: GANTRY_PROVISION_PROXIES
  value: {{ .Values.envoy.provision | quote }}
- name: GANTRY_ENVOY_IMAGE
  value: {{ .Values.envoy.image | quote }}
- name: GANTRY_ENVOY_REPLICAS
  value: {{ .Values.envoy.replicas | int | quote }}
- name: GANTRY_IMAGE_PULL_POLICY
  value: {{ .Values.image.pullPolicy | quote }}
- name: GANTRY_DEBOUNCE
  value: {{ .Values.translation.debounce | quote }}
- name: GANTRY_DEBOUNCE_MAX
  value: {{ .Values.translation.debounceMax | quote }}
- name: GANTRY_MAX_LISTENERS_PER_GATEWAY
  value: {{ .Values.translation.maxListenersPerGateway | int | quote }}
{{ include "gantry.xdsSecurityEnv" . }}
{{- end }}

{{/*
The security of xDS (part of gantry.commonEnv): the controller issues the credentials and the shards check
them, so both must see the same CA, serving Secret, names and lifetimes.
*/}}
{{- define "gantry.xdsSecurityEnv" -}}
- name: GANTRY_XDS_INSECURE
  value: {{ (not .Values.xds.tls.enabled) | quote }}
- name: GANTRY_CA_SECRET
  value: {{ include "gantry.xds.caSecretName" . | quote }}
- name: GANTRY_XDS_SERVING_SECRET
  value: {{ include "gantry.xds.servingSecretName" . | quote }}
{{- with .Values.xds.tls.extraServingNames }}
- name: GANTRY_XDS_SERVING_NAMES
  value: {{ join "," . | quote }}
{{- end }}
- name: GANTRY_PROXY_CREDENTIAL_TTL
  value: {{ .Values.xds.tls.proxyCredentialTtl | quote }}
- name: GANTRY_XDS_SERVING_CERT_TTL
  value: {{ .Values.xds.tls.servingCertificateTtl | quote }}
- name: GANTRY_XDS_MAX_STREAM_AGE
  value: {{ .Values.xds.maxStreamAge | quote }}
{{- end }}

{{/*
The ingress rule admitting the monitoring selectors (networkPolicy.monitoring) to the admin port, as one
NetworkPolicy peer; nothing when both selectors are empty (then no pod reaches the admin port).
Usage, under `ingress:`: include "gantry.networkPolicy.adminIngress" . | nindent N
*/}}
{{- define "gantry.networkPolicy.adminIngress" -}}
{{- $monitoring := .Values.networkPolicy.monitoring }}
{{- $peer := dict }}
{{- with $monitoring.namespaceSelector }}
{{- $_ := set $peer "namespaceSelector" . }}
{{- end }}
{{- with $monitoring.podSelector }}
{{- $_ := set $peer "podSelector" . }}
{{- end }}
{{- if $peer -}}
# The admin port (/metrics, /healthz, /readyz, and /debug on shards) from the monitoring selectors.
- from:
    {{- toYaml (list $peer) | nindent 4 }}
  ports:
    - port: {{ .Values.adminPort | int }}
      protocol: TCP
{{- end }}
{{- end }}

{{/* The JVM and its class path, the same in both components. */}}
{{- define "gantry.command" -}}
- java
- -cp
- /app/gantry-launcher.jar:/app/lib/*
- dev.gantry.launcher.Main
{{- end }}
