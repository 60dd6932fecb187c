package io.rkllm.gateway.nativebridge.binding;

import com.sun.jna.Callback;
import com.sun.jna.Pointer;

/**
 * {@code int (*LLMResultCallback)(RKLLMResult* result, void* userdata, LLMCallState state)}. The result is taken as a
 * raw pointer so that a callback reads only the fields it needs; {@link RKLLMResult} gives their offsets.
 */
public interface LLMResultCallback extends Callback {

    /** Return 0 to continue, 1 to pause the run (keeping the KV cache), 2 (1.3.0) to free the output buffer early. */
    int invoke(Pointer result, Pointer userdata, int state);

}
