{{/*
Helpers shared by the templates of the workspace-operator chart.
*/}}

{{/* The chart name, or nameOverride. */}}
{{- define "workspace-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The full name of the release's resources: fullnameOverride, else "<release>-<name>", else the
release name alone when it already contains the chart name. Kubernetes names are limited to 63
characters.
*/}}
{{- define "workspace-operator.fullname" -}}
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

{{/* "<chart>-<version>", for the helm.sh/chart label. */}}
{{- define "workspace-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The labels every resource carries. */}}
{{- define "workspace-operator.labels" -}}
helm.sh/chart: {{ include "workspace-operator.chart" . }}
{{ include "workspace-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ include "workspace-operator.imageTag" . | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/part-of: workspace-operator
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The labels the Deployment and the Service select the pod by. Never change them: a
Deployment's selector is immutable. */}}
{{- define "workspace-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "workspace-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: controller
{{- end }}

{{/* The ServiceAccount's name. */}}
{{- define "workspace-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "workspace-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The controller image tag: image.tag, else the chart's appVersion. */}}
{{- define "workspace-operator.imageTag" -}}
{{- default .Chart.AppVersion .Values.image.tag }}
{{- end }}

{{/* The controller image reference, by digest when one is given. */}}
{{- define "workspace-operator.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (include "workspace-operator.imageTag" .) }}
{{- end }}
{{- end }}

{{/* The operator's --instance-id: controller.instanceId, else the release name. */}}
{{- define "workspace-operator.instanceId" -}}
{{- default .Release.Name .Values.controller.instanceId }}
{{- end }}

{{/* Names of the ConfigMaps. */}}
{{- define "workspace-operator.manifestsConfigMapName" -}}
{{- printf "%s-manifests" (include "workspace-operator.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- define "workspace-operator.providerConfigsConfigMapName" -}}
{{- printf "%s-providerconfigs" (include "workspace-operator.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The name of the state PersistentVolumeClaim (existing or created). */}}
{{- define "workspace-operator.stateClaimName" -}}
{{- default (printf "%s-state" (include "workspace-operator.fullname" .)) .Values.persistence.existingClaim }}
{{- end }}

{{/* The directory of the scheduled state backups; empty when there are none. */}}
{{- define "workspace-operator.backupDir" -}}
{{- $b := .Values.persistence.backup | default dict -}}
{{- if and $b.enabled .Values.persistence.enabled (ne .Values.source.mode "kubernetes") -}}
{{- if $b.existingClaim -}}
{{- trimSuffix "/" $b.mountPath -}}
{{- else -}}
{{- printf "%s/backups" (trimSuffix "/" .Values.persistence.mountPath) -}}
{{- end -}}
{{- end -}}
{{- end }}

{{/* The path of the SQLite state file. */}}
{{- define "workspace-operator.statePath" -}}
{{- printf "%s/state.db" (trimSuffix "/" .Values.persistence.mountPath) }}
{{- end }}

{{/*
Checks the source values and fails with a clear message on a mistake the schema cannot express.
Renders nothing.
*/}}
{{- define "workspace-operator.validateSource" -}}
{{- $src := .Values.source }}
{{- if eq $src.mode "git" }}
{{- $_ := required "source.git.repo is required when source.mode is git" $src.git.repo }}
{{- if $src.inline }}
{{- fail "source.inline is only used when source.mode is inline; with git, keep the manifests in the repository (ProviderConfigs may still come from providerConfigs)" }}
{{- end }}
{{- else if eq $src.mode "kubernetes" }}
{{- include "workspace-operator.validateKubernetesMode" . }}
{{- else if ne $src.mode "inline" }}
{{- fail (printf "source.mode must be inline, git or kubernetes, not %q" $src.mode) }}
{{- end }}
{{- if ne $src.mode "kubernetes" }}
{{- if ($src.kubernetes | default dict).namespaces }}
{{- fail (printf "source.kubernetes.namespaces is only used when source.mode is kubernetes, not %s" $src.mode) }}
{{- end }}
{{- $replicas := int (include "workspace-operator.replicas" .) }}
{{- if ne $replicas 1 }}
{{- fail (printf "replicaCount is %d, but source.mode %s keeps its state in one SQLite file with a single writer: replicaCount must be 1 (source.mode kubernetes runs several replicas with leader election)" $replicas $src.mode) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Kubernetes mode: desired state comes from the cluster and the controller keeps no local state,
so every value of the other modes that would feed a source directory or a state volume is a
mistake. Renders nothing.
*/}}
{{- define "workspace-operator.validateKubernetesMode" -}}
{{- $src := .Values.source }}
{{- if $src.inline }}
{{- fail "source.inline is only used when source.mode is inline; in kubernetes mode apply Workspace resources to the cluster (kubectl apply -f)" }}
{{- end }}
{{- if $src.git.repo }}
{{- fail "source.git is only used when source.mode is git; in kubernetes mode apply Workspace resources to the cluster (a GitOps tool such as Argo CD or Flux can apply them from git)" }}
{{- end }}
{{- if .Values.providerConfigs }}
{{- fail "providerConfigs from values are only used in the inline and git modes; in kubernetes mode apply ProviderConfig resources to the cluster (kubectl apply -f)" }}
{{- end }}
{{- if or .Values.persistence.existingClaim (.Values.persistence.backup | default dict).existingClaim }}
{{- fail "persistence.existingClaim and persistence.backup.existingClaim are not used in kubernetes mode: it keeps no local state (the identity and the create journal live on the Workspace objects); remove them" }}
{{- end }}
{{- $replicas := int (include "workspace-operator.replicas" .) }}
{{- if and (gt $replicas 1) (not .Values.leaderElection.enabled) }}
{{- fail (printf "replicaCount is %d but leaderElection.enabled is false: every replica would reconcile, and create, the same workspaces; enable leader election or set replicaCount to 1" $replicas) }}
{{- end }}
{{- end }}

{{/*
extraEnv and extraVolumes: no token as a literal variable, no name the chart already uses.
Renders nothing. Messages name variables, never their values.
*/}}
{{- define "workspace-operator.validateExtras" -}}
{{- $taken := dict }}
{{- range .Values.providerCredentials }}
{{- if ne .mountAs "file" }}
{{- $_ := set $taken .name "providerCredentials" }}
{{- end }}
{{- end }}
{{- $proxy := .Values.controller.proxy | default dict }}
{{- if $proxy.httpsProxy }}{{- $_ := set $taken "HTTPS_PROXY" "controller.proxy" }}{{- end }}
{{- if $proxy.httpProxy }}{{- $_ := set $taken "http_proxy" "controller.proxy" }}{{- end }}
{{- if $proxy.noProxy }}{{- $_ := set $taken "NO_PROXY" "controller.proxy" }}{{- end }}
{{- $custom := .Values.controller.credentialsEnvPattern }}
{{- range .Values.extraEnv }}
{{- if hasKey $taken .name }}
{{- fail (printf "extraEnv %s is already set by %s" .name (get $taken .name)) }}
{{- end }}
{{- $_ := set $taken .name "extraEnv" }}
{{- if and (hasKey . "value") (or (regexMatch "^[A-Z][A-Z0-9_]*_(TOKEN|API_KEY|KEY)$" .name) (and $custom (regexMatch $custom .name))) }}
{{- fail (printf "extraEnv %s: a variable the controller may take a token from must come from a Secret (valueFrom.secretKeyRef, or providerCredentials), never a literal value" .name) }}
{{- end }}
{{- end }}
{{- range .Values.extraVolumes }}
{{- if or (has .name (list "state" "state-backup" "tmp" "manifests" "providerconfigs" "git" "git-tmp" "git-secret")) (hasPrefix "credential-" .name) }}
{{- fail (printf "extraVolumes: the name %s belongs to the chart; choose another" .name) }}
{{- end }}
{{- end }}
{{- end }}

{{/* The number of controller pods: replicaCount, else 2 in kubernetes mode with leader
election, else 1. */}}
{{- define "workspace-operator.replicas" -}}
{{- if not (kindIs "invalid" .Values.replicaCount) -}}
{{- int .Values.replicaCount -}}
{{- else if and (eq .Values.source.mode "kubernetes") .Values.leaderElection.enabled -}}
2
{{- else -}}
1
{{- end -}}
{{- end }}

{{/* Kubernetes mode: the Lease's namespace and name. */}}
{{- define "workspace-operator.leaderElectionNamespace" -}}
{{- default .Release.Namespace .Values.leaderElection.namespace }}
{{- end }}
{{- define "workspace-operator.leaderElectionId" -}}
{{- default (printf "%s-leader" (include "workspace-operator.fullname" .)) .Values.leaderElection.id }}
{{- end }}

{{/* Kubernetes mode: the namespaces whose Secrets the controller may read, one per line. */}}
{{- define "workspace-operator.secretNamespaces" -}}
{{- if .Values.rbac.secretNamespaces }}
{{- range .Values.rbac.secretNamespaces }}
{{ . }}
{{- end }}
{{- else }}
{{ .Release.Namespace }}
{{- end }}
{{- end }}

{{/* The controller's --source directories, one per line. */}}
{{- define "workspace-operator.sourceDirs" -}}
{{- $src := .Values.source }}
{{- if eq $src.mode "git" }}
{{- $dir := printf "%s/%s" (trimSuffix "/" $src.git.mountPath) $src.git.link }}
{{- with trimAll "/" $src.git.subdirectory }}
{{- $dir = printf "%s/%s" $dir . }}
{{- end }}
{{ $dir }}
{{- else }}
{{ $src.inlineMountPath }}
{{- end }}
{{- if .Values.providerConfigs }}
{{ .Values.providerConfigsMountPath }}
{{- end }}
{{- end }}

{{/* The directory a file-mounted provider credential lives in. Argument: the entry. */}}
{{- define "workspace-operator.credentialDir" -}}
{{- default (printf "/var/run/secrets/workspace-operator/%s" (lower .name | replace "_" "-")) .mountPath | trimSuffix "/" }}
{{- end }}

{{/*
The `credentials` block of a ProviderConfig from values: the explicit `credentials`, or the env
variable or file of the providerCredentials entry named by `credentialsRef`.
Argument: dict "pc" <entry> "root" $.
*/}}
{{- define "workspace-operator.providerConfigCredentials" -}}
{{- $pc := .pc }}
{{- if and $pc.credentials $pc.credentialsRef }}
{{- fail (printf "providerConfigs %q: set credentials or credentialsRef, not both" $pc.name) }}
{{- else if $pc.credentialsRef }}
{{- $found := dict }}
{{- range .root.Values.providerCredentials }}
{{- if eq .name $pc.credentialsRef }}
{{- $found = . }}
{{- end }}
{{- end }}
{{- if not $found }}
{{- fail (printf "providerConfigs %q: credentialsRef %q names no providerCredentials entry" $pc.name $pc.credentialsRef) }}
{{- end }}
{{- if eq (default "env" $found.mountAs) "file" }}
file: {{ printf "%s/%s" (include "workspace-operator.credentialDir" $found) $found.secretKey | quote }}
{{- else }}
env: {{ $found.name | quote }}
{{- end }}
{{- else if $pc.credentials }}
{{- toYaml $pc.credentials }}
{{- else }}
{{- fail (printf "providerConfigs %q: credentials or credentialsRef is required" $pc.name) }}
{{- end }}
{{- end }}

{{/* The git-sync container's security context: the controller's, as git-sync's own user 65533
(the image has a passwd entry for it, which ssh needs). */}}
{{- define "workspace-operator.gitSyncSecurityContext" -}}
{{- $ctx := deepCopy .Values.securityContext }}
{{- $_ := set $ctx "runAsUser" 65533 }}
{{- $_ = set $ctx "runAsGroup" 65533 }}
{{- toYaml $ctx }}
{{- end }}

{{/* The git-sync container's arguments. Argument: dict "root" $ "oneTime" bool. */}}
{{- define "workspace-operator.gitSyncArgs" -}}
{{- $git := .root.Values.source.git }}
{{- $cred := $git.credentialsSecret }}
- {{ printf "--repo=%v" $git.repo | quote }}
- {{ printf "--ref=%v" $git.ref | quote }}
- {{ printf "--root=%v" $git.mountPath | quote }}
- {{ printf "--link=%v" $git.link | quote }}
- {{ printf "--depth=%v" $git.depth | quote }}
{{- if .oneTime }}
- --one-time
{{- else }}
- {{ printf "--period=%v" $git.period | quote }}
- {{ printf "--max-failures=%v" $git.maxFailures | quote }}
- {{ printf "--stale-worktree-timeout=%v" $git.staleWorktreeTimeout | quote }}
{{- end }}
{{- if $cred.name }}
{{- if eq $cred.type "ssh" }}
- {{ printf "--ssh-key-file=/etc/git-secret/%s" $cred.sshKeyKey | quote }}
{{- if $cred.verifyKnownHosts }}
- --ssh-known-hosts=true
- {{ printf "--ssh-known-hosts-file=/etc/git-secret/%s" $cred.knownHostsKey | quote }}
{{- else }}
- --ssh-known-hosts=false
{{- end }}
{{- else }}
- {{ printf "--password-file=/etc/git-secret/%s" $cred.passwordKey | quote }}
{{- end }}
{{- end }}
{{- range $git.extraArgs }}
- {{ . | quote }}
{{- end }}
{{- end }}

{{/* The git-sync container's environment, volume mounts and other fields after `args`.
Argument: dict "root" $. */}}
{{- define "workspace-operator.gitSyncContainerRest" -}}
{{- $git := .root.Values.source.git }}
{{- $cred := $git.credentialsSecret }}
{{- if and $cred.name (ne $cred.type "ssh") }}
env:
  - name: GITSYNC_USERNAME
    valueFrom:
      secretKeyRef:
        name: {{ $cred.name | quote }}
        key: {{ $cred.usernameKey | quote }}
{{- end }}
securityContext:
  {{- include "workspace-operator.gitSyncSecurityContext" .root | nindent 2 }}
{{- with $git.resources }}
resources:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumeMounts:
  - name: git
    mountPath: {{ $git.mountPath | quote }}
  - name: git-tmp
    mountPath: /tmp
{{- if $cred.name }}
  - name: git-secret
    mountPath: /etc/git-secret
    readOnly: true
{{- end }}
{{- end }}

{{/* Kubernetes mode: the rules on Workspaces and on the Events recorded on them (a ClusterRole
when every namespace is watched, else a Role per namespace; templates/rbac.yaml). */}}
{{- define "workspace-operator.workspaceRules" -}}
- apiGroups: ["workspace-operator.io"]
  resources: ["workspaces"]
  verbs: ["get", "list", "watch", "update", "patch"]
- apiGroups: ["workspace-operator.io"]
  resources: ["workspaces/status"]
  verbs: ["get", "update", "patch"]
- apiGroups: ["workspace-operator.io"]
  resources: ["workspaces/finalizers"]
  verbs: ["update"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}
