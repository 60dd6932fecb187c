package io.rkllm.gateway.security;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.rkllm.gateway.config.SecurityProperties;
import io.rkllm.gateway.config.SecurityProperties.ApiKey;
import io.rkllm.gateway.config.SecurityProperties.Role;
import io.rkllm.gateway.config.SecurityProperties.StreamTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keys match by their SHA-256 digests, and the comparison cannot tell a caller how much of a key it got right:
 * whatever is presented, every configured digest is compared whole against the 32-byte digest of what was sent.
 */
class ApiKeysTest {

    private static final String WEB = "web-secret-key-0001";

    private static final SecurityProperties PROPERTIES = new SecurityProperties(List.of(
            new ApiKey("web", WEB, null, Role.CLIENT),
            new ApiKey("ops", null, KeyedGateway.OPS_SHA256.toUpperCase(), Role.ADMIN)),
            new StreamTokens(Duration.ofMinutes(10), null));

    private final List<byte[][]> comparisons = new ArrayList<>();

    private final ApiKeys keys = new ApiKeys(PROPERTIES, (configured, presented) -> {
        this.comparisons.add(new byte[][] { configured, presented });
        return MessageDigest.isEqual(configured, presented);
    });

    @Test
    void plainAndHashedKeysMatchWithTheirNameAndRole() {
        assertThat(this.keys.match(WEB)).contains(new ApiKeys.Match("web", Role.CLIENT));
        assertThat(this.keys.match(KeyedGateway.OPS)).contains(new ApiKeys.Match("ops", Role.ADMIN));
        assertThat(this.keys.enabled()).isTrue();
        assertThat(new ApiKeys(new SecurityProperties(List.of(), PROPERTIES.streamTokens())).enabled()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "w", "web-secret-key-000", "web-secret-key-0002", "xeb-secret-key-0001",
            "web-secret-key-00011", "WEB-SECRET-KEY-0001", KeyedGateway.OPS_SHA256 })
    void nearMissesMatchNothing(String presented) {
        assertThat(this.keys.match(presented)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = { WEB, "web-secret-key-0002", "xeb-secret-key-0001", "w", "",
            "a much longer text than any key, which must cost the same comparisons as the others do" })
    void everyKeyIsComparedWholeAgainstTheDigestOfWhatWasSentWhateverMatched(String presented) {
        Optional<ApiKeys.Match> match = this.keys.match(presented);

        assertThat(this.comparisons).as("one comparison per configured key, a match or not").hasSize(2);
        byte[] digest = ApiKeys.sha256(presented);
        assertThat(this.comparisons).allSatisfy((pair) -> {
            assertThat(pair[0]).as("configured digest").hasSize(32);
            assertThat(pair[1]).as("what is compared is the digest of the presented key").isEqualTo(digest);
        });
        assertThat(match.isPresent()).isEqualTo(presented.equals(WEB));
    }

}
