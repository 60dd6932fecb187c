{{/* The pod template shared by the Deployment and the DaemonSet. */}}
{{- define "rkllm-gateway.podTemplate" -}}
{{- $npu := .Values.npu -}}
{{- $devices := list -}}
{{- range $key := list "dri" "dmaHeap" "rknpu" }}
{{- $device := index $npu.hostDevices $key }}
{{- if $device.enabled }}
{{- $devices = append $devices (dict "name" (printf "npu-%s" ($key | kebabcase)) "path" $device.path "type" ($device.type | default "")) }}
{{- end }}
{{- end -}}
metadata:
  labels:
    {{- include "rkllm-gateway.selectorLabels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    # A new pod when the configuration changes (the gateway reads it at start).
    checksum/config: {{ include "rkllm-gateway.applicationYaml" . | sha256sum }}
    {{- if and (include "rkllm-gateway.securitySecret" .) (not .Values.security.existingSecret) }}
    # A new pod when the chart's keys change.
    checksum/security: {{ include "rkllm-gateway.securityYaml" . | sha256sum }}
    {{- end }}
    {{- if .Values.metrics.podAnnotations }}
    prometheus.io/scrape: "true"
    prometheus.io/path: /actuator/prometheus
    prometheus.io/port: {{ .Values.containerPort | quote }}
    {{- end }}
    {{- with .Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "rkllm-gateway.serviceAccountName" . }}
  automountServiceAccountToken: false
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  # preStop delay + 2 x shutdownGracePeriod (two shutdown phases) + margin: SIGKILL never cuts the graceful shutdown.
  terminationGracePeriodSeconds: {{ include "rkllm-gateway.terminationGracePeriodSeconds" . }}
  securityContext:
    {{- $podSecurity := deepCopy .Values.podSecurityContext }}
    {{- $groups := concat ($podSecurity.supplementalGroups | default list) ($npu.supplementalGroups | default list) | uniq }}
    {{- if $groups }}
    {{- $_ := set $podSecurity "supplementalGroups" $groups }}
    {{- end }}
    {{- toYaml $podSecurity | nindent 4 }}
  {{- $nodeSelector := deepCopy (.Values.nodeSelector | default dict) }}
  {{- if .Values.cluster.enabled }}
  {{- $_ := set $nodeSelector .Values.cluster.boardLabel.key (toString .Values.cluster.boardLabel.value) }}
  {{- end }}
  {{- with $nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  containers:
    - name: gateway
      image: {{ include "rkllm-gateway.image" . }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      ports:
        - name: http
          containerPort: {{ .Values.containerPort }}
          protocol: TCP
      {{- if or .Values.jvmOptions .Values.extraEnv }}
      env:
        {{- with .Values.jvmOptions }}
        - name: JDK_JAVA_OPTIONS
          value: {{ . | quote }}
        {{- end }}
        {{- with .Values.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- end }}
      startupProbe:
        httpGet:
          path: {{ .Values.probes.startup.path }}
          port: http
        periodSeconds: {{ .Values.probes.startup.periodSeconds }}
        timeoutSeconds: {{ .Values.probes.startup.timeoutSeconds }}
        failureThreshold: {{ .Values.probes.startup.failureThreshold }}
      livenessProbe:
        httpGet:
          path: {{ .Values.probes.liveness.path }}
          port: http
        periodSeconds: {{ .Values.probes.liveness.periodSeconds }}
        timeoutSeconds: {{ .Values.probes.liveness.timeoutSeconds }}
        failureThreshold: {{ .Values.probes.liveness.failureThreshold }}
      readinessProbe:
        httpGet:
          path: {{ .Values.probes.readiness.path }}
          port: http
        periodSeconds: {{ .Values.probes.readiness.periodSeconds }}
        timeoutSeconds: {{ .Values.probes.readiness.timeoutSeconds }}
        failureThreshold: {{ .Values.probes.readiness.failureThreshold }}
      {{- if gt (int .Values.preStopDelaySeconds) 0 }}
      lifecycle:
        preStop:
          exec:
            command: ["sleep", {{ .Values.preStopDelaySeconds | toString | quote }}]
      {{- end }}
      {{- $resources := deepCopy (.Values.resources | default dict) }}
      {{- if $npu.resourceName }}
      {{- $limits := $resources.limits | default dict }}
      {{- $_ := set $limits $npu.resourceName (int $npu.resourceCount) }}
      {{- $_ := set $resources "limits" $limits }}
      {{- end }}
      {{- with $resources }}
      resources:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- if $npu.privileged }}
        # npu.privileged: see values.yaml for why someone would need it.
        privileged: true
        readOnlyRootFilesystem: {{ .Values.securityContext.readOnlyRootFilesystem }}
        {{- else }}
        {{- toYaml .Values.securityContext | nindent 8 }}
        {{- end }}
      volumeMounts:
        - name: config
          mountPath: /config
          readOnly: true
        {{- if include "rkllm-gateway.securitySecret" . }}
        - name: security
          mountPath: /secrets
          readOnly: true
        {{- end }}
        - name: tmp
          mountPath: /tmp
        - name: cache
          mountPath: /cache
        {{- if or .Values.models.existingClaim .Values.models.hostPath }}
        - name: models
          mountPath: /models
          readOnly: true
        {{- end }}
        {{- if $npu.library.hostPath }}
        - name: rkllm-library
          mountPath: {{ .Values.config.rkllm | default dict | dig "library-path" "/opt/rkllm-gateway/lib/librkllmrt.so" }}
          readOnly: true
        {{- end }}
        {{- range $devices }}
        - name: {{ .name }}
          mountPath: {{ .path }}
        {{- end }}
  volumes:
    - name: config
      configMap:
        name: {{ include "rkllm-gateway.fullname" . }}
    {{- with include "rkllm-gateway.securitySecret" . }}
    - name: security
      secret:
        secretName: {{ . }}
        items:
          {{- $security := $.Values.security }}
          - key: {{ ternary $security.existingSecretKey "security.yml" (not (empty $security.existingSecret)) }}
            path: security.yml
    {{- end }}
    - name: tmp
      emptyDir:
        sizeLimit: 256Mi
    - name: cache
      {{- if .Values.cache.hostPath }}
      hostPath:
        path: {{ .Values.cache.hostPath }}
        type: DirectoryOrCreate
      {{- else }}
      emptyDir:
        sizeLimit: {{ .Values.cache.sizeLimit }}
      {{- end }}
    {{- if .Values.models.existingClaim }}
    - name: models
      persistentVolumeClaim:
        claimName: {{ .Values.models.existingClaim }}
        readOnly: true
    {{- else if .Values.models.hostPath }}
    - name: models
      hostPath:
        path: {{ .Values.models.hostPath }}
        type: Directory
    {{- end }}
    {{- if $npu.library.hostPath }}
    - name: rkllm-library
      hostPath:
        path: {{ $npu.library.hostPath }}
        type: File
    {{- end }}
    {{- range $devices }}
    - name: {{ .name }}
      hostPath:
        path: {{ .path }}
        {{- with .type }}
        type: {{ . }}
        {{- end }}
    {{- end }}
{{- end }}
