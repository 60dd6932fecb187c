package io.rkllm.gateway.stream;

/**
 * The resume point a subscriber asked for is older than the kept history; the chunks from {@code firstAvailableSeq}
 * on follow.
 */
public record ReplayGapEvent(String message, long firstAvailableSeq) implements StreamEvent {
}
