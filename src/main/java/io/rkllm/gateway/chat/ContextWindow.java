package io.rkllm.gateway.chat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import io.rkllm.gateway.chat.ChatEvent.Done;
import io.rkllm.gateway.chat.ChatEvent.Usage;
import io.rkllm.gateway.config.ChatProperties.ContextOverflow;
import io.rkllm.gateway.rpc.ClientErrors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

/**
 * The model's context as the chat APIs meet it. The gateway has no tokenizer: the runtime refuses a prompt longer
 * than its context before the first token ({@code RKLLM_RUN_ERROR} or {@code rkllm_run} returning -1, its reason
 * only in its log). Such a failure is read as a context overflow when the prompt could be that long: no token is
 * shorter than a byte, so a prompt of fewer bytes than the context (less the runtime's own framing) cannot be. Where
 * configured, the conversation is then run again without its oldest turn, until it fits or only its last question is
 * left.
 */
final class ContextWindow {

    private static final Logger logger = LoggerFactory.getLogger(ContextWindow.class);

    /**
     * Bytes allowed for what the runtime adds to a prompt that the gateway does not see: its own template's framing
     * and system prompt where no template is configured, the tokenizer's start token.
     */
    static final int FRAMING_BYTES = 256;

    private final ContextOverflow overflow;

    ContextWindow(ContextOverflow overflow) {
        this.overflow = overflow;
    }

    /**
     * {@code event}, a failure before the first token named a context overflow where {@code prompt} may not fit.
     *
     * @param context the model's context window in tokens; null when unknown (nothing is named an overflow)
     */
    ChatEvent classify(ChatEvent event, String prompt, @Nullable Integer context) {
        if (!(event instanceof Done done) || done.error() == null || done.usage().completionTokens() > 0) {
            return event;
        }
        int bytes = prompt.getBytes(StandardCharsets.UTF_8).length;
        if (context == null || bytes + FRAMING_BYTES <= context) {
            return event;
        }
        return new Done(done.finishReason(), done.usage(), new ContextLengthExceededException(context, bytes));
    }

    /**
     * The events of a run of {@code request}; with {@code drop-oldest}, a context overflow is followed by the events of
     * {@code rerun} of the conversation without its oldest turn instead, as often as needed.
     */
    Flux<ChatEvent> fit(ChatRequest request, Flux<ChatEvent> events, Function<ChatRequest, Flux<ChatEvent>> rerun) {
        if (this.overflow != ContextOverflow.DROP_OLDEST) {
            return events;
        }
        return events.concatMap((event) -> {
            ChatRequest shorter = (event instanceof Done done
                    && done.error() instanceof ContextLengthExceededException) ? withoutOldestTurn(request) : null;
            if (shorter == null) {
                return Flux.just(event);
            }
            logger.info("A conversation of {} messages does not fit the context: running it again without its "
                    + "oldest turn", request.messages().size());
            return Flux.defer(() -> fit(shorter, rerun.apply(shorter), rerun))
                .onErrorResume((ex) -> Flux.just(new Done("error", new Usage(0, 0, null),
                        ClientErrors.translate(ex, "Running a conversation without its oldest turn"))));
        });
    }

    /**
     * The conversation without its oldest turn after the system messages (a question and what answered it, up to the
     * next question); null when only the last question and what follows it are left.
     */
    static @Nullable ChatRequest withoutOldestTurn(ChatRequest request) {
        List<ChatMessage> messages = request.messages();
        int first = 0;
        while (first < messages.size() && "system".equals(messages.get(first).role())) {
            first++;
        }
        int next = first + 1;
        while (next < messages.size() && !"user".equals(messages.get(next).role())) {
            next++;
        }
        if (next >= messages.size()) {
            return null;
        }
        List<ChatMessage> kept = new ArrayList<>(messages.subList(0, first));
        kept.addAll(messages.subList(next, messages.size()));
        return request.withMessages(kept);
    }

}
