package io.rkllm.gateway.openai;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.rkllm.gateway.chat.ApiClient;
import io.rkllm.gateway.nativebridge.RkllmRuntime;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On runtime 1.2, which takes sampling and a token limit only at init: a request with sampling fields (clients such as
 * Continue always send them) is answered, the fields named in {@code x-rkllm-ignored}; the token limit is kept by
 * the gateway.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = "rkllm.library-path=${rkllm.sim.dir:target/native}/1.2/librkllmrt.so")
class OpenAiOnAbi12Test {

    @LocalServerPort
    private int port;

    @Autowired
    private RkllmRuntime runtime;

    @Test
    void samplingIsAnsweredWithTheIgnoredFieldsNamedAndTheTokenLimitKept() throws Exception {
        this.runtime.initialization().get(10, TimeUnit.SECONDS);
        assertThat(this.runtime.status().abi()).isEqualTo("1.2");

        ApiClient.Answer answer = new ApiClient(this.port).post("/v1/chat/completions", Map.of("model", "tiny-sim",
                "messages", List.of(Map.of("role", "user", "content", "one two three four [[sim:delay_us=0]]")),
                "temperature", 0.2, "top_p", 0.5, "presence_penalty", 0, "max_tokens", 2));

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.ignored()).isEqualTo("temperature, top_p, presence_penalty");
        JsonNode choice = answer.json().get("choices").get(0);
        assertThat(choice.get("message").get("content").asString()).isEqualTo("one two");
        assertThat(choice.get("finish_reason").asString()).isEqualTo("length");
    }

    @Test
    void aConversationLongerThanTheContextIs400ContextLengthExceeded() throws Exception {
        this.runtime.initialization().get(10, TimeUnit.SECONDS);

        ApiClient.Answer answer = new ApiClient(this.port).post("/v1/chat/completions", Map.of("model", "tiny-sim",
                "messages", List.of(Map.of("role", "user", "content", "w ".repeat(5000) + "[[sim:delay_us=0]]")),
                "stream", true));

        assertThat(answer.status()).as(answer.body()).isEqualTo(400);
        assertThat(answer.json().get("error").get("code").asString()).isEqualTo("context_length_exceeded");
    }

}
