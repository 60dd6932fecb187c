package io.rkllm.gateway.nativebridge;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model handle's lifecycle: {@code rkllm_init}, {@code rkllm_destroy} and the parameters the handle was made
 * with. Init and destroy run on the runtime's worker only; {@code rkllm_abort} and {@code rkllm_is_running}, which the
 * runtime means to be called from any thread, take the handle's lock so they never meet its destruction.
 */
final class ModelHandle {

    private static final Logger logger = LoggerFactory.getLogger(ModelHandle.class);

    private final AbiAdapter adapter;

    private final Object lock = new Object();

    /** Written on the worker only, under {@link #lock}. */
    private volatile @Nullable Pointer handle;

    private volatile @Nullable ModelParams active;

    ModelHandle(AbiAdapter adapter) {
        this.adapter = adapter;
    }

    AbiAdapter adapter() {
        return this.adapter;
    }

    /** The live handle; null while no model is loaded. */
    @Nullable Pointer live() {
        return this.handle;
    }

    /** The parameters of the loaded model, the library's defaults filled in; null while none is loaded. */
    @Nullable ModelParams active() {
        return this.active;
    }

    /**
     * Merges {@code requested} with the library's defaults, checks the result and builds the struct for it, touching
     * nothing loaded. Fails with {@link InvalidParameterException} naming the refused field.
     */
    Prepared prepare(ModelParams requested) {
        ModelParams params = requested.withDefaults(this.adapter.defaults()).validate();
        return new Prepared(params, this.adapter.param(params));
    }

    /**
     * {@code rkllm_init} with what {@link #prepare} built and the callback every run of the handle reports to; the
     * handle before it must have been destroyed.
     */
    void init(Prepared prepared, ResultCallback callback) {
        Pointer live = this.adapter.init(prepared.struct(), callback);
        synchronized (this.lock) {
            this.handle = live;
            this.active = prepared.params();
        }
    }

    /**
     * {@code rkllm_destroy}, if a handle is live. Takes the handle away under the lock first, so that no
     * {@code rkllm_abort} or {@code rkllm_is_running} can still be using it when {@code rkllm_destroy} frees it.
     */
    void destroy() {
        Pointer live;
        synchronized (this.lock) {
            live = this.handle;
            this.handle = null;
            this.active = null;
        }
        if (live == null) {
            return;
        }
        int code = this.adapter.library().rkllm_destroy(live);
        if (code != 0) {
            logger.warn("rkllm_destroy returned {}", code);
        }
        else {
            logger.info("Model handle destroyed");
        }
    }

    /** {@code rkllm_abort}, if a handle is live. */
    void abort() {
        synchronized (this.lock) {
            Pointer live = this.handle;
            if (live != null) {
                this.adapter.library().rkllm_abort(live);
            }
        }
    }

    /** {@code rkllm_is_running}: 1 during prefill and decode. */
    boolean isRunning() {
        synchronized (this.lock) {
            Pointer live = this.handle;
            return live != null && this.adapter.library().rkllm_is_running(live) == 1;
        }
    }

    /** Checked parameters and the {@code RKLLMParam} struct for them, ready for {@code rkllm_init}. */
    record Prepared(ModelParams params, Structure struct) {
    }

}
