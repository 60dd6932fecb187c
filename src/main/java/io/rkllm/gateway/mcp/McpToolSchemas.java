package io.rkllm.gateway.mcp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.rkllm.gateway.rpc.ParamSpec;

/**
 * JSON Schemas of the MCP tools. Input schemas are made from the same {@link ParamSpec} declarations that the JSON-RPC
 * registry checks calls against and that {@code rpc.discover} documents, so a tool cannot accept what its schema does
 * not say; output schemas describe the {@code structuredContent} of each tool's result.
 */
final class McpToolSchemas {

    private McpToolSchemas() {
    }

    /**
     * An object schema with one property per parameter, the required ones listed, no other property allowed (the
     * JSON-RPC registry refuses unknown parameters too).
     */
    static Map<String, Object> inputSchema(List<ParamSpec> params) {
        Map<String, Object> properties = new LinkedHashMap<>();
        params.forEach((param) -> properties.put(param.name(), property(param)));
        List<String> required = params.stream().filter(ParamSpec::required).map(ParamSpec::name).toList();
        Map<String, Object> schema = new LinkedHashMap<>(object(properties, required));
        schema.put("additionalProperties", false);
        return schema;
    }

    /** One parameter's schema, nested fields included, as {@code rpc.discover} gives it, with its description. */
    static Map<String, Object> property(ParamSpec param) {
        Map<String, Object> schema = param.jsonSchema();
        schema.put("description", param.description());
        return schema;
    }

    /** {@code generate}'s {@code structuredContent}: which session ran, how it ended, the runtime's figures. */
    static Map<String, Object> generateOutput() {
        return object(Map.of("session_id", type("string"), "finish_reason", type("string"), "perf", type("object")),
                List.of("session_id", "finish_reason"));
    }

    /** {@code abort}'s: whether a session was aborted, and which. */
    static Map<String, Object> abortOutput() {
        return object(Map.of("aborted", type("boolean"), "session_id", type("string", "null")), List.of("aborted"));
    }

    /** {@code status}'s: the {@code stream_manager_status} result. */
    static Map<String, Object> statusOutput() {
        return object(Map.of("initialized", type("boolean"), "active_sessions", type("integer"), "max_sessions",
                type("integer"), "queued", type("integer"), "running_session_id", type("string", "null"),
                "sessions_created", type("integer"), "sessions_evicted", type("integer")),
                List.of("initialized", "active_sessions", "queued"));
    }

    private static Map<String, Object> object(Map<String, Object> properties, List<String> required) {
        return Map.of("type", "object", "properties", properties, "required", required);
    }

    private static Map<String, Object> type(String... types) {
        return Map.of("type", (types.length == 1) ? types[0] : List.of(types));
    }

}
