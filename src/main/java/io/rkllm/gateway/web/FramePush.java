package io.rkllm.gateway.web;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import io.rkllm.gateway.rpc.SessionPush;
import io.rkllm.gateway.stream.SessionStream;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * What the calls of one WebSocket frame push: through the socket's connection, with the sessions they follow pushed
 * only once the frame's answer is enqueued, so that a client learns of a session from the answer before its first
 * notification. Nothing is lost by the wait: a followed session is read from its replay buffer.
 */
final class FramePush implements SessionPush {

    private final SocketConnection connection;

    /** Guarded by this; null once the frame's answer is enqueued, when follows start at once. */
    private @Nullable List<Runnable> afterAnswer = new ArrayList<>(1);

    FramePush(SocketConnection connection) {
        this.connection = connection;
    }

    @Override
    public Mono<Void> relay(SessionStream reader) {
        return this.connection.follow(reader, 0, Runnable::run).orElse(Mono.empty());
    }

    @Override
    public boolean follow(SessionStream reader, long fromSeq) {
        return this.connection.follow(reader, fromSeq, this::afterAnswer).isPresent();
    }

    @Override
    public void hold(SessionStream started) {
        this.connection.hold(started);
    }

    @Override
    public OptionalLong unfollow(String sessionId) {
        return this.connection.unfollow(sessionId);
    }

    private void afterAnswer(Runnable start) {
        synchronized (this) {
            if (this.afterAnswer != null) {
                this.afterAnswer.add(start);
                return;
            }
        }
        start.run();
    }

    /** The frame's answer (if any) is enqueued: the follows its calls asked for start. */
    void answered() {
        List<Runnable> starts;
        synchronized (this) {
            starts = this.afterAnswer;
            this.afterAnswer = null;
        }
        if (starts != null) {
            starts.forEach(Runnable::run);
        }
    }

}
