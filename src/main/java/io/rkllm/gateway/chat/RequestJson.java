package io.rkllm.gateway.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.rkllm.gateway.rpc.ErrorCode;
import io.rkllm.gateway.rpc.GatewayException;
import io.rkllm.gateway.rpc.Params;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What both APIs read alike from a request body: the body as a JSON object, the objects of an array, tool definitions
 * and a call's arguments, each refused with -32602 (HTTP 400 in either API) naming the field.
 */
public final class RequestJson {

    private RequestJson() {
    }

    /** The body as a JSON object. */
    public static Params object(byte[] body) {
        JsonNode node;
        try {
            node = JsonMapper.shared().readTree(body);
        }
        catch (JacksonException ex) {
            throw new GatewayException(ErrorCode.PARSE_ERROR, "the request body is not JSON");
        }
        if (node == null || !node.isObject()) {
            throw new GatewayException(ErrorCode.INVALID_REQUEST, "the request body must be a JSON object");
        }
        return Params.of((ObjectNode) node);
    }

    /** The objects of an array field, each named {@code field[i]} in errors; null when the field is absent. */
    public static @Nullable List<Params> objects(Params params, String field) {
        JsonNode array = params.raw(field);
        if (array == null) {
            return null;
        }
        if (!array.isArray()) {
            throw params.invalid(field, "must be an array");
        }
        List<Params> items = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonNode item = array.get(i);
            String name = params.nameOf(field) + "[" + i + "]";
            if (!item.isObject()) {
                throw new GatewayException(ErrorCode.INVALID_PARAMS, name + ": must be an object");
            }
            items.add(Params.at(name, (ObjectNode) item));
        }
        return items;
    }

    /** The required nested object {@code field}. */
    public static Params requireObject(Params params, String field) {
        JsonNode value = params.raw(field);
        if (value == null) {
            throw params.invalid(field, "is required");
        }
        if (!value.isObject()) {
            throw params.invalid(field, "must be an object");
        }
        return Params.at(params.nameOf(field), (ObjectNode) value);
    }

    /**
     * Tool definitions in OpenAI's format, which both APIs use: {@code {"type":"function","function":{"name",…}}}.
     */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> tools(Params params, String field) {
        List<Params> tools = objects(params, field);
        if (tools == null) {
            return List.of();
        }
        List<Map<String, Object>> definitions = new ArrayList<>(tools.size());
        for (Params tool : tools) {
            String type = tool.string("type");
            if (type != null && !type.equals("function")) {
                throw tool.invalid("type", "must be \"function\"");
            }
            requireObject(tool, "function").requireCString("name");
            definitions.add(JsonMapper.shared().convertValue(definition(tool), Map.class));
        }
        return definitions;
    }

    /**
     * A call's arguments as a JSON object text: given as such a text (OpenAI) or as the object itself (Ollama).
     */
    public static String arguments(Params call, String field) {
        JsonNode value = call.raw(field);
        if (value == null) {
            return "{}";
        }
        if (value.isObject()) {
            return value.toString();
        }
        if (value.isString()) {
            try {
                JsonNode parsed = JsonMapper.shared().readTree(value.asString());
                if (parsed != null && parsed.isObject()) {
                    return parsed.toString();
                }
            }
            catch (JacksonException ex) {
                // Refused below.
            }
        }
        throw call.invalid(field, "must be a JSON object (or its text)");
    }

    /** A tool as templates and the runtime take it, whatever else the client sent with it. */
    private static ObjectNode definition(Params tool) {
        ObjectNode copy = JsonMapper.shared().createObjectNode();
        copy.put("type", "function");
        copy.set("function", tool.raw("function"));
        return copy;
    }

}
