package io.rkllm.gateway.chat;

import io.rkllm.gateway.rpc.ErrorCode;
import io.rkllm.gateway.rpc.GatewayException;

/** A conversation the runtime refused because it is longer than the model's context (OpenAI's 400 of that name). */
public final class ContextLengthExceededException extends GatewayException {

    ContextLengthExceededException(int contextLength, int promptBytes) {
        super(ErrorCode.INVALID_PARAMS, "the conversation does not fit the model's context of " + contextLength
                + " tokens (the runtime refused its prompt of " + promptBytes + " bytes before the first token): "
                + "shorten it, or let the service drop its oldest turns (rkllm.chat.context-overflow: drop-oldest)");
    }

}
