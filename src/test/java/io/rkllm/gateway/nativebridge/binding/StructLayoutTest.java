package io.rkllm.gateway.nativebridge.binding;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import com.sun.jna.Structure;
import com.sun.jna.Union;
import io.rkllm.gateway.nativebridge.AbiGeneration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The JNA structs, the simulator's header and Rockchip's headers agree on every size, offset and enum value. */
class StructLayoutTest {

    private static final String SHARED_PACKAGE = "io.rkllm.gateway.nativebridge.binding";

    private static final String CALL_STATE_PREFIX = "RKLLM_RUN_";

    private static final Method FIELD_OFFSET = fieldOffsetMethod();

    @ParameterizedTest
    @EnumSource(AbiGeneration.class)
    void everyLineOfTheHeaderTableMatchesTheJnaBinding(AbiGeneration abi) {
        List<String> table = tableLines(abi);
        assertThat(table).hasSizeGreaterThan(80);

        List<String> mismatches = mismatches(table, (line) -> measure(line, abi));

        assertThat(mismatches)
                .withFailMessage(() -> mismatches.size() + " line(s) of " + tableName(abi)
                        + " differ from the JNA binding:\n" + String.join("\n", mismatches))
                .isEmpty();
    }

    @ParameterizedTest
    @EnumSource(AbiGeneration.class)
    void everyFieldOfTheBoundStructsIsListedInTheHeaderTable(AbiGeneration abi) {
        List<String> unlisted = unlistedFields(tableLines(abi), abi);

        assertThat(unlisted)
                .withFailMessage(() -> "fields of the JNA binding that " + tableName(abi)
                        + " does not list (a field the header lacks?):\n" + String.join("\n", unlisted))
                .isEmpty();
    }

    @ParameterizedTest
    @EnumSource(AbiGeneration.class)
    @Timeout(30)
    void simulatorHeaderPrintsExactlyTheHeaderTable(AbiGeneration abi) throws Exception {
        Path program = Path.of(System.getProperty("rkllm.sim.dir", "target/native"), "layout-" + abi.label());
        assertThat(program).isExecutable();

        Process process = new ProcessBuilder(program.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        assertThat(output.lines().toList()).containsExactlyElementsOf(tableLines(abi));
    }

    @ParameterizedTest
    @EnumSource(AbiGeneration.class)
    void repositoryCopyOfTheHeaderTableIsByteIdenticalToTheSharedOne(AbiGeneration abi) {
        Path shared = Path.of(System.getProperty("rkllm.shared.dir", "../shared"), tableName(abi));
        assumeTrue(Files.isRegularFile(shared), () -> "no shared table at " + shared.toAbsolutePath());

        assertThat(Path.of("src/test/resources/abi", tableName(abi))).hasSameBinaryContentAs(shared);
    }

    @Test
    void comparisonReportsAWrongSizeWithExpectedAndActual() {
        List<String> mismatches = mismatches(List.of("RKLLMParam size 999", "RKLLMParam.top_p offset 24"),
                (line) -> measure(line, AbiGeneration.V1_3));

        assertThat(mismatches).singleElement()
                .asString()
                .contains("expected 'RKLLMParam size 999'")
                .contains("actual 'RKLLMParam size 184'");
    }

    @Test
    void comparisonReportsAWrongOffsetAWrongUnionMemberOffsetAndAWrongEnumValue() {
        List<String> mismatches = mismatches(
                List.of("RKLLMParam.extend_param offset 88", "RKLLMInput.token_input offset 8",
                        "RKLLMMultiModalInput.video.video_end offset 113",
                        "LLMCallState RKLLM_RUN_NORMAL 0 WAITING 1 FINISH 2 ERROR 4"),
                (line) -> measure(line, AbiGeneration.V1_3));

        assertThat(mismatches).hasSize(4);
        assertThat(mismatches.get(0)).contains("actual 'RKLLMParam.extend_param offset 60'");
        assertThat(mismatches.get(1)).contains("actual 'RKLLMInput.token_input offset 16'");
        assertThat(mismatches.get(2)).contains("actual 'RKLLMMultiModalInput.video.video_end offset 112'");
        assertThat(mismatches.get(3)).contains("actual 'LLMCallState RKLLM_RUN_NORMAL 0 WAITING 1 FINISH 2 ERROR 3'");
    }

    @Test
    void comparisonReportsWhatTheBindingLacksOrCannotRead() {
        List<String> mismatches = mismatches(List.of("RKLLMParam.img_start offset 64", "RKLLMNoSuchStruct size 8",
                "LLMCallState RKLLM_RUN_NORMAL 0 GET_LAST_HIDDEN_LAYER 4", "something else entirely"),
                (line) -> measure(line, AbiGeneration.V1_3));

        assertThat(mismatches).hasSize(4);
        assertThat(mismatches.get(0)).contains("img_start").contains("RKLLMParam");
        assertThat(mismatches.get(1)).contains("RKLLMNoSuchStruct");
        assertThat(mismatches.get(2)).contains("RKLLM_RUN_GET_LAST_HIDDEN_LAYER");
        assertThat(mismatches.get(3)).contains("unrecognised line");
    }

    @Test
    void fieldListingReportsAFieldTheTableLacks() {
        List<String> table = new ArrayList<>(tableLines(AbiGeneration.V1_3));
        assertThat(table.remove("RKLLMExtendParam.n_batch offset 12")).isTrue();
        assertThat(table.remove("RKLLMInput.embed_input offset 16")).isTrue();
        assertThat(table.remove("RKLLMMultiModalInput.image.image_end offset 40")).isTrue();

        assertThat(unlistedFields(table, AbiGeneration.V1_3)).containsExactlyInAnyOrder("RKLLMExtendParam.n_batch",
                "RKLLMInput.embed_input", "RKLLMMultiModalInput.image.image_end");
    }

    /** The fields of every struct the table sizes that have no offset line in the table. */
    static List<String> unlistedFields(List<String> table, AbiGeneration abi) {
        List<String> unlisted = new ArrayList<>();
        for (String line : table) {
            String[] words = line.split(" ");
            if (words.length == 3 && words[1].equals("size")) {
                for (String path : fieldPaths(words[0], structClass(words[0], abi))) {
                    if (table.stream().noneMatch((listed) -> listed.startsWith(path + " offset "))) {
                        unlisted.add(path);
                    }
                }
            }
        }
        return unlisted;
    }

    /** One line per table line whose measured counterpart differs, naming both; empty when all match. */
    static List<String> mismatches(List<String> expected, Function<String, String> measure) {
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
            String line = expected.get(i);
            if (line.isBlank()) {
                continue;
            }
            String actual;
            try {
                actual = measure.apply(line);
            }
            catch (RuntimeException ex) {
                actual = "<" + ex.getMessage() + ">";
            }
            if (!line.equals(actual)) {
                mismatches.add("line " + (i + 1) + ": expected '" + line + "', actual '" + actual + "'");
            }
        }
        return mismatches;
    }

