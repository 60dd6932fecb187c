package io.rkllm.gateway.security;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.PathContainer;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.server.authentication.ServerAuthenticationConverter;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import reactor.core.publisher.Mono;

/**
 * Reads what a request presents: an API key from {@code Authorization: Bearer <key>}, {@code x-api-key: <key>} or,
 * for a browser's WebSocket that cannot set headers, a {@code bearer.<key>} entry of {@code Sec-WebSocket-Protocol};
 * on {@code GET /streams/{id}} also the {@code access_token} query parameter of a stream URL. Nothing presented:
 * empty, and the route's rule decides.
 */
public final class CredentialsConverter implements ServerAuthenticationConverter {

    static final String API_KEY_HEADER = "x-api-key";

    /** The handshake header in which a browser's WebSocket offers its subprotocols. */
    public static final String SEC_WEBSOCKET_PROTOCOL = "Sec-WebSocket-Protocol";

    static final String ACCESS_TOKEN = "access_token";

    private static final String BEARER = "Bearer ";

    /**
     * What a WebSocket handshake's {@code Sec-WebSocket-Protocol} entry holding a key begins with; the service never
     * answers with that entry, so the client offers the endpoint's own subprotocol with it.
     */
    public static final String KEY_SUBPROTOCOL_PREFIX = "bearer.";

    private static final PathPattern STREAM = PathPatternParser.defaultInstance.parse("/streams/{id}");

    @Override
    public Mono<Authentication> convert(ServerWebExchange exchange) {
        HttpHeaders headers = exchange.getRequest().getHeaders();
        String key = apiKey(headers);
        if (key != null) {
            return Mono.just(PresentedCredentials.apiKey(key));
        }
        String token = exchange.getRequest().getQueryParams().getFirst(ACCESS_TOKEN);
        if (token != null) {
            PathContainer path = exchange.getRequest().getPath().pathWithinApplication();
            PathPattern.PathMatchInfo match = STREAM.matchAndExtract(path);
            if (match != null) {
                Map<String, String> variables = match.getUriVariables();
                return Mono.just(PresentedCredentials.streamToken(token, variables.get("id")));
            }
        }
        return Mono.empty();
    }

    private static @Nullable String apiKey(HttpHeaders headers) {
        String authorization = headers.getFirst(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return authorization.substring(BEARER.length()).trim();
        }
        String header = headers.getFirst(API_KEY_HEADER);
        if (header != null) {
            return header.trim();
        }
        List<String> protocols = headers.get(SEC_WEBSOCKET_PROTOCOL);
        if (protocols != null) {
            for (String value : protocols) {
                for (String protocol : value.split(",")) {
                    String trimmed = protocol.trim();
                    if (trimmed.startsWith(KEY_SUBPROTOCOL_PREFIX)) {
                        return trimmed.substring(KEY_SUBPROTOCOL_PREFIX.length());
                    }
                }
            }
        }
        return null;
    }

}
