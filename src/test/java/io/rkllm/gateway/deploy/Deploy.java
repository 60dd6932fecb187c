package io.rkllm.gateway.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.Yaml;

/**
 * The deployment files of the repository (docker/, helm/rkllm-gateway/, deploy-check/) and the tools that check them:
 * Helm's engine in-process (helm-java), and the Node scripts of deploy-check/.
 */
final class Deploy {

    /** The repository root: Maven runs the tests there. */
    static final Path ROOT = Path.of("").toAbsolutePath();

    static final Path CHART = ROOT.resolve("helm/rkllm-gateway");

    static final Path BOARD_VALUES = CHART.resolve("values-board.yaml");

    static final Path DOCKERFILE = ROOT.resolve("docker/Dockerfile");

    static final Path DEPLOY_CHECK = ROOT.resolve("deploy-check");

    /** Where rendered manifests are written for the Node checks and for a human to read after a failure. */
    static final Path OUT = ROOT.resolve("target/deploy-check");

    /** The Kubernetes version the chart is rendered for (helm template's own default is older than kubeVersion). */
    static final String KUBE_VERSION = "1.31.0";

    static final String RELEASE = "gw";

    static final String NAMESPACE = "npu";

    private static final Map<String, Rendered> renders = new ConcurrentHashMap<>();

    private Deploy() {
    }

    /** The ways the chart is rendered in the tests: a name and the values files over values.yaml. */
    enum Values {

        /** values.yaml alone. */
        DEFAULT(),

        /** An RK3588 board: values-board.yaml. */
        BOARD(BOARD_VALUES),

        /**
         * DaemonSet mode with every optional part on, device nodes by path and privileged, API keys from an existing
         * Secret.
         */
        DAEMONSET_PRIVILEGED(testValues("values-daemonset-privileged.yaml")),

        /** API keys and a stream-token secret in the chart's own Secret. */
        KEYED(testValues("values-keyed.yaml")),

        /** Several boards as one endpoint, with the chart's own Redis on a claim. */
        CLUSTER(testValues("values-cluster.yaml")),

        /** Several boards as one endpoint on an existing Redis. */
        CLUSTER_EXTERNAL(testValues("values-cluster-external.yaml"));

        private final List<Path> files;

        Values(Path... files) {
            this.files = List.of(files);
        }

        List<Path> files() {
            return this.files;
        }

    }

    private static Path testValues(String name) {
        return ROOT.resolve("src/test/resources/deploy").resolve(name);
    }

    /** The chart rendered with these values (once per JVM), and written to target/deploy-check/&lt;values&gt;.yaml. */
    static Rendered render(Values values) {
        return renders.computeIfAbsent(values.name(), (key) -> {
            TemplateCommand template = new Helm(CHART).template()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .withKubeVersion(KUBE_VERSION);
            for (Path file : values.files()) {
                template = template.withValuesFile(file);
            }
            String yaml = template.call();
            return Rendered.of(yaml, write(values.name().toLowerCase() + ".yaml", yaml));
        });
    }

    /** What `helm install` prints after installing with these values (NOTES.txt), from a client-only dry run. */
    static String notes(Values values) {
        InstallCommand install = new Helm(CHART).install()
            .withName(RELEASE)
            .withNamespace(NAMESPACE)
            .withKubeVersion(KUBE_VERSION)
            .clientOnly()
            .withDryRunOption(DryRun.CLIENT);
        for (Path file : values.files()) {
            install = install.withValuesFile(file);
        }
        return install.call().getOutput();
    }

