package io.rkllm.gateway.web;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;

import io.rkllm.gateway.rpc.InferenceMethods;
import io.rkllm.gateway.rpc.ErrorCode;
import io.rkllm.gateway.security.ConnectionLimits;
import io.rkllm.gateway.stream.ReplayGapEvent;
import io.rkllm.gateway.stream.StreamChunk;
import io.rkllm.gateway.stream.StreamEvent;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.reactive.function.BodyInserter;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.ObjectMapper;

/**
 * A session's events as Server-Sent Events: chunks as {@code id: <seq>} / {@code event: chunk}, state changes as
 * {@code event: status} without id, a lost-history warning as {@code event: error}, and a {@code : keep-alive}
 * comment every heartbeat; the stream completes after the end chunk. Encoded here and written by an
 * {@link SseOutbox} rather than by Spring's SSE writer, which flushes the socket once per event.
 */
final class SseEvents {

    private final ObjectMapper mapper;

    private final Duration heartbeat;

    private final ConnectionLimits limits;

    /**
     * Recently encoded chunks by identity: every subscriber of a session gets the same chunk objects, so each chunk
     * is turned into JSON once, not once per subscriber. A collision only costs an encoding.
     */
    private final AtomicReferenceArray<Encoded> recent = new AtomicReferenceArray<>(1024);

    /** @param limits counts each SSE response against {@code rkllm.limits.max-streams} */
    SseEvents(ObjectMapper mapper, Duration heartbeat, ConnectionLimits limits) {
        this.mapper = mapper;
        this.heartbeat = heartbeat;
        this.limits = limits;
    }

    /**
     * The first event of a run streamed in answer to {@code rkllm_run}: which session it is and where to resume.
     */
    byte[] sessionEvent(String sessionId, String streamUrl) {
        return event("session", null, Map.of("session_id", sessionId, "stream_url", streamUrl));
    }

    /**
     * An SSE response of a session's events with the headers that keep proxies from buffering it, written by an
     * {@link SseOutbox} on the connection's event loop, with heartbeats. At {@code rkllm.limits.max-streams} it is
     * 503 instead, and the events are cancelled at once, which aborts a run that this request started.
     *
     * @param preamble an encoded event to send first (null: none)
     */
    Mono<ServerResponse> respond(byte @Nullable [] preamble, Flux<StreamEvent> events) {
        Runnable release = this.limits.openStream().orElse(null);
        if (release == null) {
            events.subscribe().dispose();
            return ServerResponse.status(HttpStatus.SERVICE_UNAVAILABLE)
                .contentType(MediaType.APPLICATION_JSON)
                .header(HttpHeaders.RETRY_AFTER, "1")
                .bodyValue(ErrorBodies.of(ErrorCode.QUEUE_FULL, ConnectionLimits.STREAMS_FULL));
        }
        BodyInserter<Object, ServerHttpResponse> body = (response, context) -> {
            // The connection's end releases the stream too, should the events never be subscribed.
            StreamedBody.connection(response).onDispose(release::run);
            return response.writeWith(new SseOutbox<>(preamble, events.doFinally((signal) -> release.run()),
                    this::encode, StreamedBody.eventLoop(response), response.bufferFactory(), this.heartbeat));
        };
        return ServerResponse.ok()
            .contentType(MediaType.TEXT_EVENT_STREAM)
            .header("Cache-Control", "no-cache")
            .header("X-Accel-Buffering", "no")
            .body(body);
    }

    private byte[] encode(StreamEvent event) {
        if (event instanceof StreamChunk chunk) {
            int slot = System.identityHashCode(chunk) & (this.recent.length() - 1);
            Encoded hit = this.recent.get(slot);
            if (hit != null && hit.chunk() == chunk) {
                return hit.bytes();
            }
            byte[] bytes = event("chunk", Long.toString(chunk.seq()), chunk);
            this.recent.set(slot, new Encoded(chunk, bytes));
            return bytes;
        }
        if (event instanceof ReplayGapEvent gap) {
            return event("error", null,
                    Map.of("message", gap.message(), "first_available_seq", gap.firstAvailableSeq()));
        }
        return event("status", null, event);
    }

    private byte[] event(String name, @Nullable String id, Object data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        if (id != null) {
            out.writeBytes(("id: " + id + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(("event: " + name + "\ndata: ").getBytes(StandardCharsets.US_ASCII));
        // Compact JSON holds no raw newline, so one data line carries it.
        out.writeBytes(this.mapper.writeValueAsBytes(data));
        out.write('\n');
        out.write('\n');
        return out.toByteArray();
    }

    private record Encoded(StreamChunk chunk, byte[] bytes) {
    }

}
