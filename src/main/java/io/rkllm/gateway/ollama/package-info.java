/**
 * The Ollama-compatible API ({@code /api}): model metadata, chat and generate, streamed as NDJSON by default, with
 * Ollama's error shape; a thin adapter over the chat service.
 */
@NullMarked
package io.rkllm.gateway.ollama;

import org.jspecify.annotations.NullMarked;
