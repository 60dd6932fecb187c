package io.rkllm.gateway.chat;

import java.io.IOException;

import io.rkllm.gateway.Command;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The official npm clients, unmodified and pinned in compat-check/package-lock.json (openai 6 and ollama 0.6 on
 * Node 20), run by Node against the service on a real port with the base URLs the README gives.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class OfficialNpmClientsTest extends LiveApiTest {

    @Test
    void theOpenAiClientListsModelsAndChatsStreamedAndWhole() throws IOException {
        Command.Result result = CompatCheck.node("openai-client.mjs", "http://localhost:" + this.port + "/v1");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("openai npm client").contains("ok");
    }

    @Test
    void theOllamaClientListsChatsStreamedAndGenerates() throws IOException {
        Command.Result result = CompatCheck.node("ollama-client.mjs", "http://localhost:" + this.port);

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("ollama npm client").contains("ok");
    }

}
