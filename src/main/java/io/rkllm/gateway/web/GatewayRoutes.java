package io.rkllm.gateway.web;

import java.time.Duration;

import io.rkllm.gateway.rpc.JsonRpcDispatcher;
import io.rkllm.gateway.security.ConnectionLimits;
import io.rkllm.gateway.stream.StreamLinks;
import io.rkllm.gateway.stream.StreamManager;
import org.springframework.util.unit.DataSize;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import tools.jackson.databind.ObjectMapper;

/** The service's routes: {@code POST /rpc} and {@code POST /}, and {@code GET /streams/{id}}. */
public final class GatewayRoutes {

    private GatewayRoutes() {
    }

    /**
     * @param maxRequest larger request bodies get HTTP 413
     * @param heartbeat how often SSE streams send a keep-alive comment
     * @param links the stream URLs that streamed runs name in their first event
     * @param limits counts SSE responses against their own limit
     */
    public static RouterFunction<ServerResponse> of(JsonRpcDispatcher dispatcher, StreamManager manager,
            DataSize maxRequest, Duration heartbeat, ObjectMapper mapper, StreamLinks links, ConnectionLimits limits) {
        SseEvents sse = new SseEvents(mapper, heartbeat, limits);
        JsonRpcEndpoint rpc = new JsonRpcEndpoint(dispatcher, maxRequest, sse, links);
        StreamEndpoint streams = new StreamEndpoint(manager, sse);
        return RouterFunctions.route()
            .POST("/rpc", rpc::handle)
            .POST("/", rpc::handle)
            .GET("/streams/{id}", streams::handle)
            .build();
    }

}
