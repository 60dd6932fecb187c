package io.rkllm.gateway.security;

import java.time.Duration;

import io.rkllm.gateway.rpc.ErrorCode;
import io.rkllm.gateway.rpc.GatewayException;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.ObjectMapper;

/** Writes a refusal straight to the response, in the {@link ErrorShape} of the API the request was for. */
public final class ApiErrors {

    private final ObjectMapper mapper;

    public ApiErrors(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * Answers the exchange with an error.
     *
     * @param retryAfter sent as {@code Retry-After} (whole seconds, rounded up), or null
     */
    public Mono<Void> write(ServerWebExchange exchange, HttpStatus status, ErrorCode code, String message,
            @Nullable Duration retryAfter) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.empty();
        }
        ErrorShape shape = ErrorShape.forPath(exchange.getRequest().getPath().pathWithinApplication().value());
        byte[] body = this.mapper.writeValueAsBytes(shape.body(status, code, message));
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        if (retryAfter != null) {
            response.getHeaders()
                .set(HttpHeaders.RETRY_AFTER, Long.toString(GatewayException.retryAfterSeconds(retryAfter)));
        }
        DataBuffer buffer = response.bufferFactory().wrap(body);
        return response.writeWith(Mono.just(buffer));
    }

}
