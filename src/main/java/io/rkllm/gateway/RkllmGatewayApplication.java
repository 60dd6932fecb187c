package io.rkllm.gateway;

import io.rkllm.gateway.config.NativeBridgeConfiguration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.boot.data.redis.autoconfigure.DataRedisRepositoriesAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.health.DataRedisHealthContributorAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.health.DataRedisReactiveHealthContributorAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.observation.LettuceObservationAutoConfiguration;
import org.springframework.boot.webflux.autoconfigure.ReactiveMultipartAutoConfiguration;
import org.springframework.boot.webflux.autoconfigure.WebSessionIdResolverAutoConfiguration;

/**
 * Puts the RKLLM runtime of a Rockchip NPU behind JSON-RPC 2.0 and Server-Sent Events.
 * <p>
 * Every configuration class and every {@code @ConfigurationProperties} record lives in the {@code config} package, so
 * only that package is scanned: a scan reads each class file under its base package, and the rest of the service
 * (about 150 classes) holds no component. That holds for the scans of Spring Boot's auto-configurations too: they
 * scan the auto-configuration package, which {@code @AutoConfigurationPackage} names here instead of this class's
 * package (the one such scan in this service looks for Jackson {@code @JsonMixin} classes; there are none).
 * <p>
 * Auto-configurations for what the service does not use are left out, so that start-up neither evaluates them nor
 * builds their beans: AOP (no aspects, no proxied beans), the task executor and scheduler builders (the
 * {@code rkllm-stream} executor of {@code StreamConfiguration} runs the {@code @Scheduled} evictor and is the
 * {@code Executor} bean, so Spring Boot's own executor and scheduler are never built), multipart form reading
 * (every request body is JSON) and WebFlux web sessions (nothing keeps per-client state in a session). Spring Boot's
 * Redis connection factory and reactive template are built in the cluster mode only ({@code RedisOnlyInClusterMode});
 * Redis's health is reported in the {@code rkllm} component (with the reason a run would be refused) rather than
 * Spring Boot's, and per-command observations and repositories are left out.
 */
@SpringBootApplication(scanBasePackageClasses = NativeBridgeConfiguration.class,
        exclude = { AopAutoConfiguration.class, TaskExecutionAutoConfiguration.class,
                TaskSchedulingAutoConfiguration.class, ReactiveMultipartAutoConfiguration.class,
                WebSessionIdResolverAutoConfiguration.class, DataRedisRepositoriesAutoConfiguration.class,
                DataRedisHealthContributorAutoConfiguration.class,
                DataRedisReactiveHealthContributorAutoConfiguration.class,
                LettuceObservationAutoConfiguration.class })
@ConfigurationPropertiesScan(basePackageClasses = NativeBridgeConfiguration.class)
@AutoConfigurationPackage(basePackageClasses = NativeBridgeConfiguration.class)
public class RkllmGatewayApplication {

    /** Netty's switch for the JFR events it emits per buffer allocated and freed. */
    static final String NETTY_JFR_EVENTS = "io.netty.jfr.enabled";

    public static void main(String[] args) {
        // Netty 4.2 has JFR events for its buffers. The first of those classes to load makes the JDK read the JFR
        // metadata and generate the event handlers (about 200 ms), on the event loop serving the first request. Off
        // unless asked for with -Dio.netty.jfr.enabled=true (e.g. to record a buffer leak).
        if (System.getProperty(NETTY_JFR_EVENTS) == null) {
            System.setProperty(NETTY_JFR_EVENTS, "false");
        }
        SpringApplication.run(RkllmGatewayApplication.class, args);
    }

}
