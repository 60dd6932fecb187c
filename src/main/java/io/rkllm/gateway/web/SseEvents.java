package io.rkllm.gateway.web;

import java.time.Duration;
import java.util.Map;

import io.rkllm.gateway.stream.ReplayGapEvent;
import io.rkllm.gateway.stream.StreamChunk;
import io.rkllm.gateway.stream.StreamEvent;
import io.rkllm.gateway.stream.StreamSession;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A session's events as Server-Sent Events: chunks as {@code id: <seq>} / {@code event: chunk}, state changes as
 * {@code event: status} without id, a lost-history warning as {@code event: error}, and a {@code : keep-alive}
 * comment every heartbeat. The stream completes after the end chunk.
 */
final class SseEvents {

    private static final ServerSentEvent<Object> KEEP_ALIVE = ServerSentEvent.builder().comment(" keep-alive").build();

    /** Marks the end of the session's events, so the heartbeat stops with them. */
    private static final ServerSentEvent<Object> DONE = ServerSentEvent.builder().comment("done").build();

    private SseEvents() {
    }

    /** The session's events after {@code afterSeq}, interleaved with heartbeats, each subscriber on its own. */
    static Flux<ServerSentEvent<Object>> of(StreamSession session, long afterSeq, Duration heartbeat) {
        Flux<ServerSentEvent<Object>> events = session.events(afterSeq)
            .publishOn(Schedulers.parallel())
            .map(SseEvents::toSse)
            .concatWith(Mono.just(DONE));
        Flux<ServerSentEvent<Object>> beats = Flux.interval(heartbeat, heartbeat).map((tick) -> KEEP_ALIVE);
        return Flux.merge(events, beats).takeWhile((event) -> event != DONE);
    }

    /** An SSE response with the headers that keep proxies from buffering it. */
    static Mono<ServerResponse> respond(Flux<ServerSentEvent<Object>> events) {
        return ServerResponse.ok()
            .contentType(MediaType.TEXT_EVENT_STREAM)
            .header("Cache-Control", "no-cache")
            .header("X-Accel-Buffering", "no")
            .body(BodyInserters.fromServerSentEvents(events));
    }

    /** The first event of a run streamed in answer to {@code rkllm_run}: which session it is. */
    static ServerSentEvent<Object> sessionEvent(StreamSession session) {
        return ServerSentEvent.builder()
            .event("session")
            .data((Object) Map.of("session_id", session.id(), "stream_url", "/streams/" + session.id()))
            .build();
    }

    private static ServerSentEvent<Object> toSse(StreamEvent event) {
        if (event instanceof StreamChunk chunk) {
            return ServerSentEvent.builder().id(Long.toString(chunk.seq())).event("chunk").data((Object) chunk).build();
        }
        if (event instanceof ReplayGapEvent gap) {
            return ServerSentEvent.builder()
                .event("error")
                .data((Object) Map.of("message", gap.message(), "first_available_seq", gap.firstAvailableSeq()))
                .build();
        }
        return ServerSentEvent.builder().event("status").data((Object) event).build();
    }

}
