package io.rkllm.gateway.openai;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.rkllm.gateway.chat.ChatEvent;
import io.rkllm.gateway.chat.ChatEvent.Done;
import io.rkllm.gateway.chat.ChatEvent.ToolCalled;
import io.rkllm.gateway.chat.RequestJson;
import io.rkllm.gateway.rpc.ErrorCode;
import io.rkllm.gateway.rpc.GatewayException;
import io.rkllm.gateway.rpc.Params;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * OpenAI's {@code tool_choice}, as far as a model whose output nothing can constrain allows: {@code auto} (the
 * default) hands it the tools; {@code none} hands it none; a named function ({@code {"type":"function","function":
 * {"name":…}}}) hands it that one alone, and {@code allowed_tools} the ones it lists. {@code required}, a named
 * function and {@code allowed_tools} in mode {@code required} expect a call: an answer without one ends as a failed
 * run (500 {@code server_error}, or the stream's error event after the text it streamed), since OpenAI promises such
 * a client a call.
 *
 * @param tools the tools handed to the model
 * @param required whether the answer must call a tool
 */
record ToolChoice(List<Map<String, Object>> tools, boolean required) {

    /** The choice a request makes among its {@code tools}; anything malformed is refused naming the field. */
    static ToolChoice of(Params params, List<Map<String, Object>> tools) {
        String field = "tool_choice";
        if (!params.has(field) || params.raw(field).isNull()) {
            return new ToolChoice(tools, false);
        }
        if (params.raw(field).isString()) {
            return switch (params.raw(field).asString()) {
                case "auto" -> new ToolChoice(tools, false);
                case "none" -> new ToolChoice(List.of(), false);
                case "required" -> {
                    if (tools.isEmpty()) {
                        throw params.invalid(field, "is \"required\" but the request has no tools");
                    }
                    yield new ToolChoice(tools, true);
                }
                default -> throw params.invalid(field, "must be \"none\", \"auto\", \"required\" or "
                        + "{\"type\":\"function\",\"function\":{\"name\":…}}");
            };
        }
        Params choice = RequestJson.requireObject(params, field);
        String type = choice.string("type");
        if ("function".equals(type)) {
            String name = RequestJson.requireObject(choice, "function").requireCString("name");
            return new ToolChoice(among(params, tools, List.of(name)), true);
        }
        if ("allowed_tools".equals(type)) {
            Params allowed = RequestJson.requireObject(choice, "allowed_tools");
            String mode = allowed.requireCString("mode");
            if (!mode.equals("auto") && !mode.equals("required")) {
                throw allowed.invalid("mode", "must be \"auto\" or \"required\"");
            }
            List<Params> listed = RequestJson.objects(allowed, "tools");
            if (listed == null || listed.isEmpty()) {
                throw allowed.invalid("tools", "must name at least one function");
            }
            List<String> names = new ArrayList<>();
            for (Params tool : listed) {
                if (!"function".equals(tool.string("type"))) {
                    throw tool.invalid("type", "must be \"function\": this service runs function tools only");
                }
                names.add(RequestJson.requireObject(tool, "function").requireCString("name"));
            }
            return new ToolChoice(among(params, tools, names), mode.equals("required"));
        }
        throw choice.invalid("type", "must be \"function\" or \"allowed_tools\": this service runs function tools "
                + "only");
    }

    /** The request's tools of these names; each name must be among them. */
    private static List<Map<String, Object>> among(Params params, List<Map<String, Object>> tools,
            List<String> names) {
        for (String name : names) {
            if (tools.stream().noneMatch((tool) -> name.equals(nameOf(tool)))) {
                throw params.invalid("tool_choice", "names the function " + name
                        + ", which is not among the request's tools");
            }
        }
        return tools.stream().filter((tool) -> names.contains(nameOf(tool))).toList();
    }

    /** {@code events}, an answer without a tool call ending as a failure where one is required. */
    Flux<ChatEvent> enforce(Flux<ChatEvent> events) {
        if (!this.required) {
            return events;
        }
        return Flux.defer(() -> {
            boolean[] called = new boolean[1];
            return events.map((event) -> {
                if (event instanceof ToolCalled) {
                    called[0] = true;
                }
                if (event instanceof Done done && done.failure() == null && !called[0]) {
                    return new Done("error", done.usage(), new GatewayException(ErrorCode.INFERENCE_FAILED,
                            "the model answered without calling a tool, though tool_choice asked for a call"));
                }
                return event;
            });
        });
    }

    private static @Nullable Object nameOf(Map<String, Object> tool) {
        return (tool.get("function") instanceof Map<?, ?> function) ? function.get("name") : null;
    }

}
