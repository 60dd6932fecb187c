package io.rkllm.gateway.web;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CORS over a real socket, with the bundled configuration's {@code allowed-origins: http://localhost:*}: preflights
 * and simple requests from an allowed origin get the headers on every kind of route (those whose handlers do not
 * exist in this build too, since the policy sits in front of all of them); an origin not listed gets 403 and no
 * {@code Access-Control-*} header, and its request never reaches the handler.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class CorsHeadersTest extends LiveGatewayTest {

    private static final String ALLOWED = "http://localhost:5173";

    private static final String REFUSED = "http://evil.example";

    private RawHttp.Head exchange(String method, String path, Map<String, String> headers, String body)
            throws Exception {
        try (RawHttp http = RawHttp.connect(this.port)) {
            Map<String, String> all = new LinkedHashMap<>(headers);
            if (body != null) {
                all.put("Content-Type", "application/json");
            }
            http.send(method, path, all, (body != null) ? body.getBytes(StandardCharsets.UTF_8) : null);
            RawHttp.Head head = http.head();
            http.readBody();
            return head;
        }
    }

    private RawHttp.Head preflight(String origin, String method, String path, String requestHeaders)
            throws Exception {
        return exchange("OPTIONS", path, Map.of("Origin", origin, "Access-Control-Request-Method", method,
                "Access-Control-Request-Headers", requestHeaders), null);
    }

    @ParameterizedTest
    @CsvSource({ "POST, /rpc, 'content-type,authorization,x-api-key'", "POST, /, 'content-type,x-api-key'",
            "GET, /streams/any, last-event-id", "GET, /ws, authorization",
            "POST, /mcp, 'content-type,mcp-session-id,mcp-protocol-version'",
            "POST, /v1/chat/completions, 'content-type,authorization'", "POST, /api/chat, content-type",
            "DELETE, /actuator/streams/any, authorization", "GET, /actuator/health, authorization" })
    void preflightFromAnAllowedOriginIsAnsweredOnEveryRoute(String method, String path, String requestHeaders)
            throws Exception {
        RawHttp.Head head = preflight(ALLOWED, method, path, requestHeaders);

        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("Access-Control-Allow-Origin")).isEqualTo(ALLOWED);
        assertThat(head.header("Access-Control-Allow-Methods")).contains(method);
        assertThat(head.header("Access-Control-Allow-Headers").toLowerCase()).contains(requestHeaders.split(","));
        assertThat(head.header("Access-Control-Max-Age")).isEqualTo("1800");
        assertThat(head.header("Access-Control-Allow-Credentials")).isNull();
        assertThat(head.header("Vary")).contains("Origin");
    }

    @Test
    void preflightFromAnOriginNotListedIsRefusedWithoutCorsHeaders() throws Exception {
        for (String origin : new String[] { REFUSED, "http://127.0.0.1:5173", "https://localhost:5173" }) {
            RawHttp.Head head = preflight(origin, "POST", "/rpc", "content-type");

            assertThat(head.status()).as(origin).isEqualTo(403);
            assertThat(head.headers().keySet()).as(origin).noneMatch((name) -> name.startsWith("access-control-"));
        }
    }

    @Test
    void preflightAllowsOnlyTheHeadersTheApisRead() throws Exception {
        RawHttp.Head head = preflight(ALLOWED, "POST", "/rpc", "content-type,x-secret");

        // The browser compares the list with what the page wants to send, and refuses to send x-secret.
        assertThat(head.header("Access-Control-Allow-Headers")).isEqualToIgnoringCase("content-type");
    }

    @Test
    void simpleRequestsFromAnAllowedOriginCarryTheHeadersAndExposeWhatClientsRead() throws Exception {
        String run = GatewayRpc.request("rkllm_run_async",
                Map.of("prompt_input", "CORS [[sim:prefill_ms=0]][[sim:delay_us=0]][[sim:tokens=3]]"));
        RawHttp.Head rpc;
        String sessionId;
        try (RawHttp http = RawHttp.connect(this.port)) {
            rpc = http.post("/rpc", Map.of("Origin", ALLOWED), run).head();
            String body = new String(http.readBody(), StandardCharsets.UTF_8);
            sessionId = body.replaceAll(".*\"session_id\":\"([^\"]+)\".*", "$1");
        }
        RawHttp.Head stream = exchange("GET", "/streams/" + sessionId, Map.of("Origin", ALLOWED), null);
        RawHttp.Head health = exchange("GET", "/actuator/health", Map.of("Origin", ALLOWED), null);
        RawHttp.Head unknown = exchange("GET", "/streams/unknown", Map.of("Origin", ALLOWED), null);

        for (RawHttp.Head head : new RawHttp.Head[] { rpc, stream, health, unknown }) {
            assertThat(head.header("Access-Control-Allow-Origin")).isEqualTo(ALLOWED);
            assertThat(head.header("Access-Control-Expose-Headers")).contains("Mcp-Session-Id", "x-rkllm-ignored",
                    "Retry-After", "WWW-Authenticate");
        }
        assertThat(rpc.status()).isEqualTo(200);
        assertThat(stream.status()).isEqualTo(200);
        assertThat(stream.header("Content-Type")).startsWith("text/event-stream");
        assertThat(health.status()).isEqualTo(200);
        assertThat(unknown.status()).isEqualTo(404);
    }

    @Test
    void simpleRequestFromAnOriginNotListedNeverReachesTheHandler() throws Exception {
        long created = this.rpc.status().get("sessions_created").asLong();
        String run = GatewayRpc.request("rkllm_run_async", Map.of("prompt_input", "CSRF [[sim:tokens=3]]"));

        RawHttp.Head head = exchange("POST", "/rpc", Map.of("Origin", REFUSED), run);
        RawHttp.Head health = exchange("GET", "/actuator/health", Map.of("Origin", REFUSED), null);

        assertThat(head.status()).isEqualTo(403);
        assertThat(health.status()).isEqualTo(403);
        assertThat(head.headers().keySet()).noneMatch((name) -> name.startsWith("access-control-"));
        assertThat(this.rpc.status().get("sessions_created").asLong()).isEqualTo(created);
    }

    @Test
    void requestsWithoutOriginAreNotCorsAndPassUntouched() throws Exception {
        RawHttp.Head head = exchange("POST", "/rpc", Map.of(), GatewayRpc.request("ping", Map.of()));

        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("Access-Control-Allow-Origin")).isNull();
    }

}