    /** Renders a copy of the chart in which the helm test hooks are plain manifests, so that they are checked too. */
    static Rendered renderWithTestHooks() {
        return renders.computeIfAbsent("TEST_HOOKS", (key) -> {
            Path copy = copyOfChart("chart-test-hooks");
            try (Stream<Path> files = Files.walk(copy.resolve("templates/tests"))) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    String text = Files.readString(file);
                    // Helm treats a template as a hook only by this annotation key; renamed, it is a manifest.
                    Files.writeString(file, text.replace("\"helm.sh/hook", "\"deploy-check.rkllm.io/helm-hook"));
                }
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            String yaml = new Helm(copy).template()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .withKubeVersion(KUBE_VERSION)
                .call();
            return Rendered.of(yaml, write("test-hooks.yaml", yaml));
        });
    }

    /**
     * helm lint --strict of the chart with these values. helm-java's lint takes no values files, so a copy of the
     * chart gets values.yaml deep-merged with them, which is what {@code helm lint -f} lints.
     */
    static LintResult lint(Values values) {
        Path chart = CHART;
        if (!values.files().isEmpty()) {
            chart = copyOfChart("chart-lint-" + values.name().toLowerCase());
            Map<String, Object> merged = loadYaml(CHART.resolve("values.yaml"));
            for (Path file : values.files()) {
                merged = deepMerge(merged, loadYaml(file));
            }
            try {
                Files.writeString(chart.resolve("values.yaml"), new Yaml().dump(merged));
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
        return new Helm(chart).lint().strict().call();
    }

    private static Path copyOfChart(String name) {
        Path target = OUT.resolve(name);
        try {
            deleteRecursively(target);
            try (Stream<Path> files = Files.walk(CHART)) {
                for (Path source : files.toList()) {
                    Path destination = target.resolve(CHART.relativize(source).toString());
                    if (Files.isDirectory(source)) {
                        Files.createDirectories(destination);
                    }
                    else {
                        Files.copy(source, destination);
                    }
                }
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return target;
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            for (Path file : files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(file);
            }
        }
    }

    static Path write(String name, String content) {
        try {
            Files.createDirectories(OUT);
            return Files.writeString(OUT.resolve(name), content, StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> loadYaml(Path file) {
        try {
            Object loaded = new Yaml().load(Files.readString(file));
            return (loaded != null) ? (Map<String, Object>) loaded : new LinkedHashMap<>();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> deepMerge(Map<String, Object> base, Map<String, Object> over) {
        Map<String, Object> merged = new LinkedHashMap<>(base);
        over.forEach((key, value) -> {
            Object current = merged.get(key);
            if (current instanceof Map<?, ?> currentMap && value instanceof Map<?, ?> valueMap) {
                merged.put(key, deepMerge((Map<String, Object>) currentMap, (Map<String, Object>) valueMap));
            }
            else {
                merged.put(key, value);
            }
        });
        return merged;
    }

    /**
     * Runs one of the deploy-check/ Node scripts on a file. Fails, rather than skips, when Node or the npm packages
     * are missing: CI installs them (.ci/run), and a developer is told how.
     */
    static NodeResult node(String script, Path file) {
        Path packages = DEPLOY_CHECK.resolve("node_modules");
        if (!Files.isDirectory(packages.resolve("kubernetes-models"))
                || !Files.isDirectory(packages.resolve("dockerfile-utils"))) {
            throw new AssertionError("The deployment checks need their npm packages, which are not installed: run "
                    + "`npm ci --prefix deploy-check` in the repository root (Node.js 18 or later; .ci/run does it)");
        }
        ProcessBuilder builder = new ProcessBuilder("node", DEPLOY_CHECK.resolve(script).toString(), file.toString())
            .directory(ROOT.toFile())
            .redirectErrorStream(true);
        try {
            Process process = builder.start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("node " + script + " did not finish within 60 s");
            }
            return new NodeResult(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        }
        catch (IOException ex) {
            throw new AssertionError("Cannot run `node` (" + ex.getMessage() + "): install Node.js 18 or later, "
                    + "then `npm ci --prefix deploy-check`", ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ex);
        }
    }

    /** What a Node script printed, and its exit code. */
    record NodeResult(int exitCode, String output) {
    }

    /** One `helm template` output: the YAML text, the file it was written to, and its documents. */
    record Rendered(String yaml, Path file, List<Map<String, Object>> documents) {

        @SuppressWarnings("unchecked")
        static Rendered of(String yaml, Path file) {
            List<Map<String, Object>> documents = new ArrayList<>();
            for (Object document : new Yaml().loadAll(yaml)) {
                if (document != null) {
                    documents.add((Map<String, Object>) document);
                }
            }
            return new Rendered(yaml, file, List.copyOf(documents));
        }

        /** The one document of this kind; fails when there is none or more than one. */
        Map<String, Object> one(String kind) {
            List<Map<String, Object>> found = all(kind);
            if (found.size() != 1) {
                throw new AssertionError("expected one " + kind + ", found " + found.size() + " in " + this.file);
            }
            return found.get(0);
        }

        /** The one {@code kind} named {@code name}. */
        Map<String, Object> named(String kind, String name) {
            return all(kind).stream()
                .filter((d) -> name.equals(at(d, "metadata", "name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + this.file));
        }

        List<Map<String, Object>> all(String kind) {
            return this.documents.stream().filter((d) -> kind.equals(d.get("kind"))).toList();
        }

        boolean has(String kind) {
            return !all(kind).isEmpty();
        }

        /** The gateway's pod spec, from the Deployment or the DaemonSet. */
        Map<String, Object> podSpec() {
            Map<String, Object> workload = has("Deployment") ? one("Deployment") : one("DaemonSet");
            return map(workload, "spec", "template", "spec");
        }

        /** The gateway container. */
        Map<String, Object> container() {
            List<Map<String, Object>> containers = list(podSpec(), "containers");
            return containers.stream()
                .filter((c) -> "gateway".equals(c.get("name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no container named gateway in " + this.file));
        }

        /** The application.yml of the ConfigMap. */
        String applicationYaml() {
            return (String) Objects.requireNonNull(map(one("ConfigMap"), "data").get("application.yml"),
                    "ConfigMap data application.yml");
        }

    }

    /** The map at this path; fails with the path when something on the way is missing. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> from, String... path) {
        Object current = from;
        for (String key : path) {
            if (!(current instanceof Map<?, ?> map) || map.get(key) == null) {
                throw new AssertionError("no " + String.join(".", path) + " (missing at " + key + ")");
            }
            current = map.get(key);
        }
        return (Map<String, Object>) current;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> from, String key) {
        Object value = from.get(key);
        if (!(value instanceof List<?>)) {
            throw new AssertionError("no list " + key + " in " + from.keySet());
        }
        return (List<Map<String, Object>>) value;
    }

    static @Nullable Object at(Map<String, Object> from, String... path) {
        Object current = from;
        for (String key : path) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(key);
        }
        return current;
    }

}
