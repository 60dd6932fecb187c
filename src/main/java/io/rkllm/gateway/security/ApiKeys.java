package io.rkllm.gateway.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.BiPredicate;

import io.rkllm.gateway.config.SecurityProperties;
import io.rkllm.gateway.config.SecurityProperties.Role;
import org.jspecify.annotations.Nullable;

/**
 * The configured API keys, held as SHA-256 digests only. A presented key is digested and compared with every
 * configured digest in constant time, without stopping at a match: how long the check takes depends neither on how
 * much of a key matched nor on which key it was.
 */
public final class ApiKeys {

    private final List<Entry> entries;

    private final BiPredicate<byte[], byte[]> comparison;

    public ApiKeys(SecurityProperties properties) {
        this(properties, MessageDigest::isEqual);
    }

    /** @param comparison compares two digests; {@link MessageDigest#isEqual} but in tests that watch it */
    ApiKeys(SecurityProperties properties, BiPredicate<byte[], byte[]> comparison) {
        this.entries = properties.apiKeys()
            .stream()
            .map((key) -> new Entry(key.name(), key.role(), (key.key() != null) ? sha256(key.key())
                    : HexFormat.of().parseHex(key.keySha256())))
            .toList();
        this.comparison = comparison;
    }

    /** Whether any key is set: without keys, every route is open. */
    public boolean enabled() {
        return !this.entries.isEmpty();
    }

    /** The key that the presented text is, if any. */
    public Optional<Match> match(String presented) {
        byte[] digest = sha256(presented);
        @Nullable Entry found = null;
        for (Entry entry : this.entries) {
            // Every entry is compared, and a match only chosen without a branch on the bytes.
            boolean equal = this.comparison.test(entry.digest(), digest);
            found = (equal && found == null) ? entry : found;
        }
        return Optional.ofNullable(found).map((entry) -> new Match(entry.name(), entry.role()));
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("every Java platform has SHA-256", ex);
        }
    }

    /** A key that matched: its name and role. */
    public record Match(String name, Role role) {
    }

    private record Entry(String name, Role role, byte[] digest) {
    }

}
