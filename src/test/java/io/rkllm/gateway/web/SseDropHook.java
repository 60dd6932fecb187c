package io.rkllm.gateway.web;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.reactivestreams.Publisher;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Test hook in front of {@code GET /streams/{id}}: records the {@code Last-Event-ID} of every request, and when armed
 * ends the next stream's response after a number of chunks, mid-run, as a proxy or a flaky network would; that
 * response first asks the browser to reconnect after 100 ms ({@code retry: 100}) instead of its default seconds.
 */
final class SseDropHook implements WebFilter, Ordered {

    /** What the request carried when it had no Last-Event-ID. */
    static final String NONE = "";

    private static final byte[] RETRY_SOON = "retry: 100\n\n".getBytes(StandardCharsets.US_ASCII);

    private final AtomicInteger cutAfterChunks = new AtomicInteger();

    private final Map<String, List<String>> lastEventIds = new ConcurrentHashMap<>();

    /** The next stream request's response ends after this many chunks. */
    void cutNextStreamAfter(int chunks) {
        this.cutAfterChunks.set(chunks);
    }

    /** The Last-Event-ID of each request for the session's stream, in order ({@link #NONE} for none). */
    List<String> lastEventIds(String sessionId) {
        return List.copyOf(this.lastEventIds.getOrDefault(sessionId, List.of()));
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().value();
        if (!path.startsWith("/streams/")) {
            return chain.filter(exchange);
        }
        String lastEventId = exchange.getRequest().getHeaders().getFirst("Last-Event-ID");
        this.lastEventIds.computeIfAbsent(path.substring("/streams/".length()), (id) -> new CopyOnWriteArrayList<>())
            .add((lastEventId != null) ? lastEventId : NONE);
        int chunks = this.cutAfterChunks.getAndSet(0);
        if (chunks == 0) {
            return chain.filter(exchange);
        }
        return chain.filter(exchange.mutate().response(new Cut(exchange.getResponse(), chunks)).build());
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    /** A response whose body ends once it has carried the given number of chunk events. */
    private static final class Cut extends ServerHttpResponseDecorator {

        private final int chunks;

        Cut(ServerHttpResponse delegate, int chunks) {
            super(delegate);
            this.chunks = chunks;
        }

        @Override
        public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
            AtomicInteger seen = new AtomicInteger();
            Flux<DataBuffer> cut = Flux.<DataBuffer>from(body).takeUntil((buffer) -> seen
                .addAndGet(count(buffer.toString(StandardCharsets.UTF_8), "event: chunk\n")) >= this.chunks);
            return super.writeWith(Flux.concat(Mono.fromSupplier(() -> bufferFactory().wrap(RETRY_SOON)), cut));
        }

        private static int count(String text, String what) {
            int count = 0;
            for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + what.length())) {
                count++;
            }
            return count;
        }

    }

}
