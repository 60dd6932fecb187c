package io.rkllm.gateway.rpc;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import reactor.core.publisher.Mono;

/**
 * The methods that describe the registry itself, from the registry itself: {@code rkllm_list_functions},
 * {@code rpc.discover} (an OpenRPC document), and {@code ping}.
 */
final class DiscoveryMethods implements RpcMethodProvider {

    private final Supplier<Collection<RpcMethod>> registry;

    private final String version;

    DiscoveryMethods(Supplier<Collection<RpcMethod>> registry, String version) {
        this.registry = registry;
        this.version = version;
    }

    @Override
    public List<RpcMethod> rpcMethods() {
        return List.of(RpcMethod.of("ping", "Answers {pong: true}; a liveness check for clients.", List.of(),
                (call) -> Mono.just(Map.of("pong", true))),
                RpcMethod.of("rkllm_list_functions", "Lists every method with its description and parameters.",
                        List.of(), (call) -> Mono.just(listFunctions())),
                RpcMethod.of("rpc.discover", "Describes this service as an OpenRPC document.", List.of(),
                        (call) -> Mono.just(openRpc())));
    }

    private List<Map<String, Object>> listFunctions() {
        return this.registry.get().stream().map((method) -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", method.name());
            entry.put("description", method.description());
            entry.put("params", method.params());
            if (method.gate() != RpcMethod.Gate.NONE) {
                entry.put("gate", method.gate().name().toLowerCase(Locale.ROOT));
            }
            return entry;
        }).toList();
    }

    private Map<String, Object> openRpc() {
        List<Map<String, Object>> methods = this.registry.get().stream().map((method) -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", method.name());
            entry.put("description", method.description());
            entry.put("paramStructure", "by-name");
            entry.put("params", method.params().stream().map((param) -> {
                Map<String, Object> descriptor = new LinkedHashMap<>();
                descriptor.put("name", param.name());
                descriptor.put("description", param.description());
                descriptor.put("required", param.required());
                descriptor.put("schema", param.jsonSchema());
                return descriptor;
            }).toList());
            entry.put("result", Map.of("name", "result", "schema", Map.of()));
            return entry;
        }).toList();
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("openrpc", "1.3.2");
        document.put("info", Map.of("title", "rkllm-gateway", "version", this.version));
        document.put("methods", methods);
        return document;
    }

}
