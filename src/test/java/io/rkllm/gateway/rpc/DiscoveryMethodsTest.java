package io.rkllm.gateway.rpc;

import java.util.List;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code rpc.discover} and {@code rkllm_list_functions} show nested inputs with the fields and types they take. */
class DiscoveryMethodsTest {

    private final RpcMethod run = RpcMethod.of("rkllm_run", "Runs.", RunParams.SPECS, (call) -> Mono.empty());

    private final DiscoveryMethods discovery = new DiscoveryMethods(() -> List.of(this.run), "test");

    @Test
    void openRpcDeclaresNestedFieldsWithTheirTypes() {
        JsonNode params = answer("rpc.discover").get("methods").get(0).get("params");
        JsonNode sampling = param(params, "sampling").get("schema");
        assertThat(sampling.get("type").stringValue()).isEqualTo("object");
        assertThat(sampling.get("additionalProperties").booleanValue()).isFalse();
        assertThat(sampling.get("properties").propertyNames()).containsExactly("top_k", "top_p", "temperature",
                "repeat_penalty", "frequency_penalty", "presence_penalty", "mirostat", "mirostat_tau", "mirostat_eta");
        assertThat(sampling.at("/properties/top_k/type").stringValue()).isEqualTo("integer");
        assertThat(sampling.at("/properties/top_p/type").stringValue()).isEqualTo("number");
        assertThat(sampling.at("/properties/top_p/description").stringValue()).isNotBlank();

        JsonNode embed = param(params, "embed_input").get("schema");
        assertThat(embed.at("/properties/embed/type").stringValue()).isEqualTo("array");
        assertThat(embed.at("/properties/embed/items/type").stringValue()).isEqualTo("number");
        assertThat(embed.get("required").valueStream().map(JsonNode::stringValue)).containsExactly("embed",
                "n_tokens");
        assertThat(param(params, "token_input").at("/schema/items/type").stringValue()).isEqualTo("integer");
        assertThat(param(params, "prompt_cache").at("/schema/properties/path/type").stringValue()).isEqualTo("string");
        assertThat(param(params, "prompt_input").get("schema").propertyNames()).containsExactly("type");

        JsonNode infer = param(params, "infer_params").get("schema");
        assertThat(infer.at("/properties/sampling_params/properties/mirostat/type").stringValue())
            .isEqualTo("integer");
        assertThat(infer.at("/properties/prompt_cache_params/required/0").stringValue())
            .isEqualTo("prompt_cache_path");
        assertThat(param(params, "input").at("/schema/properties/embed_input/properties/n_tokens/type").stringValue())
            .isEqualTo("integer");
    }

    @Test
    void listFunctionsShowsTheSameNestedFields() {
        JsonNode params = answer("rkllm_list_functions").get(0).get("params");
        JsonNode sampling = param(params, "sampling");
        assertThat(sampling.get("fields").valueStream().map((field) -> field.get("name").stringValue() + ":"
                + field.get("type").stringValue())).contains("top_k:integer", "temperature:number", "mirostat:integer");
        assertThat(param(params, "token_input").get("items").stringValue()).isEqualTo("integer");
        assertThat(param(params, "prompt_input").propertyNames()).containsExactly("name", "type", "required",
                "description");
    }

    private JsonNode answer(String method) {
        RpcMethod found = this.discovery.rpcMethods()
            .stream()
            .filter((candidate) -> candidate.name().equals(method))
            .findFirst()
            .orElseThrow();
        RpcCall call = new RpcCall(method, Params.empty(), null, new RpcContext("rpc", false));
        return JsonMapper.shared().valueToTree(found.handler().handle(call).block());
    }

    private static JsonNode param(JsonNode params, String name) {
        return params.valueStream().filter((param) -> param.get("name").stringValue().equals(name)).findFirst()
            .orElseThrow();
    }

}
