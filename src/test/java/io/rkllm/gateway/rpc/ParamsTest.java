package io.rkllm.gateway.rpc;

import java.util.List;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** {@link Params}: each getter's types and bounds, unknown and missing fields, names as the client wrote them. */
class ParamsTest {

    /** Floats parsed as doubles (Jackson's default) and as BigDecimal (so that ids can echo exactly). */
    private static final List<JsonMapper> MAPPERS = List.of(JsonMapper.shared(),
            JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build());

    private static final ParamSpec OUTER = ParamSpec.object("outer", "",
            List.of(ParamSpec.required("a", "integer", ""), ParamSpec.optional("b", "string", ""),
                    ParamSpec.object("inner", "", List.of(ParamSpec.optional("c", "number", "")))));

    @Test
    void unknownParamIsRefusedNamingIt() {
        assertInvalid("colour: is not a parameter of this method",
                () -> params("{\"prompt\":\"x\",\"colour\":1}")
                    .only(List.of(ParamSpec.optional("prompt", "string", ""))));
        assertInvalid("outer.z: is not a parameter of this method",
                () -> params("{\"outer\":{\"a\":1,\"z\":2}}").object(OUTER));
        assertInvalid("outer.inner.d: is not a parameter of this method",
                () -> params("{\"outer\":{\"a\":1,\"inner\":{\"d\":2}}}").object(OUTER)
                    .object(OUTER.fields().get(2)));
    }

    @Test
    void requiredParamMissingOrNullIsRefused() {
        List<ParamSpec> specs = List.of(ParamSpec.required("session_id", "string", ""));
        assertInvalid("session_id: is required", () -> params("{}").only(specs));
        assertInvalid("session_id: is required", () -> params("{\"session_id\":null}").only(specs));
        assertInvalid("outer.a: is required", () -> params("{\"outer\":{\"b\":\"x\"}}").object(OUTER));
    }

    @Test
    void nullIsAbsent() {
        Params params = params("{\"s\":null,\"i\":null,\"n\":null,\"b\":null,\"a\":null,\"o\":null}");
        assertThat(params.has("s")).isFalse();
        assertThat(params.string("s")).isNull();
        assertThat(params.cString("s")).isNull();
        assertThat(params.integer("i", 0, 1)).isNull();
        assertThat(params.integer("i", 0, 9, 7)).isEqualTo(7);
        assertThat(params.number("n")).isNull();
        assertThat(params.bool("b")).isNull();
        assertThat(params.bool("b", true)).isTrue();
        assertThat(params.ints("a")).isNull();
        assertThat(params.floats("a")).isNull();
        assertThat(params.strings("a")).isNull();
        assertThat(params.object(ParamSpec.object("o", "", List.of()))).isNull();
    }

    @Test
    void stringIsAStringAndNothingElse() {
        Params params = params("{\"s\":\"héllo\",\"n\":5,\"a\":[\"x\"],\"o\":{}}");
        assertThat(params.string("s")).isEqualTo("héllo");
        assertInvalid("n: must be a string", () -> params.string("n"));
        assertInvalid("a: must be a string", () -> params.string("a"));
        assertInvalid("o: must be a string", () -> params.string("o"));
    }

    @Test
    void cStringRefusesANulAnywhere() {
        Params params = params("{\"ok\":\"a b\",\"nul\":\"before\\u0000after\",\"end\":\"x\\u0000\",\"n\":1}");
        assertThat(params.cString("ok")).isEqualTo("a b");
        assertThat(params.requireCString("ok")).isEqualTo("a b");
        assertInvalid("nul: must not contain a NUL character", () -> params.cString("nul"));
        assertInvalid("end: must not contain a NUL character", () -> params.requireCString("end"));
        assertInvalid("n: must be a string", () -> params.cString("n"));
        assertInvalid("missing: is required", () -> params.requireCString("missing"));
    }

