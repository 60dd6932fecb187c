package io.rkllm.gateway.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pages beside the API over a real socket: {@code GET /} is the chat page while {@code POST /} stays the JSON-RPC
 * alias, the static files are served from the jar, and none of them loads anything from another host.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class PageRoutesTest extends LiveGatewayTest {

    /** A URL with a host in it: in src/href attributes, CSS url(), @import or fetch/EventSource arguments. */
    private static final Pattern OTHER_HOST = Pattern
        .compile("(src|href)\\s*=\\s*[\"']?\\s*(https?:)?//|url\\(\\s*[\"']?(https?:)?//|@import|(fetch|EventSource)"
                + "\\(\\s*[\"'`](https?:)?//", Pattern.CASE_INSENSITIVE);

    private RawHttp.Head get(String path, StringBuilder body) throws IOException {
        try (RawHttp http = RawHttp.connect(this.port)) {
            RawHttp.Head head = http.get(path, Map.of("Accept", "text/html")).head();
            body.append(new String(http.readBody(), StandardCharsets.UTF_8));
            return head;
        }
    }

    @Test
    void getSlashIsTheChatPageWhilePostSlashStaysJsonRpc() throws Exception {
        StringBuilder page = new StringBuilder();
        RawHttp.Head head = get("/", page);
        String pong;
        try (RawHttp http = RawHttp.connect(this.port)) {
            http.post("/", Map.of(), GatewayRpc.request("ping", Map.of())).head();
            pong = new String(http.readBody(), StandardCharsets.UTF_8);
        }

        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("Content-Type")).startsWith("text/html");
        assertThat(page).contains("<title>rkllm-gateway chat</title>");
        assertThat(pong).contains("\"result\":{\"pong\":true}");
    }

    @ParameterizedTest
    @ValueSource(strings = { "/ops.html", "/gateway.js", "/chat.js", "/ops.js", "/gateway.css", "/chat.css",
            "/ops.css" })
    void staticFilesAreServedFromTheJar(String path) throws Exception {
        RawHttp.Head head = get(path, new StringBuilder());

        assertThat(head.status()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = { "index.html", "ops.html", "gateway.js", "chat.js", "ops.js", "gateway.css", "chat.css",
            "ops.css" })
    void nothingIsLoadedFromAnotherHost(String file) throws Exception {
        String text = new ClassPathResource("static/" + file).getContentAsString(StandardCharsets.UTF_8);

        assertThat(OTHER_HOST.matcher(text).find()).as("a URL with a host in static/%s", file).isFalse();
    }

}
