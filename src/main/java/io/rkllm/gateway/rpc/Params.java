package io.rkllm.gateway.rpc;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The named parameters of a call, read with their types checked: a missing, unknown, mistyped or out-of-range
 * parameter is refused with -32602 and a message naming it as the client wrote it ({@code sampling.top_p}). JSON
 * {@code null} counts as absent.
 */
public final class Params {

    private final ObjectNode node;

    /** A field's name as the client wrote it: its path from the top of the params. */
    private final UnaryOperator<String> naming;

    private Params(ObjectNode node, UnaryOperator<String> naming) {
        this.node = node;
        this.naming = naming;
    }

    public static Params of(ObjectNode node) {
        return new Params(node, UnaryOperator.identity());
    }

    /** An object found at {@code path} of a larger request: its fields are named {@code path.field} in errors. */
    public static Params at(String path, ObjectNode node) {
        return new Params(node, (field) -> path + "." + field);
    }

    public static Params empty() {
        return of(JsonNodeFactory.instance.objectNode());
    }

    /**
     * The fields of several objects as one, each still named where the client wrote it; a field given in two of them
     * is refused.
     */
    public static Params merge(List<Params> parts) {
        ObjectNode merged = JsonNodeFactory.instance.objectNode();
        Map<String, Params> source = new HashMap<>();
        for (Params part : parts) {
            for (String name : part.node.propertyNames()) {
                if (!part.has(name)) {
                    continue;
                }
                Params earlier = source.putIfAbsent(name, part);
                if (earlier != null) {
                    throw part.invalid(name, "is given twice (also as " + earlier.nameOf(name) + ")");
                }
                merged.set(name, part.node.get(name));
            }
        }
        return new Params(merged, (name) -> {
            Params from = source.get(name);
            return (from != null) ? from.nameOf(name) : name;
        });
    }

    /** The params as the client sent them; a transport that renames a field reads a changed copy anew. */
    public ObjectNode node() {
        return this.node;
    }

    /** Refuses any parameter not named in {@code specs}, and any required one missing. */
    public Params only(Collection<ParamSpec> specs) {
        for (String name : this.node.propertyNames()) {
            if (specs.stream().noneMatch((spec) -> spec.name().equals(name))) {
                throw invalid(name, "is not a parameter of this method");
            }
        }
        for (ParamSpec spec : specs) {
            if (spec.required() && !has(spec.name())) {
                throw invalid(spec.name(), "is required");
            }
        }
        return this;
    }

    public boolean has(String name) {
        JsonNode value = this.node.get(name);
        return value != null && !value.isNull();
    }

    public @Nullable JsonNode raw(String name) {
        return has(name) ? this.node.get(name) : null;
    }

    public @Nullable String string(String name) {
        JsonNode value = raw(name);
        if (value == null) {
            return null;
        }
        if (!value.isString()) {
            throw invalid(name, "must be a string");
        }
        return value.stringValue();
    }

    /**
     * A string that goes to the C runtime, which would take a NUL as its end and silently drop the rest: one holding
     * a NUL is refused.
     */
    public @Nullable String cString(String name) {
        String value = string(name);
        if (value != null && value.indexOf('\0') >= 0) {
            throw invalid(name, "must not contain a NUL character (\\u0000)");
        }
        return value;
    }

    /** A {@link #cString} that must be there. */
    public String requireCString(String name) {
        return required(name, cString(name));
    }

    /** A {@link #string} that must be there. */
    public String requireString(String name) {
        return required(name, string(name));
    }

    private String required(String name, @Nullable String value) {
        if (value == null) {
            throw invalid(name, "is required");
        }
        return value;
    }

    /** An integer within [min, max], which must fit an int. */
    public @Nullable Integer integer(String name, int min, int max) {
        Long value = longValue(name, min, max);
        return (value != null) ? Integer.valueOf(value.intValue()) : null;
    }

    public int integer(String name, int min, int max, int fallback) {
        Integer value = integer(name, min, max);
        return (value != null) ? value : fallback;
    }