    @Test
    void integerWithinItsBoundsInclusive() {
        Params params = params("{\"lo\":-5,\"hi\":10,\"big\":3000000000}");
        assertThat(params.integer("lo", -5, 10)).isEqualTo(-5);
        assertThat(params.integer("hi", -5, 10)).isEqualTo(10);
        assertInvalid("lo: must be between -4 and 10, got -5", () -> params.integer("lo", -4, 10));
        assertInvalid("hi: must be between -5 and 9, got 10", () -> params.integer("hi", -5, 9));
        assertInvalid("big: must be between", () -> params.integer("big", 0, Integer.MAX_VALUE));
        assertThat(params.longValue("big", 0, Long.MAX_VALUE)).isEqualTo(3_000_000_000L);
        assertInvalid("big: must be between 0 and 10, got 3000000000", () -> params.longValue("big", 0, 10));
    }

    @ParameterizedTest
    @ValueSource(strings = { "\"1\"", "1.5", "1.0", "true", "[1]", "{}", "1e3", "123456789012345678901234567890" })
    void integerOfAnotherTypeIsRefused(String value) {
        for (JsonMapper mapper : MAPPERS) {
            Params params = params(mapper, "{\"i\":" + value + "}");
            assertInvalid("i: must be an integer", () -> params.integer("i", Integer.MIN_VALUE, Integer.MAX_VALUE));
            assertInvalid("i: must be an integer", () -> params.longValue("i", Long.MIN_VALUE, Long.MAX_VALUE));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "0.5", "-2", "0", "1e-50", "3.4028235e38", "-3.4028235e38", "12345678901234567890" })
    void numberWithinFloatRangeIsAccepted(String value) {
        for (JsonMapper mapper : MAPPERS) {
            assertThat(params(mapper, "{\"t\":" + value + "}").number("t")).isEqualTo(Float.parseFloat(value));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "3.5e38", "-3.5e38", "1e39", "1e999", "-1e999", "1e400000",
            "1000000000000000000000000000000000000000" })
    void numberBeyondFloatRangeIsInvalidParams(String value) {
        for (JsonMapper mapper : MAPPERS) {
            Params params = params(mapper, "{\"t\":" + value + ",\"e\":[0.5," + value + "]}");
            assertInvalid("t: must be a finite number within the float range", () -> params.number("t"));
            assertInvalid("e[1]: must be a finite number within the float range", () -> params.floats("e"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "NaN", "Infinity", "-Infinity" })
    void nonFiniteNumberIsInvalidParams(String value) {
        for (JsonMapper mapper : MAPPERS) {
            JsonMapper lenient = mapper.rebuild().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
            Params params = params(lenient, "{\"t\":" + value + ",\"e\":[" + value + "]}");
            assertInvalid("t: must be a finite number", () -> params.number("t"));
            assertInvalid("e[0]: must be a finite number", () -> params.floats("e"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "\"0.5\"", "true", "[0.5]", "{}" })
    void numberOfAnotherTypeIsRefused(String value) {
        Params params = params("{\"t\":" + value + ",\"e\":[" + value + "]}");
        assertInvalid("t: must be a number", () -> params.number("t"));
        assertInvalid("e[0]: must be a number", () -> params.floats("e"));
    }

    @Test
    void boolTakesBooleansAndCFlags() {
        Params params = params("{\"t\":true,\"f\":false,\"one\":1,\"zero\":0}");
        assertThat(params.bool("t")).isTrue();
        assertThat(params.bool("f")).isFalse();
        assertThat(params.bool("one")).isTrue();
        assertThat(params.bool("zero")).isFalse();
        assertThat(params.bool("absent", true)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = { "2", "-1", "\"true\"", "1.0", "0.5", "[true]", "100000000000000000000",
            "-100000000000000000000" })
    void boolOfAnotherValueIsRefused(String value) {
        for (JsonMapper mapper : MAPPERS) {
            Params params = params(mapper, "{\"b\":" + value + "}");
            assertInvalid("b: must be a boolean", () -> params.bool("b"));
        }
    }

    @Test
    void arraysCheckEveryItemNamingItsIndex() {
        Params params = params("{\"i\":[1,-2,2147483647],\"f\":[1,0.5],\"s\":[\"a\",\"b\"],"
                + "\"badI\":[1,2147483648],\"badI2\":[1,\"2\"],\"badS\":[\"a\",1],\"notArray\":\"x\"}");
        assertThat(params.ints("i")).containsExactly(1, -2, Integer.MAX_VALUE);
        assertThat(params.floats("f")).containsExactly(1f, 0.5f);
        assertThat(params.strings("s")).containsExactly("a", "b");
        assertInvalid("badI[1]: must be a 32-bit integer", () -> params.ints("badI"));
        assertInvalid("badI2[1]: must be a 32-bit integer", () -> params.ints("badI2"));
        assertInvalid("badS[1]: must be a string", () -> params.strings("badS"));
        assertInvalid("notArray: must be an array", () -> params.ints("notArray"));
        assertInvalid("notArray: must be an array", () -> params.floats("notArray"));
        assertInvalid("notArray: must be an array", () -> params.strings("notArray"));
    }

    @Test
    void nestedObjectNamesItsFieldsFromTheTop() {
        Params outer = params("{\"outer\":{\"a\":1,\"b\":\"x\\u0000\",\"inner\":{\"c\":1e39}}}").object(OUTER);
        assertThat(outer.integer("a", 0, 1)).isEqualTo(1);
        assertThat(outer.nameOf("a")).isEqualTo("outer.a");
        assertInvalid("outer.b: must not contain a NUL character", () -> outer.cString("b"));
        Params inner = outer.object(OUTER.fields().get(2));
        assertInvalid("outer.inner.c: must be a finite number", () -> inner.number("c"));
        assertInvalid("outer: must be an object", () -> params("{\"outer\":[1]}").object(OUTER));
    }

    @Test
    void mergedFieldsKeepTheNameTheClientWrote() {
        Params top = params("{\"x\":1,\"input\":{\"y\":\"a\\u0000\",\"z\":null},\"more\":{\"z\":[1,\"2\"]}}");
        Params input = top.object(ParamSpec.object("input", "", List.of(ParamSpec.optional("y", "string", ""),
                ParamSpec.optional("z", "array", ""))));
        Params more = top.object(ParamSpec.object("more", "", List.of(ParamSpec.optional("z", "array", ""))));
        Params merged = Params.merge(List.of(top, input, more));
        assertThat(merged.integer("x", 0, 1)).isEqualTo(1);
        assertThat(merged.nameOf("x")).isEqualTo("x");
        assertInvalid("input.y: must not contain a NUL character", () -> merged.cString("y"));
        // input.z is null, so absent: more.z is the only z.
        assertInvalid("more.z[1]: must be a 32-bit integer", () -> merged.ints("z"));
        assertThat(merged.invalid("w", "is odd").getMessage()).isEqualTo("w: is odd");
    }

    @Test
    void fieldGivenInTwoMergedObjectsIsRefused() {
        Params top = params("{\"x\":1,\"input\":{\"x\":2}}");
        Params input = top.object(ParamSpec.object("input", "", List.of(ParamSpec.optional("x", "integer", ""))));
        assertInvalid("input.x: is given twice (also as x)", () -> Params.merge(List.of(top, input)));
    }

    private static Params params(String json) {
        return params(JsonMapper.shared(), json);
    }

    private static Params params(JsonMapper mapper, String json) {
        return Params.of((ObjectNode) mapper.readTree(json));
    }

    /** Refused with -32602 and a message that starts by naming the field. */
    static void assertInvalid(String messageStart, ThrowingCallable call) {
        assertThatExceptionOfType(GatewayException.class).isThrownBy(call)
            .satisfies((ex) -> assertThat(ex.errorCode()).isEqualTo(ErrorCode.INVALID_PARAMS))
            .withMessageStartingWith(messageStart);
    }

}
