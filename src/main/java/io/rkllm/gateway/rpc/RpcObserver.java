package io.rkllm.gateway.rpc;

/** Told how each call ended, for the {@code rkllm.requests} meter. */
@FunctionalInterface
public interface RpcObserver {

    /** Reports nothing. */
    RpcObserver NONE = (method, outcome) -> {
    };

    /**
     * @param method a registered method name, or {@code unknown}
     * @param outcome {@code success}, or the error's code name in lower case ({@code invalid_params}, ...)
     */
    void completed(String method, String outcome);

}
