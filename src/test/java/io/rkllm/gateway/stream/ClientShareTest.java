package io.rkllm.gateway.stream;

import java.time.Duration;

import io.rkllm.gateway.rpc.GatewayException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The queue's per-client share: a key, or an address of another machine, has at most its share waiting while others
 * still get in; a keyless caller on this machine (a local reverse proxy, all its clients as one) is left to the
 * queue's capacity.
 */
class ClientShareTest {

    private final MutableClock clock = MutableClock.start();

    private final InferenceQueue queue = new InferenceQueue(16, 2, Duration.ofMinutes(2), this.clock,
            StreamSession::markRunning, Runnable::run);

    private StreamSession session(Caller owner) {
        StreamSession session = new StreamSession(null, null, "test", owner, SessionState.QUEUED, this.clock, 16);
        this.queue.enqueue(session);
        return session;
    }

    @Test
    void aClientPastItsShareIsRefusedWithARetryHintWhileOthersQueue() {
        Caller lan = new Caller(null, false, "10.0.0.7", false);
        session(new Caller("web", false, "10.0.0.9", false));
        session(lan);
        session(lan);

        assertThatExceptionOfType(GatewayException.class).isThrownBy(() -> session(lan))
            .satisfies((ex) -> assertThat(ex.retryAfter()).isPositive())
            .withMessageContaining("rkllm.limits.max-queued-per-client");
        assertThat(session(new Caller(null, false, "10.0.0.8", false)).queuePosition()).isEqualTo(3);
        Caller web = new Caller("web", false, "127.0.0.1", true);
        session(web);
        session(web);
        assertThatExceptionOfType(GatewayException.class).as("a key is limited wherever it comes from")
            .isThrownBy(() -> session(web));
    }

    @Test
    void keylessLocalCallersAreLeftToTheQueuesCapacity() {
        Caller local = new Caller(null, true, "127.0.0.1", true);
        for (int i = 0; i < 6; i++) {
            session(local);
        }
        assertThat(this.queue.depth()).isEqualTo(5);
    }

}
