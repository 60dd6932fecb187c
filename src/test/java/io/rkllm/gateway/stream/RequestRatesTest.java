package io.rkllm.gateway.stream;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A client may start a burst of its per-minute runs, then one every minute / per-minute; clients do not share. */
class RequestRatesTest {

    private final MutableClock clock = MutableClock.start();

    private final RequestRates rates = new RequestRates(3, this.clock);

    @Test
    void aBurstOfTheRateThenOneRunPerTwentySeconds() {
        for (int i = 0; i < 3; i++) {
            assertThat(this.rates.take("10.0.0.1")).as("run %d", i).isNull();
        }
        assertThat(this.rates.take("10.0.0.1")).isEqualTo(Duration.ofSeconds(20));
        this.clock.advance(Duration.ofSeconds(15));
        assertThat(this.rates.take("10.0.0.1")).isEqualTo(Duration.ofSeconds(5));
        this.clock.advance(Duration.ofSeconds(5));
        assertThat(this.rates.take("10.0.0.1")).isNull();
        assertThat(this.rates.take("10.0.0.1")).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void oneClientsFloodLeavesAnothersBucketFull() {
        for (int i = 0; i < 10; i++) {
            this.rates.take("key web");
        }
        for (int i = 0; i < 3; i++) {
            assertThat(this.rates.take("key phone")).isNull();
        }
    }

    @Test
    void bucketsThatRefilledAreForgotten() {
        this.rates.take("10.0.0.1");
        this.rates.take("10.0.0.2");
        this.clock.advance(Duration.ofSeconds(19));
        this.rates.forgetFull(this.clock.instant());
        assertThat(this.rates.clients()).isEqualTo(2);
        this.clock.advance(Duration.ofSeconds(1));
        this.rates.forgetFull(this.clock.instant());
        assertThat(this.rates.clients()).isZero();
        assertThat(new RequestRates(0, this.clock).take("anyone")).as("no limit").isNull();
    }

}
