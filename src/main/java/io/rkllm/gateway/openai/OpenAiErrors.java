package io.rkllm.gateway.openai;

import io.rkllm.gateway.chat.ContextLengthExceededException;
import io.rkllm.gateway.openai.OpenAiWire.ErrorBody;
import io.rkllm.gateway.openai.OpenAiWire.ErrorResponse;
import io.rkllm.gateway.rpc.ClientErrors;
import io.rkllm.gateway.rpc.ErrorCode;
import io.rkllm.gateway.rpc.GatewayException;
import io.rkllm.gateway.web.RequestBodies;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The one place where a failure becomes an OpenAI error: the service's error codes mapped to OpenAI's statuses and
 * error types (400 invalid, 404 model, 413 too large, 429 queue full with {@code Retry-After}, 503 runtime
 * unavailable, 500 otherwise), in OpenAI's shape {@code {"error":{"message","type","param","code"}}}.
 */
final class OpenAiErrors {

    /** Seconds a client is asked to wait before trying again when the queue is full. */
    static final String RETRY_AFTER_SECONDS = "1";

    private OpenAiErrors() {
    }

    /** The HTTP answer for a failure before the answer started. */
    static Mono<ServerResponse> response(Throwable failure) {
        if (failure instanceof RequestBodies.TooLargeException tooLarge) {
            return send(HttpStatus.CONTENT_TOO_LARGE,
                    new ErrorBody(tooLarge.getMessage(), "invalid_request_error", null, "request_too_large"));
        }
        GatewayException error = ClientErrors.translate(failure, "An OpenAI-compatible request");
        return send(status(error.errorCode()), body(error));
    }

    /** 404 for a model this service does not serve. */
    static Mono<ServerResponse> modelNotFound(String model) {
        return send(HttpStatus.NOT_FOUND, new ErrorBody("The model '" + model + "' does not exist",
                "invalid_request_error", "model", "model_not_found"));
    }

    /** The error of a failure, as a stream's last event carries it and as a JSON answer does. */
    static ErrorBody body(GatewayException error) {
        if (error instanceof ContextLengthExceededException) {
            return new ErrorBody(error.getMessage(), "invalid_request_error", "messages", "context_length_exceeded");
        }
        return switch (error.errorCode()) {
            case QUEUE_FULL, TOO_MANY_SESSIONS -> new ErrorBody(error.getMessage(), "rate_limit_error", null,
                    "rate_limit_exceeded");
            case RUNTIME_UNAVAILABLE -> new ErrorBody(error.getMessage(), "server_error", null,
                    "service_unavailable");
            case SESSION_NOT_FOUND -> new ErrorBody(error.getMessage(), "invalid_request_error", null, "not_found");
            case INFERENCE_FAILED, INTERNAL_ERROR -> new ErrorBody(error.getMessage(), "server_error", null, null);
            default -> new ErrorBody(error.getMessage(), "invalid_request_error", null, null);
        };
    }

    private static HttpStatus status(ErrorCode code) {
        return switch (code) {
            case QUEUE_FULL, TOO_MANY_SESSIONS -> HttpStatus.TOO_MANY_REQUESTS;
            case RUNTIME_UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
            case SESSION_NOT_FOUND -> HttpStatus.NOT_FOUND;
            case INFERENCE_FAILED, INTERNAL_ERROR -> HttpStatus.INTERNAL_SERVER_ERROR;
            default -> HttpStatus.BAD_REQUEST;
        };
    }

    private static Mono<ServerResponse> send(HttpStatus status, ErrorBody body) {
        ServerResponse.BodyBuilder response = ServerResponse.status(status).contentType(MediaType.APPLICATION_JSON);
        if (status == HttpStatus.TOO_MANY_REQUESTS) {
            response.header("Retry-After", RETRY_AFTER_SECONDS);
        }
        return response.bodyValue(new ErrorResponse(body));
    }

}
