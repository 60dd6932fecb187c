package io.rkllm.gateway.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.rkllm.gateway.config.ClusterProperties;
import io.rkllm.gateway.config.CorsProperties;
import io.rkllm.gateway.config.LimitsProperties;
import io.rkllm.gateway.config.QueueProperties;
import io.rkllm.gateway.config.RkllmProperties;
import io.rkllm.gateway.config.SecurityProperties;
import io.rkllm.gateway.config.StreamsProperties;
import org.springframework.boot.context.properties.bind.AbstractBindHandler;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;

/**
 * An application.yml as the gateway would read it: bound with Spring Boot's own loader and binder into the
 * application's {@code @ConfigurationProperties} records, recording which keys something bound.
 */
final class ConfigBinding {

    private final List<PropertySource<?>> sources;

    private final Binder binder;

    private final Set<ConfigurationPropertyName> bound = new HashSet<>();

    private final BindHandler recorder = new AbstractBindHandler() {

        @Override
        public Object onSuccess(ConfigurationPropertyName name, Bindable<?> target, BindContext context,
                Object result) {
            ConfigBinding.this.bound.add(name);
            return super.onSuccess(name, target, context, result);
        }

    };

    private ConfigBinding(List<PropertySource<?>> sources) {
        this.sources = sources;
        this.binder = new Binder(ConfigurationPropertySources.from(sources));
    }

    static ConfigBinding of(String yaml) {
        try {
            return new ConfigBinding(new YamlPropertySourceLoader().load("application.yml",
                    new ByteArrayResource(yaml.getBytes(StandardCharsets.UTF_8))));
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    RkllmProperties rkllm() {
        return bind("rkllm", RkllmProperties.class);
    }

    StreamsProperties streams() {
        return bind("rkllm.streams", StreamsProperties.class);
    }

    QueueProperties queue() {
        return bind("rkllm.queue", QueueProperties.class);
    }

    LimitsProperties limits() {
        return bind("rkllm.limits", LimitsProperties.class);
    }

    CorsProperties cors() {
        return bind("rkllm.security.cors", CorsProperties.class);
    }

    SecurityProperties security() {
        return bind("rkllm.security", SecurityProperties.class);
    }

    ClusterProperties cluster() {
        return bind("rkllm.cluster", ClusterProperties.class);
    }

    int serverPort() {
        return this.binder.bind("server.port", Integer.class).orElse(8080);
    }

    Duration shutdownPhaseTimeout() {
        return shutdownPhaseTimeoutIfSet()
            .orElseThrow(() -> new AssertionError("no spring.lifecycle.timeout-per-shutdown-phase"));
    }

    Optional<Duration> shutdownPhaseTimeoutIfSet() {
        return Optional.ofNullable(
                this.binder.bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class).orElse(null));
    }

    private <T> T bind(String prefix, Class<T> type) {
        return this.binder.bindOrCreate(prefix, Bindable.of(type), this.recorder);
    }

    /** Keys under this prefix that no properties record took, after binding them all (typos, removed settings). */
    List<String> unboundKeys(String prefix) {
        rkllm();
        streams();
        queue();
        limits();
        cors();
        security();
        cluster();
        List<String> unbound = new ArrayList<>();
        ConfigurationPropertyName root = ConfigurationPropertyName.of(prefix);
        for (PropertySource<?> source : this.sources) {
            for (String key : ((EnumerablePropertySource<?>) source).getPropertyNames()) {
                ConfigurationPropertyName name = ConfigurationPropertyName.adapt(key, '.');
                while (name.isLastElementIndexed()) {
                    name = name.getParent();
                }
                if (root.isAncestorOf(name) && !this.bound.contains(name)) {
                    unbound.add(key);
                }
            }
        }
        return unbound;
    }

}
