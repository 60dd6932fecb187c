package io.rkllm.gateway.web;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Server-Sent Events reader over {@link RawHttp}: a thread of its own parses the decoded body into events (id,
 * event, data, comment) as the bytes arrive and queues them with their arrival time; the test takes them with
 * {@link #nextEvent(Duration)}, learns when the body ended, and can drop the connection at any point.
 */
final class RawSseClient implements Closeable {

    private static final Item END = new Item(null, null);

    private final RawHttp http;

    private final RawHttp.Head head;

    private final BlockingQueue<Item> items = new LinkedBlockingQueue<>();

    private final Thread reader;

    private volatile boolean closing;

    private RawSseClient(RawHttp http) throws IOException {
        this.http = http;
        this.head = http.head();
        InputStream body = http.body();
        this.reader = new Thread(() -> read(body), "raw-sse-reader");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** {@code GET path} with these headers, the response head read. */
    static RawSseClient get(int port, String path, Map<String, String> headers) throws IOException {
        RawHttp http = RawHttp.connect(port);
        try {
            return new RawSseClient(http.get(path, headers));
        }
        catch (IOException | RuntimeException ex) {
            http.close();
            throw ex;
        }
    }

    /** {@code POST /rpc} of a JSON-RPC request that accepts {@code text/event-stream}, the response head read. */
    static RawSseClient postRpc(int port, String json) throws IOException {
        RawHttp http = RawHttp.connect(port);
        try {
            return new RawSseClient(http.post("/rpc", Map.of("Accept", "text/event-stream"), json));
        }
        catch (IOException | RuntimeException ex) {
            http.close();
            throw ex;
        }
    }

    RawHttp.Head head() {
        return this.head;
    }

    /** The next event or comment; fails when none arrives in time or the body ended. */
    Event nextEvent(Duration timeout) throws InterruptedException {
        Item item = this.items.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (item == null) {
            throw new AssertionError("no SSE event within " + timeout);
        }
        if (item.event() == null) {
            this.items.add(item);
            throw new AssertionError("the SSE body ended"
                    + ((item.failure() != null) ? " with " + item.failure() : "") + " while an event was expected");
        }
        return item.event();
    }

    /** The next event that matches, skipping others; fails as {@link #nextEvent(Duration)} does. */
    Event nextEvent(Predicate<Event> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Event event = nextEvent(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (wanted.test(event)) {
                return event;
            }
        }
    }

    /** Every event up to and including the end chunk ({@code "end":true}), comments left out. */
    List<Event> eventsUntilEndChunk(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Event> events = new ArrayList<>();
        while (true) {
            Event event = nextEvent((candidate) -> !candidate.isComment(),
                    Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            events.add(event);
            if (event.isChunk() && event.json().path("end").asBoolean()) {
                return events;
            }
        }
    }

    /**
     * Whether the body ends (the terminating chunk arrives) within the timeout, with nothing but comments before it.
     */
    boolean bodyEnds(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Item item = this.items.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (item == null) {
                return false;
            }
            if (item.event() == null) {
                this.items.add(item);
                return item.failure() == null;
            }
            if (!item.event().isComment()) {
                throw new AssertionError("an event came where the body should have ended: " + item.event());
            }
        }
    }

    /** Drops the connection abruptly, as a client that goes away. */
    @Override
    public void close() throws IOException {
        this.closing = true;
        this.http.close();
    }

    private void read(InputStream body) {
        EventParser parser = new EventParser();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        boolean afterCr = false;
        try {
            int count;
            while ((count = body.read(buffer)) >= 0) {
                for (int i = 0; i < count; i++) {
                    byte b = buffer[i];
                    if (b == '\n' && afterCr) {
                        afterCr = false;
                        continue;
                    }
                    afterCr = b == '\r';
                    if (b == '\n' || b == '\r') {
                        Event event = parser.line(line.toString(StandardCharsets.UTF_8));
                        line.reset();
                        if (event != null) {
                            this.items.add(new Item(event, null));
                        }
                    }
                    else {
                        line.write(b);
                    }
                }
            }
            this.items.add(END);
        }
        catch (IOException ex) {
            this.items.add(new Item(null, this.closing ? null : ex.toString()));
        }
    }

    /**
     * One block of the stream, up to its blank line: an event, or a comment on its own.
     *
     * @param id the {@code id} field, null when the block has none
     * @param event the {@code event} field, null when the block has none
     * @param data the {@code data} lines joined with line feeds, null when the block has none
     * @param comment the text after the {@code :} of a comment line, null when the block has none
     * @param raw the block's lines as they came
     * @param receivedNanos {@link System#nanoTime()} when its blank line was read
     */
    record Event(@Nullable String id, @Nullable String event, @Nullable String data, @Nullable String comment,
            List<String> raw, long receivedNanos) {

        boolean isComment() {
            return this.comment != null && this.event == null && this.data == null && this.id == null;
        }

        boolean isChunk() {
            return "chunk".equals(this.event);
        }

        boolean isStatus() {
            return "status".equals(this.event);
        }

        /** The data parsed as JSON. */
        JsonNode json() {
            if (this.data == null) {
                throw new AssertionError("the event has no data: " + this.raw);
            }
            return JsonMapper.shared().readTree(this.data);
        }

    }

    private record Item(@Nullable Event event, @Nullable String failure) {
    }

    /** The field rules of the SSE format: one space after the colon is dropped, data lines are joined. */
    private static final class EventParser {

        private final List<String> raw = new ArrayList<>();

        private @Nullable String id;

        private @Nullable String event;

        private @Nullable StringBuilder data;

        private @Nullable StringBuilder comment;

        @Nullable Event line(String line) {
            if (line.isEmpty()) {
                return dispatch();
            }
            this.raw.add(line);
            int colon = line.indexOf(':');
            String field = (colon >= 0) ? line.substring(0, colon) : line;
            String value = (colon >= 0) ? line.substring(colon + 1) : "";
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "" -> this.comment = append(this.comment, value);
                case "id" -> this.id = value;
                case "event" -> this.event = value;
                case "data" -> this.data = append(this.data, value);
                default -> {
                    // Unknown fields (retry included) are ignored, as the format says.
                }
            }
            return null;
        }

        private static StringBuilder append(@Nullable StringBuilder text, String value) {
            return (text == null) ? new StringBuilder(value) : text.append('\n').append(value);
        }

        private @Nullable Event dispatch() {
            if (this.raw.isEmpty()) {
                return null;
            }
            Event dispatched = new Event(this.id, this.event, (this.data != null) ? this.data.toString() : null,
                    (this.comment != null) ? this.comment.toString() : null, List.copyOf(this.raw), System.nanoTime());
            this.raw.clear();
            this.id = null;
            this.event = null;
            this.data = null;
            this.comment = null;
            return dispatched;
        }

    }

}
