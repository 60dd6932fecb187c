package io.rkllm.gateway.web;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A request body over {@code rkllm.limits.max-request-bytes} gets 413 over a real socket, whether its length is
 * declared or it comes in chunks: how the server reads the wire is what is tested here.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class RequestSizeWireTest {

    @LocalServerPort
    private int port;

    @Test
    void bodyOverTheLimitWithItsLengthDeclaredIsRefusedWith413() throws Exception {
        RawHttp.Answer answer = RawHttp.post(this.port, BadInputTest.oversized());

        assertThat(answer.status()).isEqualTo(413);
        BadInputTest.assertNoLeak(answer.body());
        JsonNode error = JsonMapper.shared().readTree(answer.body()).get("error");
        assertThat(error.get("message").asString()).contains("max-request-bytes");
    }

    @Test
    void bodyOverTheLimitSentInChunksIsRefusedWith413() throws Exception {
        byte[] body = BadInputTest.oversized();
        // A body publisher of unknown length: the request goes out with Transfer-Encoding: chunked, no Content-Length.
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/rpc"))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
            .build();

        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(413);
        BadInputTest.assertNoLeak(response.body());
    }

}