    /** The line the JNA binding gives for the thing {@code line} describes, in the table's format. */
    static String measure(String line, AbiGeneration abi) {
        String[] words = line.trim().split(" +");
        if (words[0].equals("LLMCallState")) {
            return callStateLine(words);
        }
        if (words.length == 3 && words[1].equals("size")) {
            return words[0] + " size " + newInstance(structClass(words[0], abi)).size();
        }
        if (words.length == 3 && words[1].equals("offset")) {
            return words[0] + " offset " + offsetOf(words[0], abi);
        }
        throw new IllegalArgumentException("unrecognised line");
    }

    private static String callStateLine(String[] words) {
        StringBuilder line = new StringBuilder("LLMCallState");
        for (int i = 1; i + 1 < words.length; i += 2) {
            String constant = words[i].startsWith(CALL_STATE_PREFIX) ? words[i] : CALL_STATE_PREFIX + words[i];
            try {
                int value = LLMCallState.class.getField(constant).getInt(null);
                line.append(' ').append(words[i]).append(' ').append(value);
            }
            catch (NoSuchFieldException ex) {
                throw new IllegalArgumentException("LLMCallState has no " + constant);
            }
            catch (IllegalAccessException ex) {
                throw new IllegalStateException(ex);
            }
        }
        return line.toString();
    }

    /** Sums the offsets along {@code Struct.member.field}, looking inside the struct's unions for unknown names. */
    private static long offsetOf(String dottedPath, AbiGeneration abi) {
        String[] names = dottedPath.split("\\.");
        Class<?> type = structClass(names[0], abi);
        long offset = 0;
        for (int i = 1; i < names.length; i++) {
            Structure owner = newInstance(asStructure(type, dottedPath));
            Field field = publicField(type, names[i]);
            if (field != null) {
                offset += fieldOffset(owner, names[i]);
                type = field.getType();
                continue;
            }
            Field union = unionHolding(type, names[i]);
            if (union == null) {
                throw new IllegalArgumentException(type.getSimpleName() + " has no field or union member " + names[i]);
            }
            Structure unionInstance = newInstance(asStructure(union.getType(), dottedPath));
            offset += fieldOffset(owner, union.getName()) + fieldOffset(unionInstance, names[i]);
            type = publicField(union.getType(), names[i]).getType();
        }
        return offset;
    }

