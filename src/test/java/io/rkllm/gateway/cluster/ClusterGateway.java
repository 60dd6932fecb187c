package io.rkllm.gateway.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.rkllm.gateway.RkllmGatewayApplication;
import io.rkllm.gateway.web.GatewayRpc;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * One gateway of a test cluster: the whole service in an application context of its own, on a free port, with its
 * own simulator handle on a model directory that holds one model, in the cluster mode on a given Redis.
 */
public final class ClusterGateway implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    private ClusterGateway(ConfigurableApplicationContext context) {
        this.context = context;
    }

    /**
     * A gateway whose only (and default) model is {@code model}, a simulator model whose text is {@code corpus}.
     *
     * @param properties more {@code key=value} settings
     */
    public static ClusterGateway start(RedisServer redis, Path dir, String model, String corpus,
            String... properties) {
        Path file = dir.resolve(model + ".rkllm");
        try {
            Files.writeString(file, "RKLLM-SIM-MODEL 1\n---\n" + (corpus + " ").repeat(40), StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        List<String> settings = new ArrayList<>(List.of("server.port=0", "spring.main.banner-mode=off",
                "rkllm.cluster.mode=redis", "rkllm.cluster.redis-url=" + redis.url(), "rkllm.model-dir=" + dir,
                "rkllm.model.model-path=" + file));
        settings.addAll(List.of(properties));
        // As arguments: they take precedence over the application.yml in the working directory.
        return new ClusterGateway(builder().run(settings.stream().map((setting) -> "--" + setting)
            .toArray(String[]::new)));
    }

    /**
     * A gateway whose settings come from {@code environment} (as a container's variables do) and {@code args}; the
     * arguments take precedence.
     */
    public static ClusterGateway launch(ConfigurableEnvironment environment, String... args) {
        return new ClusterGateway(builder().environment(environment).run(args));
    }

    private static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(RkllmGatewayApplication.class, OwnEventLoops.class);
    }

    public int port() {
        return ((WebServerApplicationContext) this.context).getWebServer().getPort();
    }

    public GatewayRpc rpc() {
        return new GatewayRpc(port());
    }

    public <T> T bean(Class<T> type) {
        return this.context.getBean(type);
    }

    /** This gateway's board id in the cluster. */
    public String boardId() {
        return bean(BoardWorker.class).boardId();
    }

    @Override
    public void close() {
        this.context.close();
    }

    /**
     * Event loops of this gateway's own: with reactor-netty's global ones (Spring Boot's default), closing one gateway
     * of the JVM would dispose of the loops the others serve on.
     */
    @Configuration(proxyBeanMethods = false)
    static class OwnEventLoops {

        @Bean
        ReactorResourceFactory reactorResourceFactory() {
            ReactorResourceFactory factory = new ReactorResourceFactory();
            factory.setUseGlobalResources(false);
            return factory;
        }

    }

}
