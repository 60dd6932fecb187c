package io.rkllm.gateway.security;

import java.util.Set;

import io.rkllm.gateway.rpc.Echo;
import io.rkllm.gateway.rpc.ErrorCode;
import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Refuses with 415 a request body that is not JSON ({@code application/json} or {@code application/*+json}) on every
 * route: every API of the service takes JSON. A page on another site can send {@code text/plain}, form and
 * multipart bodies, or none at all, without asking the browser's CORS preflight first; JSON it cannot, so this leaves
 * cross-site calls to CORS. Runs after the security chain, so that a caller without a key learns nothing here.
 */
public final class JsonOnlyPosts implements WebFilter, Ordered {

    private static final Set<HttpMethod> WITH_BODY = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH);

    private final ApiErrors errors;

    public JsonOnlyPosts(ApiErrors errors) {
        this.errors = errors;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!WITH_BODY.contains(exchange.getRequest().getMethod()) || isJson(contentType(exchange))) {
            return chain.filter(exchange);
        }
        String sent = exchange.getRequest().getHeaders().getFirst("Content-Type");
        return this.errors.write(exchange, HttpStatus.UNSUPPORTED_MEDIA_TYPE, ErrorCode.INVALID_REQUEST,
                "the body must be JSON, sent with Content-Type: application/json"
                        + ((sent != null) ? " (not " + Echo.of(sent) + ")" : ""),
                null);
    }

    /** After the security chain, before any handler. */
    @Override
    public int getOrder() {
        return 0;
    }

    private static @Nullable MediaType contentType(ServerWebExchange exchange) {
        try {
            return exchange.getRequest().getHeaders().getContentType();
        }
        catch (InvalidMediaTypeException ex) {
            return null;
        }
    }

    private static boolean isJson(@Nullable MediaType type) {
        return type != null && "application".equals(type.getType())
                && ("json".equals(type.getSubtype()) || type.getSubtype().endsWith("+json"));
    }

}
