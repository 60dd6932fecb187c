package io.rkllm.gateway.nativebridge;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Collects what a run delivers, and on which threads. */
public final class CollectingListener implements TokenListener {

    private final StringBuffer text = new StringBuffer();

    private final AtomicInteger tokens = new AtomicInteger();

    private final Set<String> threads = ConcurrentHashMap.newKeySet();

    @Override
    public void onToken(String piece, int tokenId) {
        this.text.append(piece);
        if (tokenId >= 0) {
            this.tokens.incrementAndGet();
        }
        this.threads.add(Thread.currentThread().getName());
    }

    public String text() {
        return this.text.toString();
    }

    public int tokens() {
        return this.tokens.get();
    }

    public Set<String> threads() {
        return this.threads;
    }

}
