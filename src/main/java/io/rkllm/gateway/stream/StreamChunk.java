package io.rkllm.gateway.stream;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.rkllm.gateway.nativebridge.Perf;
import io.rkllm.gateway.rpc.ErrorCode;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * One piece of a session's output: {@code {"seq":0,"delta":"Hel","end":false}}. Sequence numbers start at 0 and have
 * no gaps; the last chunk has {@code end} true, a finish reason, and perf or an error when there is one.
 *
 * @param finishReason {@code stop}, {@code length}, {@code aborted}, {@code error} or {@code evicted}, on the end chunk
 * @param reason why the service, not the client, ended the session ({@code shutdown}, {@code evicted},
 * {@code disconnected}, {@code worker_lost})
 * @param perf the runtime's figures, on the end chunk when the runtime gave them
 * @param error what failed, on the end chunk of a failed run
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record StreamChunk(long seq, String delta, boolean end, @Nullable String finishReason,
        @Nullable String reason, @Nullable Perf perf, @Nullable ChunkError error) implements StreamEvent {

    /** A piece of text. */
    public static StreamChunk delta(long seq, String delta) {
        return new StreamChunk(seq, delta, false, null, null, null, null);
    }

    /** The error of a failed run, as on the wire. */
    public record ChunkError(int code, String message) {

        public static ChunkError of(ErrorCode code, String message) {
            return new ChunkError(code.code(), message);
        }

    }

}
