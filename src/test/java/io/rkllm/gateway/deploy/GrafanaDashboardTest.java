package io.rkllm.gateway.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.marcnuri.helm.Helm;
import io.rkllm.gateway.deploy.Deploy.Rendered;
import io.rkllm.gateway.deploy.Deploy.Values;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static io.rkllm.gateway.deploy.Deploy.at;
import static io.rkllm.gateway.deploy.Deploy.map;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Grafana dashboard the chart ships: a ConfigMap for Grafana's sidecar only when asked for, valid JSON, and every
 * PromQL expression in it built from meters that {@code /actuator/prometheus} of the running service exports.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class GrafanaDashboardTest {

    private static final Path DASHBOARD = Deploy.CHART.resolve("dashboards/rkllm-gateway.json");

    /** What PromQL names that are not metrics: functions, aggregations, keywords, Grafana's variables. */
    private static final Set<String> NOT_METRICS = Set.of("sum", "max", "min", "avg", "count", "rate", "irate",
            "increase", "by", "without", "histogram_quantile", "label_values", "namespace", "pod", "model", "outcome",
            "method");

    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    @LocalServerPort
    private int port;

    @Test
    void theDashboardIsAConfigMapForGrafanasSidecarOnlyWhenEnabled() throws Exception {
        assertThat(dashboards(Deploy.render(Values.DEFAULT))).isEmpty();
        assertThat(dashboards(Deploy.render(Values.BOARD))).isEmpty();

        String yaml = new Helm(Deploy.CHART).template()
            .withName(Deploy.RELEASE)
            .withNamespace(Deploy.NAMESPACE)
            .withKubeVersion(Deploy.KUBE_VERSION)
            .withValuesFile(Deploy.ROOT.resolve("src/test/resources/deploy/values-dashboard.yaml"))
            .call();
        Map<String, Object> configMap = dashboards(Rendered.of(yaml, Deploy.write("dashboard.yaml", yaml))).get(0);
        assertThat(at(configMap, "metadata", "labels", "grafana_dashboard")).isEqualTo("1");
        assertThat(at(configMap, "metadata", "annotations", "grafana_folder")).isEqualTo("RKLLM");
        String json = (String) map(configMap, "data").get("rkllm-gateway.json");
        JsonNode shipped = JsonMapper.shared().readTree(json);
        assertThat(shipped).isEqualTo(JsonMapper.shared().readTree(Files.readString(DASHBOARD)));
        assertThat(shipped.path("uid").asString()).isEqualTo("rkllm-gateway");
        assertThat(shipped.path("panels").size()).isGreaterThanOrEqualTo(6);
    }

    @Test
    void everyExpressionNamesOnlyMetersTheServiceExports() throws Exception {
        WebTestClient client = WebTestClient.bindToServer()
            .baseUrl("http://localhost:" + this.port)
            .responseTimeout(Duration.ofSeconds(10))
            .build();
        // The request counter appears with the first JSON-RPC request.
        client.post().uri("/rpc").contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}")
            .exchange()
            .expectStatus().isOk();
        String scrape = client.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
            .expectBody(String.class).returnResult().getResponseBody();
        Set<String> exported = scrape.lines()
            .filter((line) -> !line.startsWith("#") && !line.isBlank())
            .map((line) -> line.split("[{ ]", 2)[0])
            .collect(Collectors.toSet());

        List<String> expressions = expressions(JsonMapper.shared().readTree(Files.readString(DASHBOARD)));
        Set<String> named = new TreeSet<>();
        expressions.forEach((expression) -> named.addAll(metricsIn(expression)));

        assertThat(expressions).hasSizeGreaterThanOrEqualTo(8);
        assertThat(named).contains("rkllm_tokens_total", "rkllm_ttft_seconds_sum", "rkllm_queue_depth_sessions",
                "rkllm_sessions_active_sessions", "rkllm_sessions_evicted_sessions_total", "rkllm_model_loads_total",
                "rkllm_model_unloads_total", "rkllm_models_resident_models");
        assertThat(exported).containsAll(named);
    }

    private static List<Map<String, Object>> dashboards(Rendered rendered) {
        return rendered.all("ConfigMap").stream()
            .filter((configMap) -> map(configMap, "data").containsKey("rkllm-gateway.json"))
            .toList();
    }

    /** The PromQL of every panel target and of the template variables' queries. */
    private static List<String> expressions(JsonNode dashboard) {
        List<String> all = new ArrayList<>();
        dashboard.path("panels").forEach((panel) -> panel.path("targets")
            .forEach((target) -> all.add(target.path("expr").asString())));
        dashboard.path("templating").path("list").forEach((variable) -> {
            if (variable.path("query").has("query")) {
                all.add(variable.path("query").path("query").asString());
            }
        });
        return all;
    }

    /** The metric names of an expression: its identifiers once label matchers, ranges and grouping are gone. */
    private static Set<String> metricsIn(String expression) {
        String bare = expression.replaceAll("\\{[^}]*}", " ")
            .replaceAll("\\[[^]]*]", " ")
            .replaceAll("(by|without) \\([^)]*\\)", " ")
            .replaceAll("\\$\\w+", " ");
        Set<String> names = new TreeSet<>();
        Matcher matcher = IDENTIFIER.matcher(bare);
        while (matcher.find()) {
            String name = matcher.group();
            if (!NOT_METRICS.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }

}
