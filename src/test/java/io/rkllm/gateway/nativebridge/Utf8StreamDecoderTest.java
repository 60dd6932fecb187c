package io.rkllm.gateway.nativebridge;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Utf8StreamDecoder} gives back exactly the text that was encoded, however the bytes are cut. */
class Utf8StreamDecoderTest {

    private static final String REPLACEMENT = "\uFFFD";

    /** Characters of every UTF-8 length that models really emit: accented, Greek, CJK, emoji, symbols. */
    private static final String[] SAMPLES = { "é", "ñ", "ü", "ß", "Ω", "Ж", "ة", "€", "中", "文", "日", "本", "語",
            "한", "ア", "…", "→", "\u200B", "🎉", "🚀", "😀", "🧠", "𝄞", "𠜎", "👩‍💻" };

    @ParameterizedTest
    @ValueSource(longs = { 1, 2, 3, 42, 1234, 98_765, 0xC0FFEE, 7_777_777, Long.MAX_VALUE, -5 })
    void randomTextCutIntoRandomChunksComesBackExactly(long seed) {
        Random random = new Random(seed);
        for (int round = 0; round < 20; round++) {
            String text = randomText(random, 1 + random.nextInt(300));
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);

            assertThat(decodeInChunks(bytes, randomCuts(random, bytes.length))).as("seed %d round %d", seed, round)
                    .isEqualTo(text);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = { 1, 2, 3, 42, 1234, 98_765, 0xC0FFEE, 7_777_777, Long.MAX_VALUE, -5 })
    void randomTextFedOneByteAtATimeComesBackExactly(long seed) {
        String text = randomText(new Random(seed), 200);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        List<Integer> everyByte = new ArrayList<>();
        for (int i = 1; i < bytes.length; i++) {
            everyByte.add(i);
        }

        assertThat(decodeInChunks(bytes, everyByte)).isEqualTo(text);
    }

    @Test
    void everyCutInsideEveryKindOfCharacterIsHeldBackUntilTheCharacterIsComplete() {
        for (String sample : SAMPLES) {
            String text = "a" + sample + "b";
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            for (int cut = 1; cut < bytes.length; cut++) {
                assertThat(decodeInChunks(bytes, List.of(cut))).as("%s cut at byte %d", sample, cut).isEqualTo(text);
            }
        }
    }

    @Test
    void splitCharacterIsDeliveredWithItsLastByteAndNothingIsHeldBackLonger() {
        Utf8StreamDecoder decoder = new Utf8StreamDecoder();
        byte[] emoji = "🎉".getBytes(StandardCharsets.UTF_8);

        assertThat(decoder.decode(concat("ok ".getBytes(StandardCharsets.UTF_8), Arrays.copyOf(emoji, 2))))
                .isEqualTo("ok ");
        assertThat(decoder.decode(Arrays.copyOfRange(emoji, 2, 3))).isEmpty();
        assertThat(decoder.decode(Arrays.copyOfRange(emoji, 3, 4))).isEqualTo("🎉");
        assertThat(decoder.flush()).isEmpty();
    }

    @Test
    void truncatedTrailingCharacterBecomesOneReplacementCharacterOnFlush() {
        for (String sample : List.of("é", "€", "中", "🚀")) {
            byte[] bytes = sample.getBytes(StandardCharsets.UTF_8);
            Utf8StreamDecoder decoder = new Utf8StreamDecoder();

            String text = decoder.decode(concat("ab".getBytes(StandardCharsets.UTF_8),
                    Arrays.copyOf(bytes, bytes.length - 1)));

            assertThat(text).as(sample).isEqualTo("ab");
            assertThat(decoder.flush()).as(sample).isEqualTo(REPLACEMENT);
            assertThat(decoder.flush()).as("second flush of " + sample).isEmpty();
        }
    }

    @Test
    void loneContinuationByteBecomesAReplacementCharacterAndKeepsTheTextAroundIt() {
        Utf8StreamDecoder decoder = new Utf8StreamDecoder();

        assertThat(decoder.decode(new byte[] { 'A', (byte) 0x80, 'B' })).isEqualTo("A" + REPLACEMENT + "B");
        assertThat(decoder.decode(new byte[] { (byte) 0x80 })).isEqualTo(REPLACEMENT);
        assertThat(decoder.decode("next".getBytes(StandardCharsets.UTF_8))).isEqualTo("next");
        assertThat(decoder.flush()).isEmpty();
    }

    @Test
    void byteFfBecomesAReplacementCharacterAndKeepsTheTextAfterIt() {
        Utf8StreamDecoder decoder = new Utf8StreamDecoder();

        assertThat(decoder.decode(new byte[] { 'h', (byte) 0xFF, 'i' })).isEqualTo("h" + REPLACEMENT + "i");
        assertThat(decoder.decode(new byte[] { (byte) 0xFF })).isEqualTo(REPLACEMENT);
        assertThat(decoder.decode("中文".getBytes(StandardCharsets.UTF_8))).isEqualTo("中文");
        assertThat(decoder.flush()).isEmpty();
    }

