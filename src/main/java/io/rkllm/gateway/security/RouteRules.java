package io.rkllm.gateway.security;

import org.springframework.boot.security.autoconfigure.actuate.web.reactive.EndpointRequest;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.security.config.web.server.ServerHttpSecurity.AuthorizeExchangeSpec;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher.MatchResult;
import org.springframework.web.cors.reactive.CorsUtils;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Who may use which route when API keys are set (§10), by path pattern so that the APIs added later fall under
 * their rule. Open: CORS preflights, the health probes, and {@code GET} of anything outside the API prefixes (the
 * page and its static files). Admin key: every other Actuator endpoint ({@code streams}, {@code prometheus}, ...).
 * Any key: the APIs; a stream token also opens its own session's stream; a WebSocket handshake may come without one
 * and present it in its first message.
 */
public final class RouteRules {

    /** What a caller is when no keys are set: anyone may do anything. */
    public static final String[] OPEN_AUTHORITIES = { KeyAuthentication.CLIENT, KeyAuthentication.ADMIN };

    /** The API routes; a {@code GET} anywhere else serves the page or nothing. */
    static final String[] API_PATHS = { "/rpc", "/rpc/**", "/ws", "/ws/**", "/streams/**", "/v1/**", "/api/**",
            "/mcp", "/mcp/**" };

    private RouteRules() {
    }

    /**
     * A WebSocket handshake of {@code /ws}, which may come without a key: the socket then takes the key in its first
     * message ({@link SocketLogin}). A key the handshake does carry is checked before this rule is reached.
     */
    private static Mono<MatchResult> keylessWebSocketHandshake(ServerWebExchange exchange) {
        ServerHttpRequest request = exchange.getRequest();
        boolean handshake = HttpMethod.GET.equals(request.getMethod())
                && "/ws".equals(request.getPath().pathWithinApplication().value())
                && "websocket".equalsIgnoreCase(request.getHeaders().getUpgrade());
        return handshake ? MatchResult.match() : MatchResult.notMatch();
    }

    /** The rules, in the order they are tried. */
    public static void apply(AuthorizeExchangeSpec exchanges) {
        exchanges.matchers((exchange) -> CorsUtils.isPreFlightRequest(exchange.getRequest()) ? MatchResult.match()
                : MatchResult.notMatch())
            .permitAll()
            .matchers(EndpointRequest.to("health"))
            .permitAll()
            .matchers(EndpointRequest.toAnyEndpoint())
            .hasAuthority(KeyAuthentication.ADMIN)
            .pathMatchers("/streams/**")
            .hasAnyAuthority(KeyAuthentication.CLIENT, KeyAuthentication.STREAM_READER)
            .matchers(RouteRules::keylessWebSocketHandshake)
            .permitAll()
            .pathMatchers(API_PATHS)
            .hasAuthority(KeyAuthentication.CLIENT)
            .pathMatchers(HttpMethod.GET, "/**")
            .permitAll()
            .pathMatchers(HttpMethod.HEAD, "/**")
            .permitAll()
            .anyExchange()
            .hasAuthority(KeyAuthentication.CLIENT);
    }

}
