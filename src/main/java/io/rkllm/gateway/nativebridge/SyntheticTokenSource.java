package io.rkllm.gateway.nativebridge;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.sun.jna.Pointer;
import io.rkllm.gateway.nativebridge.binding.LLMCallState;
import io.rkllm.gateway.nativebridge.binding.RKLLMResult;

/**
 * Feeds given text pieces through the very result-callback path that native results take (an {@code RKLLMResult} in
 * native memory, {@link ResultCallback}, the UTF-8 decoder, the listener), from a timer thread instead of the NPU. It
 * lets clients and tests check the whole streaming path without a model.
 */
public final class SyntheticTokenSource {

    private SyntheticTokenSource() {
    }

    /** Starts delivering {@code pieces}, one every {@code delay}, then FINISH; the run can be aborted meanwhile. */
    public static NativeRun start(List<String> pieces, Duration delay, TokenListener listener,
            ScheduledExecutorService timer, CallbackObserver observer) {
        NativeRun run = new NativeRun(NativeRun.nextId(), RunRequest.prompt(String.join("", pieces)), listener,
                (self) -> {
                    self.markAbortRequested();
                    return !self.result().isDone();
                });
        ResultCallback callback = new ResultCallback(() -> run, observer);
        new Delivery(run, callback, pieces, delay, timer).schedule(0);
        return run;
    }

    private record Delivery(NativeRun run, ResultCallback callback, List<String> pieces, Duration delay,
            ScheduledExecutorService timer) {

        void schedule(int index) {
            this.timer.schedule(() -> deliver(index), (index == 0) ? 0 : this.delay.toNanos(), TimeUnit.NANOSECONDS);
        }

        private void deliver(int index) {
            try {
                if (this.run.abortRequested()) {
                    this.run.complete(0, -1);
                    return;
                }
                RKLLMResult result = new RKLLMResult();
                if (index < this.pieces.size()) {
                    result.text = NativeStrings.utf8(this.pieces.get(index));
                    result.token_id = index;
                    invoke(result, LLMCallState.RKLLM_RUN_NORMAL);
                    schedule(index + 1);
                    return;
                }
                result.token_id = -1;
                result.perf.generate_tokens = this.pieces.size();
                result.perf.generate_time_ms = this.delay.toMillis() * (float) this.pieces.size();
                invoke(result, LLMCallState.RKLLM_RUN_FINISH);
                this.run.complete(0, -1);
            }
            catch (RuntimeException ex) {
                this.run.fail(ex);
            }
        }

        private void invoke(RKLLMResult result, int state) {
            result.write();
            this.callback.invoke(result.getPointer(), new Pointer(this.run.id()), state);
        }

    }

}
