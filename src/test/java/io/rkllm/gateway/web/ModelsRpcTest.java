package io.rkllm.gateway.web;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.rkllm.gateway.models.ModelCatalogue;
import io.rkllm.gateway.models.SimModelFiles;
import io.rkllm.gateway.observability.RkllmHealthIndicator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The models over JSON-RPC, in a service whose model directory holds three simulator models with corpora of their
 * own: {@code model} picks one per run, {@code models_status} shows them, the admin methods load and unload them.
 */
@SpringBootTest(properties = { "rkllm.models.max-resident=2", "rkllm.admin-methods.enabled=true" })
class ModelsRpcTest {

    private static final Path DIR = modelDir();

    private static final String QUICK = "[[sim:prefill_ms=0]][[sim:delay_us=0]][[sim:tokens=12]]";

    @Autowired
    private ApplicationContext context;

    @Autowired
    private RkllmHealthIndicator health;

    private GatewayRpc rpc;

    @DynamicPropertySource
    static void models(DynamicPropertyRegistry registry) {
        registry.add("rkllm.model-dir", DIR::toString);
        registry.add("rkllm.model.model-path", () -> DIR.resolve("alpha.rkllm").toString());
    }

    @BeforeEach
    void connect() {
        this.rpc = new GatewayRpc(HttpExchange.routes(this.context));
        await().atMost(Duration.ofSeconds(10)).until(() -> state("alpha").equals("ready"));
    }

    @Test
    void modelsStatusListsTheCatalogueWithTheDefaultFirst() {
        JsonNode status = this.rpc.result("models_status");

        assertThat(status.get("max_resident").asInt()).isEqualTo(2);
        assertThat(status.get("models").valueStream().map((model) -> model.get("id").asString()))
            .containsExactly("alpha", "beta", "slow");
        JsonNode alpha = status.get("models").get(0);
        assertThat(alpha.get("is_default").asBoolean()).isTrue();
        assertThat(alpha.get("aliases").valueStream().map(JsonNode::asString)).containsExactly("a");
        assertThat(alpha.get("load_ms").asLong()).isNotNegative();
        assertThat(alpha.has("loaded_at")).isTrue();
        assertThat(this.context.getBean(ModelCatalogue.class).models()).hasSize(3);
    }

    @Test
    void eachRunGetsTheTextOfTheModelItNames() {
        assertThat(text(Map.of("prompt_input", "1" + QUICK, "model", "beta"))).contains("Baltic");
        assertThat(text(Map.of("prompt_input", "2" + QUICK, "model", "a"))).as("an alias").contains("Alpine");
        assertThat(text(Map.of("prompt_input", "3" + QUICK))).as("the default").contains("Alpine");

        JsonNode unknown = this.rpc.error("rkllm_run", Map.of("prompt_input", "x", "model", "gamma"));
        assertThat(unknown.get("code").asInt()).isEqualTo(-32602);
        assertThat(unknown.get("message").asString()).startsWith("model: no model gamma");
    }

    @Test
    void aRunForAModelThatIsNotLoadedStartsLoadingAndThenStreams() {
        this.rpc.result("model_unload", Map.of("model", "slow"));
        JsonNode started = this.rpc.result("rkllm_run_async", Map.of("prompt_input", "s" + QUICK, "model", "slow"));

        assertThat(started.get("status").asString()).isEqualTo("loading");
        assertThat(started.has("queue_position")).isFalse();
        String id = started.get("session_id").asString();
        await().atMost(Duration.ofSeconds(10))
            .until(() -> this.rpc.result("poll", Map.of("session_id", id, "since_seq", 0)).get("state").asString()
                .equals("finished"));
        assertThat(state("slow")).isEqualTo("ready");
    }

    @Test
    void adminsLoadAndUnloadModels() {
        JsonNode loaded = this.rpc.result("model_load", Map.of("model", "beta"));
        assertThat(loaded.get("state").asString()).isEqualTo("ready");
        assertThat(loaded.get("base_domain_id").asInt()).isNotEqualTo(status("alpha").get("base_domain_id").asInt());

        JsonNode unloaded = this.rpc.result("model_unload", Map.of("model", "beta"));
        assertThat(unloaded.get("state").asString()).isEqualTo("unloaded");
        assertThat(state("beta")).isEqualTo("unloaded");
        assertThat(this.rpc.error("model_load", Map.of("model", "nope")).get("code").asInt()).isEqualTo(-32602);
    }

    @Test
    void theDefaultModelUnloadedOnPurposeLeavesTheServiceUpWithItsStateShown() {
        this.rpc.result("model_unload", Map.of("model", "alpha"));
        await().atMost(Duration.ofSeconds(10)).until(() -> state("alpha").equals("unloaded"));

        Health health = this.health.health().block(Duration.ofSeconds(10));
        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails().get("models")).isEqualTo(Map.of("alpha", "unloaded", "beta",
                state("beta"), "slow", state("slow")));

        assertThat(text(Map.of("prompt_input", "back" + QUICK))).as("loaded again on demand").contains("Alpine");
        assertThat(state("alpha")).isEqualTo("ready");
    }

    private String text(Map<String, ?> params) {
        return this.rpc.result("rkllm_run", params).get("text").asString();
    }

    private String state(String id) {
        return status(id).get("state").asString();
    }

    private JsonNode status(String id) {
        return this.rpc.result("models_status").get("models").valueStream()
            .filter((model) -> model.get("id").asString().equals(id))
            .findFirst()
            .orElseThrow();
    }

    private static Path modelDir() {
        Path dir = SimModelFiles.directory("rkllm-models");
        SimModelFiles.model(dir, "alpha", "Alpine meadows glow");
        SimModelFiles.model(dir, "beta", "Baltic harbours hum");
        SimModelFiles.model(dir, "slow", "Slowly loading", "load_ms=200");
        SimModelFiles.write(dir, "alpha.yaml", "aliases: [a]\n");
        return dir;
    }

}
