package io.rkllm.gateway.stream;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * One subscriber of a session's events: first its head (a replay-gap warning, the state at subscription), then the
 * session's sink without what the head already covers: chunks up to the resume point and the state changes that led
 * to the state in the head. One object per subscriber instead of a chain of merge operators, each with its queues:
 * a session may have thousands of idle subscribers, and every chunk passes through each of them.
 *
 * <p>
 * The session subscribes it to its sink under the session's lock, together with taking the head, so nothing is
 * emitted between the two; the sink is only asked for events once the head is delivered, so none overtakes it.
 */
final class SessionSubscriber implements CoreSubscriber<StreamEvent>, Subscription {

    private static final AtomicIntegerFieldUpdater<SessionSubscriber> FINISHED = AtomicIntegerFieldUpdater
        .newUpdater(SessionSubscriber.class, "finished");

    private final CoreSubscriber<? super StreamEvent> actual;

    private final StreamSession session;

    private final StreamEvent[] head;

    private final long afterSeq;

    /**
     * The last state change emitted before the subscription; it and those before it are dropped when replayed.
     * State changes only ever precede the first chunk, so if chunks pushed it out of the replay buffer, none of
     * the replayed or later events is a state change either.
     */
    private @Nullable StatusEvent staleUpTo;

    private int headIndex;

    private long headDemand;

    private boolean emittingHead;

    private volatile boolean cancelled;

    private volatile int finished;

    private @Nullable Subscription upstream;

    SessionSubscriber(CoreSubscriber<? super StreamEvent> actual, StreamSession session, StreamEvent[] head,
            long afterSeq, @Nullable StatusEvent staleUpTo) {
        this.actual = actual;
        this.session = session;
        this.head = head;
        this.afterSeq = afterSeq;
        this.staleUpTo = staleUpTo;
    }

    @Override
    public Context currentContext() {
        return this.actual.currentContext();
    }

    /** Only keeps the sink's subscription: the session hands this subscriber to its own subscriber after the lock. */
    @Override
    public void onSubscribe(Subscription subscription) {
        this.upstream = subscription;
    }

    @Override
    public void onNext(StreamEvent event) {
        if (isCovered(event)) {
            upstream().request(1);
            return;
        }
        this.actual.onNext(event);
    }

    private boolean isCovered(StreamEvent event) {
        if (event instanceof StreamChunk chunk) {
            return chunk.seq() <= this.afterSeq;
        }
        if (event instanceof StatusEvent && this.staleUpTo != null) {
            if (event == this.staleUpTo) {
                this.staleUpTo = null;
            }
            return true;
        }
        return false;
    }

    @Override
    public void onError(Throwable error) {
        finish();
        this.actual.onError(error);
    }

    @Override
    public void onComplete() {
        // The sink completes after the end chunk, which is always kept, so completion never arrives while the head is
        // still undelivered: it follows events this subscriber asked for, and the head is delivered before any ask.
        finish();
        this.actual.onComplete();
    }

    @Override
    public void request(long n) {
        if (!Operators.validate(n)) {
            return;
        }
        long forward = n;
        if (this.headIndex < this.head.length) {
            this.headDemand = Operators.addCap(this.headDemand, n);
            if (this.emittingHead) {
                return;
            }
            this.emittingHead = true;
            while (this.headIndex < this.head.length && this.headDemand > 0 && !this.cancelled) {
                StreamEvent event = this.head[this.headIndex];
                this.head[this.headIndex++] = null;
                this.headDemand--;
                this.actual.onNext(event);
            }
            this.emittingHead = false;
            if (this.headIndex < this.head.length || this.headDemand == 0) {
                return;
            }
            forward = this.headDemand;
            this.headDemand = 0;
        }
        upstream().request(forward);
    }

    @Override
    public void cancel() {
        this.cancelled = true;
        upstream().cancel();
        finish();
    }

    private void finish() {
        if (FINISHED.compareAndSet(this, 0, 1)) {
            this.session.subscriberLeft();
        }
    }

    private Subscription upstream() {
        Subscription subscription = this.upstream;
        if (subscription == null) {
            throw new IllegalStateException("not subscribed to the session's sink yet");
        }
        return subscription;
    }

}
