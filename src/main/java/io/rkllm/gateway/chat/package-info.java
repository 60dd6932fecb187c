/**
 * What the OpenAI- and Ollama-compatible APIs share: a conversation and its tools rendered into a run, the KV-cache
 * bookkeeping that prefills only a new turn, and a run's output read back as text, reasoning and tool calls.
 */
@NullMarked
package io.rkllm.gateway.chat;

import org.jspecify.annotations.NullMarked;
