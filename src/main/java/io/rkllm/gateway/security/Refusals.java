package io.rkllm.gateway.security;

import io.rkllm.gateway.rpc.ErrorCode;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.CredentialsExpiredException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authorization.ServerAccessDeniedHandler;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The security chain's answers: 401 for a missing, wrong or expired credential and 403 for a key that may not do
 * what it asked, in the shape of the API the request was for. The messages say what to send, never what was sent.
 */
public final class Refusals implements ServerAuthenticationEntryPoint, ServerAccessDeniedHandler {

    static final String KEY_REQUIRED = "an API key is required: send Authorization: Bearer <key> or x-api-key: <key>";

    private final ApiErrors errors;

    public Refusals(ApiErrors errors) {
        this.errors = errors;
    }

    @Override
    public Mono<Void> commence(ServerWebExchange exchange, AuthenticationException ex) {
        String message;
        if (ex instanceof CredentialsExpiredException) {
            message = "the stream token has expired: ask for the session's stream_url again";
        }
        else if (ex instanceof BadCredentialsException) {
            message = ex.getMessage();
        }
        else {
            message = KEY_REQUIRED;
        }
        exchange.getResponse().getHeaders().set("WWW-Authenticate", "Bearer");
        return this.errors.write(exchange, HttpStatus.UNAUTHORIZED, ErrorCode.UNAUTHORIZED, message, null);
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, AccessDeniedException denied) {
        return this.errors.write(exchange, HttpStatus.FORBIDDEN, ErrorCode.FORBIDDEN, "this takes an admin key",
                null);
    }

}
