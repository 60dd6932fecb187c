package io.rkllm.gateway.nativebridge;

import org.jspecify.annotations.Nullable;

/**
 * How a run of a conversation uses what an earlier run left in the KV cache, decided on the worker right before
 * {@code rkllm_run}, when no other call can come between: while the cache still holds {@code holds}, only
 * {@code continuation} is prefilled; otherwise the cache is cleared and the request's own prompt (the whole
 * conversation) is prefilled. Plan runs keep their history, so that the next turn can continue them. A plan is
 * compared by identity: the run it was given to is the one {@link RkllmRuntime#settleKvCache} names.
 *
 * @param holds the conversation the cache must hold for the continuation to be used (null: always anew)
 * @param continuation the new turn's prompt, prefilled after {@code holds}
 * @param continuationRole the new turn's role ({@code user} or {@code tool})
 * @param emptyTemplate whether the prompts are rendered by the gateway, so the runtime's own template is set empty
 * @param tools the function tools the runtime injects with its own template (null: leave them as they are)
 */
public record KvCachePlan(@Nullable String holds, String continuation, String continuationRole,
        boolean emptyTemplate, @Nullable FunctionTools tools) {

    @Override
    public boolean equals(@Nullable Object other) {
        return this == other;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    /** The arguments of {@code rkllm_set_function_tools}. */
    public record FunctionTools(String systemPrompt, String toolsJson, String toolResponseTag) {
    }

}
