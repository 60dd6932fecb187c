package io.rkllm.gateway.security;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;
import org.springframework.http.HttpMethod;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsWebFilter;
import org.springframework.web.cors.reactive.UrlBasedCorsConfigurationSource;
import org.springframework.web.server.WebFilter;

/**
 * The one CORS policy of the service: pages on the allowed origins may call every route (JSON-RPC, SSE, WebSocket,
 * MCP, the OpenAI and Ollama APIs, Actuator) with the headers those APIs read, and read the headers they answer
 * with; a request from any other origin is refused (403, no {@code Access-Control-Allow-*} header).
 * <p>
 * It is a {@link WebFilter} in front of every handler, rather than a mapping per route, so that routes added later
 * are covered without a word, and so that a preflight, which carries no credentials, is answered before any
 * authentication runs.
 */
public final class CorsPolicy {

    /**
     * Where the filter runs: before everything else, so that a preflight is answered before API keys are asked for
     * and a refused origin gets nothing; filters that must see every request first take a smaller order.
     */
    public static final int FILTER_ORDER = Ordered.HIGHEST_PRECEDENCE + 100;

    /**
     * Request headers a page may send: JSON bodies, API keys (both spellings), the resume point of a stream, the MCP
     * session and protocol version.
     */
    static final List<String> ALLOWED_HEADERS = List.of("Content-Type", "Authorization", "x-api-key",
            "Last-Event-ID", "Mcp-Session-Id", "Mcp-Protocol-Version");

    /**
     * Response headers a page may read: the MCP session, the sampling fields a run ignored, when to retry after a
     * full queue, and which credentials a 401 asks for.
     */
    static final List<String> EXPOSED_HEADERS = List.of("Mcp-Session-Id", "x-rkllm-ignored", "Retry-After",
            "WWW-Authenticate");

    private static final List<String> ALLOWED_METHODS = List.of(HttpMethod.GET.name(), HttpMethod.HEAD.name(),
            HttpMethod.POST.name(), HttpMethod.DELETE.name());

    private final CorsConfiguration configuration;

    /**
     * @param allowedOriginPatterns origins allowed in, as patterns ({@code http://localhost:*}); empty: none
     * @param maxAge how long a browser may keep a preflight's answer
     */
    public CorsPolicy(List<String> allowedOriginPatterns, Duration maxAge) {
        CorsConfiguration cors = new CorsConfiguration();
        cors.setAllowedOriginPatterns(allowedOriginPatterns);
        cors.setAllowedMethods(ALLOWED_METHODS);
        cors.setAllowedHeaders(ALLOWED_HEADERS);
        cors.setExposedHeaders(EXPOSED_HEADERS);
        // Keys travel in headers, never in cookies: a page has no reason to send the browser's credentials.
        cors.setAllowCredentials(false);
        cors.setMaxAge(maxAge);
        this.configuration = cors;
    }

    /** Whether a request with this {@code Origin} header may proceed (also for checks beyond CORS, e.g. MCP's). */
    public boolean allowsOrigin(@Nullable String origin) {
        return origin != null && this.configuration.checkOrigin(origin) != null;
    }

    /** The filter that answers preflights, adds the CORS headers for allowed origins and refuses the others. */
    public WebFilter webFilter() {
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        source.registerCorsConfiguration("/**", this.configuration);
        return new OrderedCorsWebFilter(source);
    }

    /** Spring's CORS filter at {@link #FILTER_ORDER}. */
    private static final class OrderedCorsWebFilter extends CorsWebFilter implements Ordered {

        OrderedCorsWebFilter(UrlBasedCorsConfigurationSource source) {
            super(source);
        }

        @Override
        public int getOrder() {
            return FILTER_ORDER;
        }

    }

}
