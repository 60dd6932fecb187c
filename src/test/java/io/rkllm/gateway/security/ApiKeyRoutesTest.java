package io.rkllm.gateway.security;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With API keys set, every API route refuses a missing or wrong key with 401 in its own API's error shape and lets a
 * right one through; admin routes and methods refuse client keys with 403; health probes and the page stay open.
 * Routes that later issues add ({@code /ws}, {@code /v1}, {@code /api}, {@code /mcp}) are covered by their pattern
 * already.
 */
@KeyedGateway
class ApiKeyRoutesTest {

    private static final String PING = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";

    @LocalServerPort
    private int port;

    /**
     * A route, the shape of its 401, and whether a client key is enough.
     *
     * @param body a JSON body to send, or null
     */
    record Route(String method, String path, String body, Shape shape, boolean adminOnly) {

        @Override
        public String toString() {
            return this.method + " " + this.path;
        }

    }

    enum Shape {
        JSON_RPC, OPENAI, OLLAMA
    }

    static List<Route> routes() {
        return List.of(new Route("POST", "/rpc", PING, Shape.JSON_RPC, false),
                new Route("POST", "/", PING, Shape.JSON_RPC, false),
                new Route("GET", "/streams/some-session", null, Shape.JSON_RPC, false),
                new Route("GET", "/ws", null, Shape.JSON_RPC, false),
                new Route("POST", "/mcp", "{}", Shape.JSON_RPC, false),
                new Route("GET", "/v1/models", null, Shape.OPENAI, false),
                new Route("POST", "/v1/chat/completions", "{}", Shape.OPENAI, false),
                new Route("GET", "/api/tags", null, Shape.OLLAMA, false),
                new Route("POST", "/api/chat", "{}", Shape.OLLAMA, false),
                new Route("GET", "/actuator/streams", null, Shape.JSON_RPC, true),
                new Route("GET", "/actuator/streams/some-session", null, Shape.JSON_RPC, true),
                new Route("DELETE", "/actuator/streams/some-session", null, Shape.JSON_RPC, true),
                new Route("GET", "/actuator/prometheus", null, Shape.JSON_RPC, true),
                new Route("GET", "/actuator/info", null, Shape.JSON_RPC, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routes")
    void aMissingOrWrongKeyGets401InTheRoutesOwnShape(Route route) {
        for (Map<String, String> credentials : List.of(Map.<String, String>of(), HttpCalls.bearer("wrong-key"),
                Map.of("x-api-key", KeyedGateway.WEB + "x"), HttpCalls.bearer(KeyedGateway.OPS_SHA256))) {
            HttpCalls.Answer answer = send(route, credentials);

            assertThat(answer.status()).as("%s with %s", route, credentials.keySet()).isEqualTo(401);
            assertThat(answer.header("WWW-Authenticate")).isEqualTo("Bearer");
            assertShape(route.shape(), answer.json(), -32008);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routes")
    void aRightKeyGetsThroughAndAClientKeyStopsAtAdminRoutes(Route route) {
        for (Map<String, String> credentials : List.of(HttpCalls.bearer(KeyedGateway.WEB),
                Map.of("x-api-key", KeyedGateway.PHONE), Map.of("authorization", "bearer " + KeyedGateway.WEB))) {
            HttpCalls.Answer answer = send(route, credentials);

            if (route.adminOnly()) {
                assertThat(answer.status()).as("%s with a client key", route).isEqualTo(403);
                assertShape(route.shape(), answer.json(), -32009);
            }
            else {
                assertThat(answer.status()).as("%s with a client key: %s", route, answer.body()).isNotIn(401, 403);
            }
        }
        HttpCalls.Answer admin = send(route, Map.of("x-api-key", KeyedGateway.OPS));
        assertThat(admin.status()).as("%s with the admin key: %s", route, admin.body()).isNotIn(401, 403);
    }

    @Test
    void healthProbesAndThePageStayOpenAndAnonymousHealthShowsNoDetails() {
        HttpCalls http = new HttpCalls(this.port);
        for (String probe : List.of("/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness")) {
            HttpCalls.Answer answer = http.send("GET", probe, Map.of(), null);
            assertThat(answer.status()).as(probe).isEqualTo(200);
            assertThat(answer.json().get("status").asString()).isEqualTo("UP");
            assertThat(answer.body()).as(probe).doesNotContain("librkllmrt").doesNotContain(".rkllm")
                .doesNotContain("details");
        }
        JsonNode forAdmin = http.send("GET", "/actuator/health", Map.of("x-api-key", KeyedGateway.OPS), null).json();
        assertThat(forAdmin.at("/components/rkllm/details/abi").asString()).isNotEmpty();
        assertThat(http.send("GET", "/", Map.of(), null).status()).as("GET / (the page)").isNotIn(401, 403);
        assertThat(http.send("GET", "/favicon.ico", Map.of(), null).status()).isNotIn(401, 403);
    }

    @Test
    void adminMethodsRefuseClientKeysOverJsonRpc() {
        HttpCalls http = new HttpCalls(this.port);
        for (String method : List.of("rkllm_init", "rkllm_destroy")) {
            JsonNode client = http.rpc(KeyedGateway.WEB, method, Map.of(), 1).get("error");
            assertThat(client.get("code").asInt()).as(method).isEqualTo(-32009);
            assertThat(client.get("message").asString()).contains("admin key");
            JsonNode admin = http.rpc(KeyedGateway.OPS, method, Map.of(), 2).get("error");
            assertThat(admin.get("code").asInt()).as("%s for an admin, switched off here", method).isEqualTo(-32006);
        }
        assertThat(http.rpc(KeyedGateway.WEB, "ping", Map.of(), 3).at("/result/pong").asBoolean()).isTrue();
    }

    private HttpCalls.Answer send(Route route, Map<String, String> credentials) {
        HttpCalls http = new HttpCalls(this.port);
        if (route.body() == null) {
            return http.send(route.method(), route.path(), credentials, null);
        }
        return http.postJson(route.path(), credentials, route.body());
    }

    private static void assertShape(Shape shape, JsonNode body, int jsonRpcCode) {
        switch (shape) {
            case JSON_RPC -> {
                assertThat(body.get("jsonrpc").asString()).isEqualTo("2.0");
                assertThat(body.get("id").isNull()).isTrue();
                assertThat(body.at("/error/code").asInt()).isEqualTo(jsonRpcCode);
                assertThat(body.at("/error/message").asString()).isNotBlank();
            }
            case OPENAI -> {
                assertThat(body.get("error").propertyNames()).containsExactly("message", "type", "param", "code");
                assertThat(body.at("/error/message").asString()).isNotBlank();
            }
            case OLLAMA -> {
                assertThat(body.propertyNames()).containsExactly("error");
                assertThat(body.get("error").asString()).isNotBlank();
            }
        }
    }

}
