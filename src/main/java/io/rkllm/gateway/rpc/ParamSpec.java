package io.rkllm.gateway.rpc;

/**
 * One documented parameter of a method. The same list refuses unknown parameters and documents the method, so the
 * two cannot drift.
 *
 * @param type a JSON Schema type name ({@code string}, {@code integer}, {@code number}, {@code boolean},
 * {@code array}, {@code object})
 */
public record ParamSpec(String name, String type, boolean required, String description) {

    public static ParamSpec required(String name, String type, String description) {
        return new ParamSpec(name, type, true, description);
    }

    public static ParamSpec optional(String name, String type, String description) {
        return new ParamSpec(name, type, false, description);
    }

}