    @Test
    void leadByteFollowedByPlainTextBecomesAReplacementCharacterWithoutSwallowingTheText() {
        Utf8StreamDecoder decoder = new Utf8StreamDecoder();
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8);

        assertThat(decoder.decode(Arrays.copyOf(euro, 2))).isEmpty();
        assertThat(decoder.decode("abc".getBytes(StandardCharsets.UTF_8))).isEqualTo(REPLACEMENT + "abc");
        assertThat(decoder.decode(Arrays.copyOf(euro, 1))).isEmpty();
        assertThat(decoder.decode("日".getBytes(StandardCharsets.UTF_8))).isEqualTo(REPLACEMENT + "日");
        assertThat(decoder.flush()).isEmpty();
    }

    @Test
    void emptyChunksAreHarmlessAnywhere() {
        Utf8StreamDecoder decoder = new Utf8StreamDecoder();
        byte[] cjk = "語".getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();

        out.append(decoder.decode(new byte[0]));
        out.append(decoder.decode(Arrays.copyOf(cjk, 1)));
        out.append(decoder.decode(new byte[0]));
        out.append(decoder.decode(Arrays.copyOfRange(cjk, 1, 3)));
        out.append(decoder.decode(new byte[0]));
        out.append(decoder.flush());

        assertThat(out.toString()).isEqualTo("語");
        assertThat(new Utf8StreamDecoder().flush()).isEmpty();
    }

    /**
     * Decodes chunk by chunk, checking after each chunk that everything up to the last complete character (and no
     * more) has come out, then flushes.
     */
    private static String decodeInChunks(byte[] bytes, List<Integer> cuts) {
        TreeSet<Integer> boundaries = characterBoundaries(bytes);
        Utf8StreamDecoder decoder = new Utf8StreamDecoder();
        StringBuilder out = new StringBuilder();
        int from = 0;
        List<Integer> ends = new ArrayList<>(cuts);
        ends.add(bytes.length);
        for (int end : ends) {
            out.append(decoder.decode(Arrays.copyOfRange(bytes, from, end)));
            int complete = boundaries.floor(end);
            assertThat(out.toString()).as("text after %d of %d bytes", end, bytes.length)
                    .isEqualTo(new String(bytes, 0, complete, StandardCharsets.UTF_8));
            from = end;
        }
        out.append(decoder.flush());
        return out.toString();
    }

    /** Sorted cut positions in [0, length], repeats allowed so that some chunks are empty; many are 1 byte. */
    private static List<Integer> randomCuts(Random random, int length) {
        List<Integer> cuts = new ArrayList<>();
        int at = 0;
        while (at < length) {
            int step = switch (random.nextInt(4)) {
                case 0 -> 0;
                case 1 -> 1;
                default -> 1 + random.nextInt(7);
            };
            at = Math.min(length, at + step);
            cuts.add(at);
        }
        return cuts;
    }

    private static TreeSet<Integer> characterBoundaries(byte[] bytes) {
        TreeSet<Integer> boundaries = new TreeSet<>();
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || (bytes[i] & 0xC0) != 0x80) {
                boundaries.add(i);
            }
        }
        return boundaries;
    }

    /** ASCII words and punctuation mixed with 2-, 3- and 4-byte characters, from samples and from whole ranges. */
    private static String randomText(Random random, int codePoints) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < codePoints; i++) {
            switch (random.nextInt(6)) {
                case 0, 1 -> text.append((char) (0x20 + random.nextInt(0x5F)));
                case 2 -> text.append(SAMPLES[random.nextInt(SAMPLES.length)]);
                case 3 -> text.appendCodePoint(0x80 + random.nextInt(0x800 - 0x80));
                case 4 -> text.appendCodePoint(randomThreeByteCodePoint(random));
                default -> text.appendCodePoint(0x10000 + random.nextInt(0x110000 - 0x10000));
            }
        }
        String result = text.toString();
        assertThat(result.getBytes(StandardCharsets.UTF_8)).hasSizeGreaterThanOrEqualTo(codePoints);
        return result;
    }

    private static int randomThreeByteCodePoint(Random random) {
        while (true) {
            int codePoint = 0x800 + random.nextInt(0x10000 - 0x800);
            if (codePoint < Character.MIN_SURROGATE || codePoint > Character.MAX_SURROGATE) {
                return codePoint;
            }
        }
    }

    private static byte[] concat(byte[] first, byte[] second) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(first);
        out.writeBytes(second);
        return out.toByteArray();
    }

}
