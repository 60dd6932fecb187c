package io.rkllm.gateway.nativebridge;

import java.util.function.Supplier;

import com.sun.jna.Pointer;
import io.rkllm.gateway.nativebridge.binding.LLMResultCallback;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one result callback bound at {@code rkllm_init}, for the handle's lifetime. It routes each call to the run in
 * progress, recognised by the userdata that run passed to {@code rkllm_run}, so a straggler of an earlier run is
 * dropped. Nothing thrown here may reach C.
 */
final class ResultCallback implements LLMResultCallback {

    private static final Logger logger = LoggerFactory.getLogger(ResultCallback.class);

    private final Supplier<@Nullable NativeRun> current;

    private final CallbackObserver observer;

    ResultCallback(Supplier<@Nullable NativeRun> current, CallbackObserver observer) {
        this.current = current;
        this.observer = observer;
    }

    @Override
    public int invoke(@Nullable Pointer result, @Nullable Pointer userdata, int state) {
        long start = System.nanoTime();
        try {
            NativeRun run = this.current.get();
            if (run == null || Pointer.nativeValue(userdata) != run.id()) {
                return 0;
            }
            return run.onCallback(result, state);
        }
        catch (Throwable ex) {
            logger.error("Result callback failed; the token is dropped", ex);
            return 0;
        }
        finally {
            this.observer.callbackTook(System.nanoTime() - start);
        }
    }

}
