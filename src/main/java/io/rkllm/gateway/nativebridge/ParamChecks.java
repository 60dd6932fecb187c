package io.rkllm.gateway.nativebridge;

import org.jspecify.annotations.Nullable;

/** Range checks shared by the init-time and the per-run parameters, each naming the field it refuses. */
final class ParamChecks {

    private ParamChecks() {
    }

    static void inRange(String field, @Nullable Integer value, long min, long max) {
        if (value != null && (value < min || value > max)) {
            throw new InvalidParameterException(field, "must be between " + min + " and " + max + ", got " + value);
        }
    }

    static void inRange(String field, @Nullable Float value, double min, double max) {
        if (value != null && (!Float.isFinite(value) || value < min || value > max)) {
            throw new InvalidParameterException(field, "must be between " + min + " and " + max + ", got " + value);
        }
    }

    static void notBlank(String field, @Nullable String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidParameterException(field, "is required");
        }
    }

}
