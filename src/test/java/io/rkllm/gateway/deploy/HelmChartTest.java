package io.rkllm.gateway.deploy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.rkllm.gateway.config.SecurityProperties;
import io.rkllm.gateway.config.SecurityProperties.Role;
import io.rkllm.gateway.deploy.Deploy.Rendered;
import io.rkllm.gateway.deploy.Deploy.Values;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static io.rkllm.gateway.deploy.Deploy.at;
import static io.rkllm.gateway.deploy.Deploy.list;
import static io.rkllm.gateway.deploy.Deploy.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Helm chart (helm/rkllm-gateway) lints and renders through Helm's own engine (helm-java, no helm binary), and
 * what it renders holds what matters: one pod per NPU, no privilege unless asked for, the NPU's devices and groups,
 * a grace period that covers the graceful shutdown, routing that keeps a stream on its pod, API keys only ever in a
 * Secret.
 */
class HelmChartTest {

    /** The name of the gateway's workload and Service. */
    private static final String GATEWAY = Deploy.RELEASE + "-rkllm-gateway";

    @ParameterizedTest
    @EnumSource(Values.class)
    void chartLintsWithoutErrorsOrWarnings(Values values) {
        LintResult lint = Deploy.lint(values);

        assertThat(lint.isFailed()).as("helm lint --strict failed: %s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).as("lint findings").noneMatch((m) -> m.contains("[ERROR]"))
            .noneMatch((m) -> m.contains("[WARNING]"));
    }

    @Test
    void everyFieldOfValuesYamlIsDocumentedWhereItIsSet() throws Exception {
        List<String> lines = Files.readAllLines(Deploy.CHART.resolve("values.yaml"));
        List<String> undocumented = new ArrayList<>();
        Pattern key = Pattern.compile("^( *)([A-Za-z][\\w.-]*):.*");
        for (int i = 0; i < lines.size(); i++) {
            Matcher matcher = key.matcher(lines.get(i));
            // Keys of list items (examples such as ingress.hosts) are described by their list's comment.
            boolean inListItem = i > 0 && lines.get(i - 1).strip().startsWith("-");
            if (matcher.matches() && !inListItem && !lines.get(Math.max(0, i - 1)).strip().startsWith("#")) {
                undocumented.add((i + 1) + ": " + lines.get(i));
            }
        }

        assertThat(undocumented).as("values.yaml keys without a comment line above them").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Values.class)
    void chartRendersTheGatewayItsServiceAndItsConfiguration(Values values) {
        Rendered rendered = Deploy.render(values);

        assertThat(rendered.has("Deployment") ^ rendered.has("DaemonSet")).as("exactly one workload").isTrue();
        assertThat(rendered.named("Service", GATEWAY)).isNotNull();
        assertThat(rendered.one("ConfigMap")).isNotNull();
        assertThat(rendered.one("PodDisruptionBudget")).isNotNull();
        assertThat(rendered.container().get("image")).asString().isNotBlank();
    }

    @Test
    void clusterRunsAGatewayOnEveryLabelledBoardOnItsOwnRedisWithoutAffinity() {
        Rendered rendered = Deploy.render(Values.CLUSTER);

        assertThat(rendered.has("Deployment")).isFalse();
        assertThat(at(rendered.podSpec(), "nodeSelector", "rkllm.io/board")).isEqualTo("true");
        assertThat(at(rendered.named("Service", GATEWAY), "spec", "sessionAffinity")).isEqualTo("None");
        Map<String, Object> redis = rendered.one("StatefulSet");
        assertThat(at(redis, "spec", "replicas")).isEqualTo(1);
        assertThat(at(redis, "spec", "serviceName")).isEqualTo(GATEWAY + "-redis");
        assertThat(list(Deploy.map(redis, "spec"), "volumeClaimTemplates")).singleElement()
            .satisfies((claim) -> assertThat(at(claim, "spec", "storageClassName")).isEqualTo("local-path"));
        Map<String, Object> redisService = rendered.named("Service", GATEWAY + "-redis");
        assertThat(at(redisService, "spec", "selector"))
            .isEqualTo(at(redis, "spec", "template", "metadata", "labels"))
            .isNotEqualTo(at(rendered.named("Service", GATEWAY), "spec", "selector"));
        assertThat(rendered.applicationYaml()).contains("mode: redis")
            .contains("redis-url: redis://" + GATEWAY + "-redis:6379")
            .contains("lease: 10s");
    }

    @Test
    void clusterOnAnExistingRedisRunsNoneOfItsOwn() {
        Rendered rendered = Deploy.render(Values.CLUSTER_EXTERNAL);

        assertThat(rendered.has("StatefulSet")).isFalse();
        assertThat(rendered.all("Service")).hasSize(1);
        assertThat(rendered.applicationYaml()).contains("redis-url: redis://redis.infra:6379/2").contains("lease: 5s");
    }

    @Test
    void theLocalModeRendersNothingOfTheCluster() {
        Rendered rendered = Deploy.render(Values.DEFAULT);

        assertThat(rendered.has("StatefulSet")).isFalse();
        assertThat(rendered.applicationYaml()).doesNotContain("cluster");
    }

    @Test
    void defaultModeIsOneDeploymentPodThatIsRecreatedNeverRolled() {
        Map<String, Object> deployment = Deploy.render(Values.DEFAULT).one("Deployment");

        assertThat(at(deployment, "spec", "replicas")).isEqualTo(1);
        assertThat(at(deployment, "spec", "strategy", "type")).isEqualTo("Recreate");
        assertThat(Deploy.render(Values.DEFAULT).has("DaemonSet")).isFalse();
    }

    @Test
    void daemonsetModeRunsOnePodPerNodeAndReplacesItWithoutSurge() {
        Rendered rendered = Deploy.render(Values.DAEMONSET_PRIVILEGED);
        Map<String, Object> daemonSet = rendered.one("DaemonSet");

        assertThat(rendered.has("Deployment")).isFalse();
        assertThat(at(daemonSet, "spec", "updateStrategy", "type")).isEqualTo("RollingUpdate");
        assertThat(at(daemonSet, "spec", "updateStrategy", "rollingUpdate", "maxSurge")).isEqualTo(0);
    }

    @ParameterizedTest
    @EnumSource(value = Values.class, names = { "DEFAULT", "BOARD" })
    void containerIsNotPrivilegedByDefaultAndRunsAsNonRoot(Values values) {
        Rendered rendered = Deploy.render(values);
        Map<String, Object> security = map(rendered.container(), "securityContext");
        Map<String, Object> podSecurity = map(rendered.podSpec(), "securityContext");

        assertThat(security.get("privileged")).isNotEqualTo(true);
        assertThat(security.get("allowPrivilegeEscalation")).isEqualTo(false);
        assertThat(security.get("readOnlyRootFilesystem")).isEqualTo(true);
        assertThat(at(security, "capabilities", "drop")).isEqualTo(List.of("ALL"));
        assertThat(podSecurity.get("runAsNonRoot")).isEqualTo(true);
        assertThat(podSecurity.get("runAsUser")).isEqualTo(10001);
        assertThat(rendered.podSpec().get("hostNetwork")).isNull();
        assertThat(rendered.podSpec().get("hostPID")).isNull();
    }

    @Test
    void privilegedOnlyWhenTheValuesOptInAndStillNonRoot() {
        Rendered rendered = Deploy.render(Values.DAEMONSET_PRIVILEGED);
        Map<String, Object> security = map(rendered.container(), "securityContext");

        assertThat(security.get("privileged")).isEqualTo(true);
        // The API refuses privileged together with allowPrivilegeEscalation: false.
        assertThat(security).doesNotContainKey("allowPrivilegeEscalation");
        assertThat(at(rendered.podSpec(), "securityContext", "runAsNonRoot")).isEqualTo(true);
    }

    @Test
    void boardGetsTheNpuThroughTheDevicePluginAndTheNodesGroups() {
        Rendered rendered = Deploy.render(Values.BOARD);

        assertThat(at(rendered.container(), "resources", "limits", "squat.ai/rknpu")).isEqualTo(1);
        assertThat(at(rendered.podSpec(), "securityContext", "supplementalGroups")).isEqualTo(List.of(44, 992));
        assertThat(at(rendered.podSpec(), "nodeSelector", "kubernetes.io/arch")).isEqualTo("arm64");
        assertThat(at(rendered.podSpec(), "nodeSelector", "rkllm.io/npu")).isEqualTo("rk3588");
        assertThat(hostPaths(rendered)).containsEntry("rkllm-library", "/usr/lib/librkllmrt.so")
            .containsEntry("models", "/opt/rkllm/models")
            .doesNotContainKeys("npu-dri", "npu-dma-heap", "npu-rknpu");
        assertThat(mounts(rendered)).containsEntry("rkllm-library", "/opt/rkllm-gateway/lib/librkllmrt.so")
            .containsEntry("models", "/models")
            .containsEntry("config", "/config");
    }

    @Test
    void deviceNodesAreMountedByPathWhenEnabled() {
        Rendered rendered = Deploy.render(Values.DAEMONSET_PRIVILEGED);

        assertThat(hostPaths(rendered)).containsEntry("npu-dri", "/dev/dri")
            .containsEntry("npu-dma-heap", "/dev/dma_heap")
            .containsEntry("npu-rknpu", "/dev/rknpu");
        assertThat(mounts(rendered)).containsEntry("npu-dri", "/dev/dri")
            .containsEntry("npu-dma-heap", "/dev/dma_heap")
            .containsEntry("npu-rknpu", "/dev/rknpu");
        assertThat(volume(rendered, "npu-rknpu")).extracting((v) -> at(v, "hostPath", "type"))
            .isEqualTo("CharDevice");
    }

    @Test
    void defaultValuesMountNoDeviceAndKeepTheImagesSimulator() {
        Rendered rendered = Deploy.render(Values.DEFAULT);

        assertThat(hostPaths(rendered)).isEmpty();
        assertThat(at(rendered.container(), "resources", "limits")).asInstanceOf(
                InstanceOfAssertFactories.MAP)
            .containsOnlyKeys("memory");
    }

    @ParameterizedTest
    @EnumSource(Values.class)
    void terminationGraceCoversPreStopDelayAndBothShutdownPhases(Values values) {
        Rendered rendered = Deploy.render(values);
        Duration shutdown = ConfigBinding.of(rendered.applicationYaml()).shutdownPhaseTimeout();
        int grace = (Integer) rendered.podSpec().get("terminationGracePeriodSeconds");
        List<?> preStop = (List<?>) at(rendered.container(), "lifecycle", "preStop", "exec", "command");
        int preStopSeconds = (preStop != null) ? Integer.parseInt((String) preStop.get(1)) : 0;

        assertThat(shutdown).isEqualTo(Duration.ofSeconds(20));
        assertThat(preStop).isNotNull().first().isEqualTo("sleep");
        // Ending the streams, then draining the web server: each may take the phase timeout; then the NPU handle.
        assertThat(grace).isGreaterThanOrEqualTo(preStopSeconds + 2 * (int) shutdown.toSeconds() + 5);
    }

    @Test
    void shutdownGracePeriodMustBeWholeSeconds() {
        assertThatThrownBy(() -> new Helm(Deploy.CHART).template()
            .withName(Deploy.RELEASE)
            .withKubeVersion(Deploy.KUBE_VERSION)
            .set("shutdownGracePeriod", "1m")
            .call()).hasMessageContaining("shutdownGracePeriod must be whole seconds");
    }

    @ParameterizedTest
    @EnumSource(Values.class)
    void probesUseTheActuatorGroupsThroughTheContainersNamedPort(Values values) {
        Rendered rendered = Deploy.render(values);
        Map<String, Object> container = rendered.container();

        assertThat(at(container, "startupProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
        assertThat(at(container, "livenessProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
        assertThat(at(container, "readinessProbe", "httpGet", "path")).isEqualTo("/actuator/health/readiness");
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat(at(container, probe, "httpGet", "port")).as(probe).isEqualTo("http");
        }
        Map<String, Object> port = list(container, "ports").get(0);
        assertThat(port.get("name")).isEqualTo("http");
        assertThat(port.get("containerPort"))
            .isEqualTo(ConfigBinding.of(rendered.applicationYaml()).serverPort());
        // Model loading can take 20 s and more after a slow JVM start on the little cores.
        int startupBudget = (Integer) at(container, "startupProbe", "periodSeconds")
                * (Integer) at(container, "startupProbe", "failureThreshold");
        assertThat(startupBudget).isGreaterThanOrEqualTo(120);
    }

    @Test
    void configMapIsMountedWhereTheImageReadsItAndRollsThePodWhenItChanges() {
        Rendered rendered = Deploy.render(Values.DEFAULT);
        Map<String, Object> template = map(rendered.one("Deployment"), "spec", "template");

        assertThat(mounts(rendered)).containsEntry("config", "/config");
        assertThat(at(volume(rendered, "config"), "configMap", "name")).isEqualTo(at(rendered.one("ConfigMap"),
                "metadata", "name"));
        assertThat(at(template, "metadata", "annotations", "checksum/config")).asString().hasSize(64);
        assertThat(Deploy.render(Values.BOARD).one("Deployment")).extracting(
                (d) -> at(d, "spec", "template", "metadata", "annotations", "checksum/config"))
            .isNotEqualTo(at(template, "metadata", "annotations", "checksum/config"));
    }

    @Test
    void singlePodNeedsNoAffinityButDaemonsetPodsGetClientIpAffinity() {
        assertThat(at(Deploy.render(Values.DEFAULT).one("Service"), "spec", "sessionAffinity")).isEqualTo("None");

        Map<String, Object> service = Deploy.render(Values.DAEMONSET_PRIVILEGED).one("Service");
        assertThat(at(service, "spec", "sessionAffinity")).isEqualTo("ClientIP");
        assertThat((Integer) at(service, "spec", "sessionAffinityConfig", "clientIP", "timeoutSeconds"))
            .isGreaterThan(3600);
        assertThat(at(service, "spec", "externalTrafficPolicy")).isEqualTo("Local");
    }

    @Test
    void ingressKeepsABrowserOnItsPodByCookieAndDoesNotBufferTheStream() {
        Map<String, Object> nginx = map(Deploy.render(Values.DAEMONSET_PRIVILEGED).one("Ingress"), "metadata",
                "annotations");
        assertThat(nginx).containsEntry("nginx.ingress.kubernetes.io/affinity", "cookie")
            .containsEntry("nginx.ingress.kubernetes.io/session-cookie-name", "rkllm-gateway")
            .containsEntry("nginx.ingress.kubernetes.io/proxy-buffering", "off");

        Rendered board = Deploy.render(Values.BOARD);
        assertThat(map(board.one("Service"), "metadata", "annotations"))
            .containsEntry("traefik.ingress.kubernetes.io/service.sticky.cookie", "true");
        assertThat(at(board.one("Ingress"), "spec", "ingressClassName")).isEqualTo("traefik");
    }

    @Test
    void podDisruptionBudgetNeverBlocksADrainOfTheOnlyPod() {
        Map<String, Object> pdb = Deploy.render(Values.DEFAULT).one("PodDisruptionBudget");

        assertThat(at(pdb, "spec", "maxUnavailable")).isEqualTo(1);
        assertThat(at(pdb, "spec")).asInstanceOf(InstanceOfAssertFactories.MAP)
            .doesNotContainKey("minAvailable");
        assertThat(at(pdb, "spec", "selector", "matchLabels"))
            .isEqualTo(at(Deploy.render(Values.DEFAULT).one("Deployment"), "spec", "selector", "matchLabels"));
    }

    @Test
    void serviceMonitorScrapesThePrometheusEndpointOnlyWhenEnabled() {
        assertThat(Deploy.render(Values.DEFAULT).has("ServiceMonitor")).isFalse();

        Map<String, Object> monitor = Deploy.render(Values.BOARD).one("ServiceMonitor");
        Map<String, Object> endpoint = list(map(monitor, "spec"), "endpoints").get(0);
        assertThat(endpoint).containsEntry("path", "/actuator/prometheus").containsEntry("port", "http");
        assertThat(at(monitor, "metadata", "labels", "release")).isEqualTo("kube-prometheus-stack");
    }

    @Test
    void serviceAccountTokenIsNotMounted() {
        Rendered rendered = Deploy.render(Values.DEFAULT);

        assertThat(rendered.podSpec().get("automountServiceAccountToken")).isEqualTo(false);
        assertThat(rendered.one("ServiceAccount").get("automountServiceAccountToken")).isEqualTo(false);
    }

    @Test
    void helmTestAsksTheServiceForReadiness() {
        Rendered rendered = Deploy.renderWithTestHooks();
        Map<String, Object> pod = rendered.one("Pod");
        List<?> command = (List<?>) list(map(pod, "spec"), "containers").get(0).get("command");

        assertThat(command).first().isEqualTo("curl");
        assertThat(command).last().asString().isEqualTo("http://gw-rkllm-gateway:8080/actuator/health/readiness");
    }

    @Test
    void installNotesSayHowToReachItAndWarnAboutMissingOrPrivilegedNpuAccess() {
        String defaults = Deploy.notes(Values.DEFAULT);
        assertThat(defaults).contains("kubectl -n npu port-forward svc/gw-rkllm-gateway 8080:8080")
            .contains("Read stream_url through this same Service")
            .contains("no NPU access is configured");

        String board = Deploy.notes(Values.BOARD);
        assertThat(board).contains("http://npu.lan").doesNotContain("NOTE:");

        String privileged = Deploy.notes(Values.DAEMONSET_PRIVILEGED);
        assertThat(privileged).contains("(daemonset mode)").contains("runs privileged")
            .contains("keeps a client on one pod by its address");

        String cluster = Deploy.notes(Values.CLUSTER);
        assertThat(cluster).contains("(daemonset mode)").contains("redis://gw-rkllm-gateway-redis:6379")
            .contains("kubectl label node <node> rkllm.io/board=true").doesNotContain("keeps a client on one pod");
    }

    @Test
    void withoutKeysThereIsNoSecretAndNothingToImport() {
        Rendered rendered = Deploy.render(Values.DEFAULT);

        assertThat(rendered.has("Secret")).isFalse();
        assertThat(rendered.applicationYaml()).doesNotContain("import").doesNotContain("api-keys");
        assertThat(mounts(rendered)).doesNotContainKey("security");
    }

    @Test
    void chartKeysGoIntoItsOwnSecretWhichTheConfigurationImportsAndBinds() {
        Rendered rendered = Deploy.render(Values.KEYED);
        Map<String, Object> secret = rendered.one("Secret");
        String file = new String(Base64.getDecoder().decode((String) map(secret, "data").get("security.yml")),
                StandardCharsets.UTF_8);

        SecurityProperties security = ConfigBinding.of(file).security();
        assertThat(security.apiKeys()).extracting(SecurityProperties.ApiKey::name).containsExactly("web", "ops");
        assertThat(security.apiKeys()).extracting(SecurityProperties.ApiKey::role)
            .containsExactly(Role.CLIENT, Role.ADMIN);
        assertThat(security.apiKeys().get(0).keySha256())
            .isEqualTo("5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8");
        assertThat(security.apiKeys().get(1).key()).isEqualTo("ops-secret-key-0003");
        assertThat(security.streamTokens().secret()).isEqualTo("a-stream-token-secret-of-32-chars-or-more");
        assertThat(ConfigBinding.of(file).unboundKeys("rkllm")).isEmpty();

        assertThat(rendered.applicationYaml()).contains("import: file:/secrets/security.yml")
            .doesNotContain("ops-secret-key-0003").doesNotContain("5E884898");
        assertThat(mounts(rendered)).containsEntry("security", "/secrets");
        Map<String, Object> volume = volume(rendered, "security");
        assertThat(at(volume, "secret", "secretName")).isEqualTo(at(secret, "metadata", "name"));
        assertThat(list(map(volume, "secret"), "items")).containsExactly(Map.of("key", "security.yml",
                "path", "security.yml"));
        assertThat(at(rendered.one("Deployment"), "spec", "template", "metadata", "annotations", "checksum/security"))
            .asString()
            .hasSize(64);
    }

    @Test
    void anExistingSecretIsMountedInsteadOfTheChartsOwn() {
        Rendered rendered = Deploy.render(Values.DAEMONSET_PRIVILEGED);

        assertThat(rendered.has("Secret")).isFalse();
        Map<String, Object> volume = volume(rendered, "security");
        assertThat(at(volume, "secret", "secretName")).isEqualTo("my-gateway-keys");
        assertThat(list(map(volume, "secret"), "items")).containsExactly(Map.of("key", "keys.yml",
                "path", "security.yml"));
        assertThat(mounts(rendered)).containsEntry("security", "/secrets");
        assertThat(rendered.applicationYaml()).contains("import: file:/secrets/security.yml");
        Map<String, Object> scrape = list(map(rendered.one("ServiceMonitor"), "spec"), "endpoints").get(0);
        assertThat(at(scrape, "authorization", "credentials")).as("an admin key for /actuator/prometheus")
            .isEqualTo(Map.of("name", "my-gateway-keys", "key", "prometheus-key"));
    }

    private static Map<String, Object> volume(Rendered rendered, String name) {
        return list(rendered.podSpec(), "volumes").stream()
            .filter((v) -> name.equals(v.get("name")))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    private static Map<String, Object> hostPaths(Rendered rendered) {
        Map<String, Object> paths = new LinkedHashMap<>();
        for (Map<String, Object> volume : list(rendered.podSpec(), "volumes")) {
            Object path = at(volume, "hostPath", "path");
            if (path != null && !"cache".equals(volume.get("name"))) {
                paths.put((String) volume.get("name"), path);
            }
        }
        return paths;
    }

    private static Map<String, Object> mounts(Rendered rendered) {
        Map<String, Object> mounts = new LinkedHashMap<>();
        for (Map<String, Object> mount : list(rendered.container(), "volumeMounts")) {
            mounts.put((String) mount.get("name"), mount.get("mountPath"));
        }
        return mounts;
    }

}
