package io.rkllm.gateway.config;

import io.rkllm.gateway.rpc.JsonRpcDispatcher;
import io.rkllm.gateway.rpc.SubscriptionMethods;
import io.rkllm.gateway.security.ApiErrors;
import io.rkllm.gateway.security.ApiKeys;
import io.rkllm.gateway.security.ConnectionLimits;
import io.rkllm.gateway.security.SocketLogin;
import io.rkllm.gateway.stream.StreamManager;
import io.rkllm.gateway.web.GatewaySocket;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.socket.server.WebSocketService;
import tools.jackson.databind.ObjectMapper;

/** The WebSocket endpoint {@code /ws} and the methods only it serves: {@code subscribe}, {@code unsubscribe}. */
@Configuration(proxyBeanMethods = false)
public class WebSocketConfiguration {

    @Bean
    SubscriptionMethods subscriptionMethods(StreamManager manager) {
        return new SubscriptionMethods(manager);
    }

    @Bean
    HandlerMapping webSocketMapping(JsonRpcDispatcher dispatcher, ObjectMapper mapper, WsProperties ws,
            StreamsProperties streams, ApiKeys keys) {
        return GatewaySocket.mapping(dispatcher, mapper, ws.maxPendingFrames(), streams.heartbeat(),
                new SocketLogin(keys), ws.authTimeout());
    }

    /** The upgrade with the frame size limit, for the WebSocket handler adapter that WebFlux's configuration builds. */
    @Bean
    WebFluxConfigurer webSocketService(LimitsProperties limits, ConnectionLimits connections, ApiErrors errors) {
        return new WebFluxConfigurer() {
            @Override
            public WebSocketService getWebSocketService() {
                return GatewaySocket.service(limits.maxRequestBytes(), connections, errors);
            }
        };
    }

}
