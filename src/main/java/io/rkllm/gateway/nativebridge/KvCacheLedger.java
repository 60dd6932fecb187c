package io.rkllm.gateway.nativebridge;

import java.util.Objects;

import com.sun.jna.Pointer;
import io.rkllm.gateway.nativebridge.KvCachePlan.FunctionTools;
import io.rkllm.gateway.nativebridge.binding.RkllmLibrary;
import org.jspecify.annotations.Nullable;

/**
 * What the KV cache of one handle holds, as far as conversations go: every run and every call that changes the cache
 * passes through here on the worker, so a conversation is continued only when nothing else touched the cache since
 * its last turn. The one place that knows; {@link #settle} is the only entry from other threads.
 */
final class KvCacheLedger {

    /** The plan of the last run that wrote the cache, while nothing else has; null otherwise. */
    private @Nullable KvCachePlan owner;

    /** The conversation the cache holds, once the owner's caller named it. */
    private @Nullable String holds;

    /** Whether the runtime's chat template is set empty (it is not after init, or after a client set one). */
    private boolean templateEmptied;

    /** The function tools last set, when the gateway set them; null when unknown or none. */
    private @Nullable FunctionTools tools;

    /** Something changed the cache: no conversation is held any more. */
    synchronized void changed() {
        this.owner = null;
        this.holds = null;
    }

    /** A client set the chat template or the tools, or the handle is new: the runtime's own state is unknown. */
    synchronized void reset() {
        changed();
        this.templateEmptied = false;
        this.tools = null;
    }

    /**
     * On the worker, right before {@code rkllm_run}: the request as it is to run. A run without a plan changes the
     * cache; a plan run has the template and tools it needs set, the cache cleared unless it continues, and becomes
     * the owner.
     */
    synchronized RunRequest prepare(RunRequest request, RkllmLibrary library, Pointer handle) {
        KvCachePlan plan = request.cachePlan();
        if (plan == null) {
            changed();
            return request;
        }
        if (plan.emptyTemplate() && !this.templateEmptied) {
            // Also switches off the runtime's thinking switch and tool injection, and clears the cache.
            changed();
            AbiAdapter.check("rkllm_set_chat_template", library.rkllm_set_chat_template(handle, "", "", ""));
            this.templateEmptied = true;
        }
        if (plan.tools() != null && !plan.tools().equals(this.tools)) {
            changed();
            this.tools = null;
            FunctionTools wanted = plan.tools();
            AbiAdapter.check("rkllm_set_function_tools", library.rkllm_set_function_tools(handle,
                    wanted.systemPrompt(), wanted.toolsJson(), wanted.toolResponseTag()));
            this.tools = wanted;
        }
        boolean continues = this.owner != null && this.holds != null && Objects.equals(plan.holds(), this.holds);
        this.owner = null;
        this.holds = null;
        if (!continues) {
            AbiAdapter.check("rkllm_clear_kv_cache", library.rkllm_clear_kv_cache(handle, 0, null, null));
        }
        this.owner = plan;
        return continues ? request.withPrompt(plan.continuation(), plan.continuationRole()) : request;
    }

    /**
     * Names the conversation the cache holds after the run of {@code plan} ended as its caller saw it; false (and
     * nothing held) when anything touched the cache since that run started.
     */
    synchronized boolean settle(KvCachePlan plan, String conversation) {
        if (this.owner != plan) {
            return false;
        }
        this.holds = conversation;
        return true;
    }

}
