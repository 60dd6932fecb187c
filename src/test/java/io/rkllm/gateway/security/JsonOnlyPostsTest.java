package io.rkllm.gateway.security;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A body a web page on another site could send without a CORS preflight (text, form, multipart, or no type at all) is
 * refused with 415 on every POST API, in that API's error shape, and starts nothing; JSON with any charset is taken.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class JsonOnlyPostsTest {

    private static final String RUN = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"rkllm_run_async\","
            + "\"params\":{\"prompt_input\":\"hi [[sim:tokens=2]]\"}}";

    private static final List<String> POST_APIS = List.of("/rpc", "/", "/v1/chat/completions", "/v1/completions",
            "/api/chat", "/api/generate", "/mcp");

    @LocalServerPort
    private int port;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x", "application/xml", "???", "" })
    void aBodyThatIsNotJsonIsRefusedWith415AndStartsNothing(String contentType) {
        HttpCalls http = new HttpCalls(this.port);
        long created = sessionsCreated(http);
        for (String path : POST_APIS) {
            Map<String, String> headers = new HashMap<>();
            if (!contentType.isEmpty()) {
                headers.put("Content-Type", contentType);
            }
            HttpCalls.Answer answer = http.send("POST", path, headers, RUN);

            assertThat(answer.status()).as("POST %s as '%s'", path, contentType).isEqualTo(415);
            assertThat(answer.header("Content-Type")).startsWith("application/json");
            JsonNode body = answer.json();
            String message = path.startsWith("/v1") ? body.at("/error/message").asString()
                    : path.startsWith("/api") ? body.get("error").asString() : body.at("/error/message").asString();
            assertThat(message).as(answer.body()).contains("application/json");
            if (!path.startsWith("/v1") && !path.startsWith("/api")) {
                assertThat(body.at("/error/code").asInt()).isEqualTo(-32600);
            }
        }
        assertThat(sessionsCreated(http)).as("sessions created").isEqualTo(created);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "application/json", "application/json; charset=utf-8", "APPLICATION/JSON",
            "application/json-rpc+json" })
    void jsonIsTaken(String contentType) {
        HttpCalls.Answer answer = new HttpCalls(this.port).send("POST", "/rpc", Map.of("Content-Type", contentType),
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().at("/result/pong").asBoolean()).isTrue();
    }

    private static long sessionsCreated(HttpCalls http) {
        return http.postJson("/rpc", Map.of(), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"stream_manager_status\"}")
            .json()
            .at("/result/sessions_created")
            .asLong();
    }

}
