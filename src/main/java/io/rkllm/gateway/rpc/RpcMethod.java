package io.rkllm.gateway.rpc;

import java.util.List;

/**
 * A method of the registry: its name, what it does, its parameters and its handler.
 *
 * @param gate which switch, if any, must be on for the method to be served
 */
public record RpcMethod(String name, String description, List<ParamSpec> params, Gate gate, RpcHandler handler) {

    public static RpcMethod of(String name, String description, List<ParamSpec> params, RpcHandler handler) {
        return new RpcMethod(name, description, params, Gate.NONE, handler);
    }

    /** What must be switched on for a method to be served. */
    public enum Gate {

        /** Always served. */
        NONE,

        /** {@code rkllm.test-methods.enabled}. */
        TEST,

        /** {@code rkllm.admin-methods.enabled}. */
        ADMIN

    }

}
