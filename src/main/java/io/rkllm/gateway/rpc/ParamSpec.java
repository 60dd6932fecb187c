package io.rkllm.gateway.rpc;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * One documented parameter of a method. The same declaration refuses unknown parameters (nested ones included, see
 * {@link Params#object}) and documents the method, so the two cannot drift.
 *
 * @param type a JSON Schema type name ({@code string}, {@code integer}, {@code number}, {@code boolean},
 * {@code array}, {@code object})
 * @param items for an array, the JSON Schema type of its items, else null
 * @param fields for an object, the fields it takes, else empty
 */
public record ParamSpec(String name, String type, boolean required, String description,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String items,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ParamSpec> fields) {

    /** A parameter that is neither an array of known items nor an object of known fields. */
    public ParamSpec(String name, String type, boolean required, String description) {
        this(name, type, required, description, null, List.of());
    }

    public static ParamSpec required(String name, String type, String description) {
        return new ParamSpec(name, type, true, description);
    }

    public static ParamSpec optional(String name, String type, String description) {
        return new ParamSpec(name, type, false, description);
    }

    /** An optional array whose items are all of JSON Schema type {@code items}. */
    public static ParamSpec arrayOf(String name, String items, String description) {
        return new ParamSpec(name, "array", false, description, items, List.of());
    }

    /** An optional object taking {@code fields}. */
    public static ParamSpec object(String name, String description, List<ParamSpec> fields) {
        return new ParamSpec(name, "object", false, description, null, fields);
    }

    /**
     * The parameter as JSON Schema, for every document that describes it ({@code rpc.discover}, MCP tool schemas): an
     * array's item type, an object's fields (and no others) with theirs.
     */
    @JsonIgnore
    public Map<String, Object> jsonSchema() {
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("type", this.type);
        if (this.items != null) {
            schema.put("items", Map.of("type", this.items));
        }
        if (this.type.equals("object")) {
            Map<String, Object> properties = new LinkedHashMap<>();
            for (ParamSpec field : this.fields) {
                Map<String, Object> property = field.jsonSchema();
                property.put("description", field.description());
                properties.put(field.name(), property);
            }
            schema.put("properties", properties);
            schema.put("required", this.fields.stream().filter(ParamSpec::required).map(ParamSpec::name).toList());
            schema.put("additionalProperties", false);
        }
        return schema;
    }

}