    public @Nullable Long longValue(String name, long min, long max) {
        JsonNode value = raw(name);
        if (value == null) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw invalid(name, "must be an integer");
        }
        long number = value.longValue();
        if (number < min || number > max) {
            throw invalid(name, "must be between " + min + " and " + max + ", got " + number);
        }
        return number;
    }

    /** A number as the C float it becomes: finite and within its range. */
    public @Nullable Float number(String name) {
        JsonNode value = raw(name);
        return (value != null) ? toFloat(value, nameOf(name)) : null;
    }

    /** A boolean; C-style 0 and 1 are accepted too, as the C API takes ints for flags. */
    public @Nullable Boolean bool(String name) {
        JsonNode value = raw(name);
        if (value == null) {
            return null;
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        long flag = (value.isIntegralNumber() && value.canConvertToLong()) ? value.longValue() : -1;
        if (flag == 0 || flag == 1) {
            return flag == 1;
        }
        throw invalid(name, "must be a boolean");
    }

    public boolean bool(String name, boolean fallback) {
        Boolean value = bool(name);
        return (value != null) ? value : fallback;
    }

    public int @Nullable [] ints(String name) {
        JsonNode value = array(name);
        if (value == null) {
            return null;
        }
        int[] result = new int[value.size()];
        for (int i = 0; i < result.length; i++) {
            JsonNode item = value.get(i);
            if (!item.isIntegralNumber() || !item.canConvertToInt()) {
                throw refuse(item(name, i), "must be a 32-bit integer");
            }
            result[i] = item.intValue();
        }
        return result;
    }

    public float @Nullable [] floats(String name) {
        JsonNode value = array(name);
        if (value == null) {
            return null;
        }
        float[] result = new float[value.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = toFloat(value.get(i), item(name, i));
        }
        return result;
    }

    public @Nullable List<String> strings(String name) {
        JsonNode value = array(name);
        if (value == null) {
            return null;
        }
        List<String> result = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            if (!item.isString()) {
                throw refuse(item(name, i), "must be a string");
            }
            result.add(item.stringValue());
        }
        return result;
    }

    /**
     * The nested object {@code spec} declares, holding only the fields it declares; they are then named
     * {@code name.field} in errors.
     */
    public @Nullable Params object(ParamSpec spec) {
        JsonNode value = raw(spec.name());
        if (value == null) {
            return null;
        }
        if (!value.isObject()) {
            throw invalid(spec.name(), "must be an object");
        }
        String prefix = nameOf(spec.name()) + ".";
        return new Params((ObjectNode) value, (field) -> prefix + field).only(spec.fields());
    }

    private @Nullable JsonNode array(String name) {
        JsonNode value = raw(name);
        if (value != null && !value.isArray()) {
            throw invalid(name, "must be an array");
        }
        return value;
    }

    /** A -32602 error naming {@code name} as the client wrote it. */
    public GatewayException invalid(String name, String problem) {
        return refuse(nameOf(name), problem);
    }

    /** The field's name as the client wrote it, its path from the top of the params ({@code sampling.top_p}). */
    public String nameOf(String name) {
        return this.naming.apply(name);
    }

    private String item(String name, int index) {
        return nameOf(name) + "[" + index + "]";
    }

    private static float toFloat(JsonNode value, String field) {
        if (!value.isNumber()) {
            throw refuse(field, "must be a number");
        }
        // Empty for NaN, infinities and magnitudes beyond float, whether the parser made a double or a BigDecimal.
        Optional<Float> number = value.floatValueOpt();
        if (number.isEmpty() || !Float.isFinite(number.get())) {
            throw refuse(field, "must be a finite number within the float range (±3.4e38)");
        }
        return number.get();
    }

    private static GatewayException refuse(String field, String problem) {
        return new GatewayException(ErrorCode.INVALID_PARAMS, Echo.of(field) + ": " + problem);
    }

}