    /** {@code Struct.field} for every field of {@code struct}; union members and unnamed nested structs expanded. */
    private static List<String> fieldPaths(String prefix, Class<? extends Structure> struct) {
        List<String> paths = new ArrayList<>();
        for (String name : fieldOrder(struct)) {
            Class<?> type = Objects.requireNonNull(publicField(struct, name)).getType();
            if (Union.class.isAssignableFrom(type)) {
                for (Field member : instanceFields(type)) {
                    paths.add(prefix + "." + member.getName());
                }
                continue;
            }
            paths.add(prefix + "." + name);
            if (Structure.class.isAssignableFrom(type) && type.getDeclaringClass() == struct) {
                paths.addAll(fieldPaths(prefix + "." + name, asStructure(type, prefix)));
            }
        }
        return paths;
    }

    private static List<String> fieldOrder(Class<? extends Structure> struct) {
        Structure.FieldOrder order = struct.getAnnotation(Structure.FieldOrder.class);
        if (order == null) {
            throw new IllegalArgumentException(struct.getSimpleName() + " has no @FieldOrder");
        }
        return Arrays.asList(order.value());
    }

    private static Field unionHolding(Class<?> struct, String member) {
        for (Field field : instanceFields(struct)) {
            if (Union.class.isAssignableFrom(field.getType()) && publicField(field.getType(), member) != null) {
                return field;
            }
        }
        return null;
    }

    private static Field publicField(Class<?> type, String name) {
        try {
            Field field = type.getField(name);
            return Modifier.isStatic(field.getModifiers()) ? null : field;
        }
        catch (NoSuchFieldException ex) {
            return null;
        }
    }

    private static List<Field> instanceFields(Class<?> type) {
        return Arrays.stream(type.getFields()).filter((field) -> !Modifier.isStatic(field.getModifiers())).toList();
    }

    /** The struct of that C name: the generation's own package first, then the shared one. */
    static Class<? extends Structure> structClass(String name, AbiGeneration abi) {
        String generationPackage = SHARED_PACKAGE + ".v" + abi.label().replace('.', '_');
        for (String candidate : List.of(generationPackage + "." + name, SHARED_PACKAGE + "." + name)) {
            try {
                return asStructure(Class.forName(candidate), name);
            }
            catch (ClassNotFoundException ex) {
                // try the next package
            }
        }
        throw new IllegalArgumentException("no JNA struct " + name + " in " + generationPackage + " or "
                + SHARED_PACKAGE);
    }

    @SuppressWarnings("unchecked")
    private static Class<? extends Structure> asStructure(Class<?> type, String context) {
        if (!Structure.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException(context + ": " + type.getName() + " is no JNA Structure");
        }
        return (Class<? extends Structure>) type;
    }

    private static Structure newInstance(Class<? extends Structure> type) {
        try {
            return type.getDeclaredConstructor().newInstance();
        }
        catch (ReflectiveOperationException ex) {
            throw new IllegalStateException("cannot instantiate " + type.getName(), ex);
        }
    }

    private static long fieldOffset(Structure struct, String field) {
        try {
            return ((Number) FIELD_OFFSET.invoke(struct, field)).longValue();
        }
        catch (ReflectiveOperationException ex) {
            throw new IllegalStateException("fieldOffset(" + field + ") failed on " + struct.getClass().getName(),
                    ex);
        }
    }

    private static Method fieldOffsetMethod() {
        try {
            Method method = Structure.class.getDeclaredMethod("fieldOffset", String.class);
            method.setAccessible(true);
            return method;
        }
        catch (NoSuchMethodException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static String tableName(AbiGeneration abi) {
        return switch (abi) {
            case V1_2 -> "rkllm-offsets-1.2.3.txt";
            case V1_3 -> "rkllm-offsets-1.3.0.txt";
        };
    }

    private static List<String> tableLines(AbiGeneration abi) {
        try (InputStream in = StructLayoutTest.class.getResourceAsStream("/abi/" + tableName(abi))) {
            assertThat(in).as("test resource /abi/" + tableName(abi)).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

}
