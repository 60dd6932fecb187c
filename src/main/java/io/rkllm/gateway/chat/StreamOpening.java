package io.rkllm.gateway.chat;

import java.time.Duration;

import io.rkllm.gateway.chat.ChatEvent.Done;
import io.rkllm.gateway.rpc.GatewayException;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Holds a streamed answer's response head until its run has said something, so that a run that fails before its
 * first word (a conversation longer than the context, refused before prefill) is answered with the API's own error
 * status rather than a 200 stream that carries the error. The head goes out at the run's first event of any kind (a
 * queue position included, which must reach a waiting client at once), or after {@link #PATIENCE} of silence (a long
 * prefill), whichever comes first. Cancelling the opening, or the events it hands on, cancels the run's events.
 */
public final class StreamOpening {

    /** The longest the head waits: the runtime refuses an overlong prompt before prefill, within milliseconds. */
    static final Duration PATIENCE = Duration.ofSeconds(5);

    private StreamOpening() {
    }

    /** The opening of {@code events}; subscribed to them at once, buffering what comes until the body reads it. */
    public static Mono<Opening> of(Flux<ChatEvent> events) {
        return of(events, PATIENCE);
    }

    static Mono<Opening> of(Flux<ChatEvent> events, Duration patience) {
        return Mono.defer(() -> {
            Sinks.One<ChatEvent> first = Sinks.one();
            Sinks.Many<ChatEvent> all = Sinks.many().unicast().onBackpressureBuffer();
            // The events come one at a time (Reactive Streams), so emitting to both sinks never races.
            Disposable upstream = events.subscribe((event) -> {
                first.tryEmitValue(event);
                all.tryEmitNext(event);
            }, (error) -> {
                first.tryEmitError(error);
                all.tryEmitError(error);
            }, () -> {
                first.tryEmitEmpty();
                all.tryEmitComplete();
            });
            Flux<ChatEvent> body = all.asFlux().doOnCancel(upstream::dispose);
            return first.asMono()
                .timeout(patience, Mono.empty())
                .map((event) -> new Opening((event instanceof Done done) ? done.failure() : null, body))
                .defaultIfEmpty(new Opening(null, body))
                .doOnCancel(upstream::dispose);
        });
    }

    /**
     * How a streamed answer opens.
     *
     * @param failure why the run failed before saying anything: answer with this error instead of a stream
     * @param events every event of the run, the first included
     */
    public record Opening(@Nullable GatewayException failure, Flux<ChatEvent> events) {
    }

}
