package io.rkllm.gateway.stream;

/** What a session's subscribers receive: output chunks, state changes, and a warning about lost history. */
public sealed interface StreamEvent permits StreamChunk, StatusEvent, ReplayGapEvent {
}
