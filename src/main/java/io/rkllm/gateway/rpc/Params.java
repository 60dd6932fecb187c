package io.rkllm.gateway.rpc;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import io.rkllm.gateway.rpc.ErrorCode;
import io.rkllm.gateway.rpc.GatewayException;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The named parameters of a call, read with their types checked: a missing, unknown, mistyped or out-of-range
 * parameter is refused with -32602 and a message naming it ({@code sampling.top_p}). JSON {@code null} counts as
 * absent.
 */
public final class Params {

    private final ObjectNode node;

    private final String prefix;

    private Params(ObjectNode node, String prefix) {
        this.node = node;
        this.prefix = prefix;
    }

    public static Params of(ObjectNode node) {
        return new Params(node, "");
    }

    public static Params empty() {
        return of(JsonNodeFactory.instance.objectNode());
    }

    /** The underlying object. */
    public ObjectNode node() {
        return this.node;
    }

    /** Refuses any parameter not named in {@code specs}. */
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

    public String requireString(String name) {
        String value = string(name);
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

    public @Nullable Float number(String name) {
        JsonNode value = raw(name);
        if (value == null) {
            return null;
        }
        if (!value.isNumber() || !Double.isFinite(value.doubleValue())) {
            throw invalid(name, "must be a number");
        }
        return value.floatValue();
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
        if (value.isIntegralNumber() && (value.longValue() == 0 || value.longValue() == 1)) {
            return value.longValue() == 1;
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
                throw invalid(name + "[" + i + "]", "must be a 32-bit integer");
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
            JsonNode item = value.get(i);
            if (!item.isNumber() || !Double.isFinite(item.doubleValue())) {
                throw invalid(name + "[" + i + "]", "must be a number");
            }
            result[i] = item.floatValue();
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
                throw invalid(name + "[" + i + "]", "must be a string");
            }
            result.add(item.stringValue());
        }
        return result;
    }

    /** A nested object, whose parameters are then named {@code name.field} in errors. */
    public @Nullable Params object(String name) {
        JsonNode value = raw(name);
        if (value == null) {
            return null;
        }
        if (!value.isObject()) {
            throw invalid(name, "must be an object");
        }
        return new Params((ObjectNode) value, this.prefix + name + ".");
    }

    private @Nullable JsonNode array(String name) {
        JsonNode value = raw(name);
        if (value != null && !value.isArray()) {
            throw invalid(name, "must be an array");
        }
        return value;
    }

    /** A -32602 error naming {@code name} as seen from the top of the params. */
    public GatewayException invalid(String name, String problem) {
        return new GatewayException(ErrorCode.INVALID_PARAMS, this.prefix + name + ": " + problem);
    }

}
