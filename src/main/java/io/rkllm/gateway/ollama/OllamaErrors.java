package io.rkllm.gateway.ollama;

import io.rkllm.gateway.ollama.OllamaWire.Error;
import io.rkllm.gateway.rpc.ClientErrors;
import io.rkllm.gateway.rpc.ErrorCode;
import io.rkllm.gateway.rpc.GatewayException;
import io.rkllm.gateway.web.RequestBodies;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The one place where a failure becomes an Ollama error, {@code {"error":"…"}}: 400 invalid, 404 model, 413 too
 * large, 503 busy (a full queue, with Ollama's own words, so that clients retry as they do with Ollama) or runtime
 * unavailable, 500 otherwise.
 */
final class OllamaErrors {

    /** What Ollama answers when its queue is full. */
    static final String BUSY = "server busy, please try again.  maximum pending requests exceeded";

    private OllamaErrors() {
    }

    static Mono<ServerResponse> response(Throwable failure) {
        if (failure instanceof RequestBodies.TooLargeException tooLarge) {
            return send(HttpStatus.CONTENT_TOO_LARGE, tooLarge.getMessage());
        }
        GatewayException error = ClientErrors.translate(failure, "An Ollama-compatible request");
        return send(status(error.errorCode()), message(error));
    }

    static Mono<ServerResponse> modelNotFound(String model) {
        return send(HttpStatus.NOT_FOUND, "model '" + model + "' not found");
    }

    /** The error's text, as a stream's last line carries it and as a JSON answer does. */
    static String message(GatewayException error) {
        return switch (error.errorCode()) {
            case QUEUE_FULL, TOO_MANY_SESSIONS -> BUSY + " (" + error.getMessage() + ")";
            default -> error.getMessage();
        };
    }

    private static HttpStatus status(ErrorCode code) {
        return switch (code) {
            case QUEUE_FULL, TOO_MANY_SESSIONS, RUNTIME_UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
            case SESSION_NOT_FOUND -> HttpStatus.NOT_FOUND;
            case INFERENCE_FAILED, INTERNAL_ERROR -> HttpStatus.INTERNAL_SERVER_ERROR;
            default -> HttpStatus.BAD_REQUEST;
        };
    }

    private static Mono<ServerResponse> send(HttpStatus status, String message) {
        return ServerResponse.status(status).contentType(MediaType.APPLICATION_JSON).bodyValue(new Error(message));
    }

}
