/**
 * The OpenAI-compatible API ({@code /v1}): models, chat completions and completions, streamed as OpenAI's
 * Server-Sent Events or answered whole, with OpenAI's error shape; a thin adapter over the chat service.
 */
@NullMarked
package io.rkllm.gateway.openai;

import org.jspecify.annotations.NullMarked;
