import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;

/**
 * The floor of measurements 5 and 6, a server of its own: Spring Boot on the service's runtime classpath (WebFlux on
 * Reactor Netty, Actuator, Micrometer) without any of the service's beans or configuration, and one SSE route,
 * {@code GET /idle}, that sends a status event and then nothing, as a subscriber of a queued session waits.
 * {@code run.sh} measures 5 against it as against the service ({@code Service ... idle-floor}), and starts it for 6 as
 * the image starts the service (its own jar beside the service's, its own AOT cache). What the service shows above
 * it is what the service adds; the floor is what the shape the service is built in costs.
 *
 * <p>{@code GET /subscribers} answers how many {@code /idle} responses are still open, in the field that
 * {@code /actuator/streams} uses, so that the next repetition starts once the server has seen the last one go.
 *
 * <p>Spring Security is on the classpath (the service's API keys) but not in the floor, which stays bare WebFlux:
 * its auto-configuration would put every route behind a generated password.
 *
 * <p>Usage: {@code IdleFloor --server.port=0 ...} (Spring Boot arguments).
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration(excludeName = { IdleFloor.SECURITY + "ReactiveUserDetailsServiceAutoConfiguration",
        IdleFloor.SECURITY + "web.reactive.ReactiveWebSecurityAutoConfiguration",
        IdleFloor.SECURITY + "actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration" })
public class IdleFloor {

    static final String SECURITY = "org.springframework.boot.security.autoconfigure.";

    private static final byte[] STATUS = "event: status\ndata: {\"state\":\"queued\"}\n\n"
        .getBytes(StandardCharsets.US_ASCII);

    private final AtomicInteger subscribers = new AtomicInteger();

    public static void main(String[] args) {
        SpringApplication.run(IdleFloor.class, args);
    }

    @Bean
    RouterFunction<ServerResponse> idleRoutes() {
        return RouterFunctions.route()
            .GET("/idle", (request) -> ServerResponse.ok().contentType(MediaType.TEXT_EVENT_STREAM)
                .body(BodyInserters.fromDataBuffers(waiting())))
            .GET("/subscribers",
                    (request) -> ServerResponse.ok().bodyValue("{\"subscribers\":" + this.subscribers.get() + "}"))
            .build();
    }

    /** The status event as bytes, then nothing: the leanest body WebFlux writes (no SSE encoder, one flush). */
    private Flux<DataBuffer> waiting() {
        return Flux.<DataBuffer>just(DefaultDataBufferFactory.sharedInstance.wrap(STATUS))
            .concatWith(Flux.never())
            .doOnSubscribe((subscription) -> this.subscribers.incrementAndGet())
            .doFinally((signal) -> this.subscribers.decrementAndGet());
    }

}
