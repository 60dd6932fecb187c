package io.rkllm.gateway.config;

import java.time.Clock;

import io.rkllm.gateway.chat.ChatService;
import io.rkllm.gateway.chat.ChatTemplate;
import io.rkllm.gateway.models.ModelCatalogue;
import io.rkllm.gateway.models.ResidentModels;
import io.rkllm.gateway.nativebridge.RkllmRuntime;
import io.rkllm.gateway.ollama.OllamaEndpoint;
import io.rkllm.gateway.openai.OpenAiEndpoint;
import io.rkllm.gateway.stream.StreamManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import tools.jackson.databind.ObjectMapper;

/** Builds the chat service and the routes of the OpenAI- and Ollama-compatible APIs. */
@Configuration(proxyBeanMethods = false)
public class CompatConfiguration {

    @Bean
    ChatService chatService(StreamManager manager, RkllmRuntime runtime, ModelCatalogue catalogue,
            ResidentModels residents, ChatProperties properties) {
        return new ChatService(manager, runtime, catalogue, residents, properties, ChatTemplate.configured(properties));
    }

    @Bean
    RouterFunction<ServerResponse> openAiRoutes(ChatService chats, LimitsProperties limits, StreamsProperties streams,
            ObjectMapper mapper, Clock clock) {
        return new OpenAiEndpoint(chats, limits.maxRequestBytes(), streams.heartbeat(), mapper, clock).routes();
    }

    @Bean
    RouterFunction<ServerResponse> ollamaRoutes(ChatService chats, ResidentModels residents, LimitsProperties limits,
            ObjectMapper mapper, Clock clock) {
        return new OllamaEndpoint(chats, residents, limits.maxRequestBytes(), mapper, clock).routes();
    }

}
