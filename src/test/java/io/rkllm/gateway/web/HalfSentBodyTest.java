package io.rkllm.gateway.web;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client that goes away in the middle of sending its request body is no server error: it is logged at DEBUG, with
 * no stack trace, and the service serves the next client.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = "logging.level.io.rkllm.gateway.web.RequestBodies=DEBUG")
@ExtendWith(OutputCaptureExtension.class)
class HalfSentBodyTest {

    @LocalServerPort
    private int port;

    @ParameterizedTest(name = "reset={0}")
    @ValueSource(booleans = { false, true })
    void aClientClosingAHalfSentBodyIsLoggedAsGoneNotAsAServerError(boolean reset, CapturedOutput output)
            throws Exception {
        int before = output.getOut().split("went away while sending", -1).length;
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), this.port)) {
            if (reset) {
                socket.setSoLinger(true, 0);
            }
            OutputStream out = socket.getOutputStream();
            out.write(("POST /rpc HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 1000\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"pi")
                .getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        await().atMost(RawHttp.READ_TIMEOUT)
            .until(() -> output.getOut().split("went away while sending", -1).length > before);
        assertThat(new GatewayRpc(this.port).result("ping", Map.of()).get("pong").asBoolean()).isTrue();
        assertThat(output).doesNotContain("500 Server Error").doesNotContain("ERROR");
    }

}
