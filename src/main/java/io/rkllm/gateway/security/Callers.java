package io.rkllm.gateway.security;

import java.net.InetSocketAddress;
import java.security.Principal;

import io.rkllm.gateway.stream.Caller;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The {@link Caller} of an exchange, for every transport to hand to the stream manager and the dispatcher: the key
 * that the security chain let in, and the remote address. Without keys every caller is an admin, as the service is
 * open.
 */
public final class Callers {

    private Callers() {
    }

    /** The caller of this exchange, once the security chain has run. */
    public static Mono<Caller> of(ServerWebExchange exchange) {
        String address = address(exchange);
        return exchange.getPrincipal()
            .map((principal) -> of(principal, exchange))
            .defaultIfEmpty(new Caller(null, false, address, isLocal(exchange)));
    }

    private static Caller of(Principal principal, ServerWebExchange exchange) {
        String address = address(exchange);
        boolean local = isLocal(exchange);
        if (!(principal instanceof Authentication authentication)) {
            return new Caller(null, false, address, local);
        }
        boolean admin = authentication.getAuthorities()
            .stream()
            .map(GrantedAuthority::getAuthority)
            .anyMatch(KeyAuthentication.ADMIN::equals);
        String keyName = (authentication instanceof KeyAuthentication key) ? key.getName() : null;
        return new Caller(keyName, admin, address, local);
    }

    private static boolean isLocal(ServerWebExchange exchange) {
        InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
        return remote != null && remote.getAddress() != null && remote.getAddress().isLoopbackAddress();
    }

    private static String address(ServerWebExchange exchange) {
        InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
        if (remote == null) {
            return "unknown";
        }
        return (remote.getAddress() != null) ? remote.getAddress().getHostAddress() : remote.getHostString();
    }

}
