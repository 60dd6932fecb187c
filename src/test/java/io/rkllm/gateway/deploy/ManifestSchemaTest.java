package io.rkllm.gateway.deploy;

import io.rkllm.gateway.deploy.Deploy.NodeResult;
import io.rkllm.gateway.deploy.Deploy.Rendered;
import io.rkllm.gateway.deploy.Deploy.Values;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every manifest the chart renders validates against the Kubernetes API schemas (npm kubernetes-models, and the
 * prometheus-operator models for the ServiceMonitor), with unknown fields refused as kubectl --validate=strict does
 * (deploy-check/validate.mjs).
 */
class ManifestSchemaTest {

    @ParameterizedTest
    @EnumSource(Values.class)
    void renderedManifestsMatchTheKubernetesSchemas(Values values) {
        Rendered rendered = Deploy.render(values);

        NodeResult result = Deploy.node("validate.mjs", rendered.file());

        assertThat(result.exitCode()).as("node deploy-check/validate.mjs %s:%n%s", rendered.file(), result.output())
            .isZero();
        assertThat(result.output()).contains(rendered.documents().size() + " documents checked, 0 failed");
    }

    @Test
    void helmTestPodMatchesTheSchemaToo() {
        Rendered rendered = Deploy.renderWithTestHooks();

        NodeResult result = Deploy.node("validate.mjs", rendered.file());

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("ok v1 Pod/gw-rkllm-gateway-test-readiness");
    }

    @Test
    void validatorRefusesAMisspeltFieldAndAWrongType() {
        String broken = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: broken
                spec:
                  replicas: "one"
                  selector: {matchLabels: {app: x}}
                  template:
                    metadata: {labels: {app: x}}
                    spec:
                      containers:
                        - name: gateway
                          image: rkllm-gateway
                          readinesProbe: {httpGet: {path: /actuator/health/readiness, port: http}}
                """;

        NodeResult result = Deploy.node("validate.mjs", Deploy.write("broken.yaml", broken));

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).contains("spec/replicas must be integer");
        String fixedType = broken.replace("replicas: \"one\"", "replicas: 1");
        NodeResult typo = Deploy.node("validate.mjs", Deploy.write("broken-typo.yaml", fixedType));
        assertThat(typo.exitCode()).isEqualTo(1);
        assertThat(typo.output()).contains("/spec/template/spec/containers/0/readinesProbe: unknown field");
    }

}
