package io.rkllm.gateway.chat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

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

    private static final Path COMPAT_CHECK = Path.of("compat-check").toAbsolutePath();

    private Command.Result node(String script, String baseUrl) throws IOException {
        if (!Files.isDirectory(COMPAT_CHECK.resolve("node_modules/openai"))
                || !Files.isDirectory(COMPAT_CHECK.resolve("node_modules/ollama"))) {
            throw new AssertionError("The compatibility checks need their npm packages, which are not installed: run "
                    + "`npm ci --prefix compat-check` in the repository root (Node.js 20 or later)");
        }
        return Command.run(COMPAT_CHECK, Map.of(), Duration.ofSeconds(60),
                List.of("node", COMPAT_CHECK.resolve(script).toString(), baseUrl));
    }

    @Test
    void theOpenAiClientListsModelsAndChatsStreamedAndWhole() throws IOException {
        Command.Result result = node("openai-client.mjs", "http://localhost:" + this.port + "/v1");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("openai npm client").contains("ok");
    }

    @Test
    void theOllamaClientListsChatsStreamedAndGenerates() throws IOException {
        Command.Result result = node("ollama-client.mjs", "http://localhost:" + this.port);

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("ollama npm client").contains("ok");
    }

}
