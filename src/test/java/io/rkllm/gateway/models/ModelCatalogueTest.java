package io.rkllm.gateway.models;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.rkllm.gateway.rpc.ErrorCode;
import io.rkllm.gateway.rpc.GatewayException;
import io.rkllm.gateway.stream.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The catalogue: every {@code .rkllm} of the directory, its sidecar, the default model, and changes noticed. */
class ModelCatalogueTest {

    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.start();

    @Test
    void everyModelFileIsAModelWithTheDefaultFirst() throws Exception {
        Files.writeString(this.dir.resolve("zeta.rkllm"), "z");
        Files.writeString(this.dir.resolve("alpha.rkllm"), "a");
        Files.writeString(this.dir.resolve("notes.txt"), "not a model");
        Files.createDirectory(this.dir.resolve("sub.rkllm"));

        ModelCatalogue catalogue = catalogue("zeta");

        assertThat(catalogue.models()).extracting(ModelFile::id).containsExactly("zeta", "alpha");
        assertThat(catalogue.resolve(null).id()).isEqualTo("zeta");
        assertThat(catalogue.defaultModel().isDefault()).isTrue();
        assertThat(catalogue.resolve("alpha").sizeBytes()).isEqualTo(1);
        assertThatThrownBy(() -> catalogue.resolve("gamma")).isInstanceOfSatisfying(GatewayException.class,
                (ex) -> assertThat(ex.errorCode()).isEqualTo(ErrorCode.INVALID_PARAMS))
            .hasMessageContaining("model: no model gamma in rkllm.model-dir");
    }

    @Test
    void aSidecarGivesParametersTemplateSystemPromptAdaptersAndAliases() throws Exception {
        Files.writeString(this.dir.resolve("qwen.rkllm"), "q");
        Files.writeString(this.dir.resolve("coder.lora"), "l");
        Files.writeString(this.dir.resolve("qwen.yaml"), """
                aliases: [qwen2.5, "qwen:1.5b"]
                system_prompt: You are terse.
                chat_template: "{% for m in messages %}{{ m.content }}{% endfor %}"
                eos_token: <|im_end|>
                params:
                  max_context_len: 8192
                  top_k: 1
                  temperature: 0.5
                  skip_special_token: true
                lora_adapters:
                  - name: coder
                    path: coder.lora
                    scale: 0.5
                """);

        ModelCatalogue catalogue = catalogue("qwen");
        ModelFile qwen = catalogue.resolve("qwen:1.5b");
        assertThat(catalogue.resolve("qwen:latest")).as("an untagged name tagged :latest").isEqualTo(qwen);
        assertThat(catalogue.resolve("qwen2.5:latest")).as("an alias tagged :latest").isEqualTo(qwen);

        assertThat(qwen.id()).isEqualTo("qwen");
        assertThat(qwen.sidecarError()).isNull();
        ModelSidecar sidecar = qwen.sidecar();
        assertThat(sidecar.aliases()).containsExactly("qwen2.5", "qwen:1.5b");
        assertThat(sidecar.systemPrompt()).isEqualTo("You are terse.");
        assertThat(sidecar.chatTemplate()).startsWith("{% for m in messages %}");
        assertThat(sidecar.eosToken()).isEqualTo("<|im_end|>");
        assertThat(sidecar.bosToken()).isNull();
        assertThat(sidecar.params().maxContextLen()).isEqualTo(8192);
        assertThat(sidecar.params().topK()).isEqualTo(1);
        assertThat(sidecar.params().temperature()).isEqualTo(0.5f);
        assertThat(sidecar.params().skipSpecialToken()).isTrue();
        assertThat(sidecar.params().modelPath()).isNull();
        assertThat(sidecar.loraAdapters()).singleElement().satisfies((lora) -> {
            assertThat(lora.name()).isEqualTo("coder");
            assertThat(lora.path()).isEqualTo(this.dir.resolve("coder.lora").toAbsolutePath().toString());
            assertThat(lora.scale()).isEqualTo(0.5f);
        });
    }

    @Test
    void aBrokenSidecarIsReportedAndTheModelKeepsItsPlace() throws Exception {
        Files.writeString(this.dir.resolve("a.rkllm"), "a");
        Files.writeString(this.dir.resolve("a.yaml"), "params:\n  model_path: /etc/passwd\n");
        Files.writeString(this.dir.resolve("b.rkllm"), "b");
        Files.writeString(this.dir.resolve("b.yaml"), "lora_adapters:\n  - name: x\n    path: ../../outside.lora\n");
        Files.writeString(this.dir.resolve("c.rkllm"), "c");
        Files.writeString(this.dir.resolve("c.yaml"), "colour: blue\n");

        ModelCatalogue catalogue = catalogue("a");

        assertThat(catalogue.resolve("a").sidecarError()).contains("a.yaml").contains("model_path");
        assertThat(catalogue.resolve("b").sidecarError()).contains("path not allowed");
        assertThat(catalogue.resolve("c").sidecarError()).contains("unknown key 'colour'");
    }

    @Test
    void filesAddedOrRemovedWhileRunningAreNoticed() throws Exception {
        Files.writeString(this.dir.resolve("a.rkllm"), "a");
        ModelCatalogue catalogue = catalogue("a");

        Files.writeString(this.dir.resolve("b.rkllm"), "b");
        assertThat(catalogue.find("b")).as("a name not found reads the directory again").isPresent();

        Files.delete(this.dir.resolve("b.rkllm"));
        assertThat(catalogue.models()).extracting(ModelFile::id).contains("b");
        this.clock.advance(Duration.ofSeconds(5));
        assertThat(catalogue.models()).as("read again after the scan interval").extracting(ModelFile::id)
            .containsExactly("a");
        assertThat(catalogue.contains("b")).isFalse();
    }

    private ModelCatalogue catalogue(String defaultId) {
        return new ModelCatalogue(this.dir, this.dir.resolve(defaultId + ".rkllm").toString(), this.clock,
                Duration.ofSeconds(5));
    }

}
