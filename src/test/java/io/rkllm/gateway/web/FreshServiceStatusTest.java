package io.rkllm.gateway.web;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code stream_manager_status} of a service that nobody has used yet; a context of its own (a max-sessions value no
 * other test uses), so that no other test's sessions are in it.
 */
@SpringBootTest(properties = "rkllm.streams.max-sessions=200")
class FreshServiceStatusTest {

    @Autowired
    private ApplicationContext context;

    @Test
    void freshServiceIsInitializedWithNoSessionsAndRoomForMany() {
        JsonNode status = new GatewayRpc(HttpExchange.routes(this.context)).status();

        assertThat(status.get("initialized").asBoolean()).isTrue();
        assertThat(status.get("active_sessions").asInt()).isZero();
        assertThat(status.get("max_sessions").asInt()).isEqualTo(200);
        assertThat(status.get("queued").asInt()).isZero();
        assertThat(status.get("running_session_id").isNull()).isTrue();
        assertThat(status.get("sessions_created").asLong()).isZero();
        assertThat(status.get("sessions_evicted").asLong()).isZero();
    }

}
