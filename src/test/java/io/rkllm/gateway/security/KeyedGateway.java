package io.rkllm.gateway.security;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * The service on a random port with three API keys: {@code web} and {@code phone} (clients, plain keys) and
 * {@code ops} (admin, given as its SHA-256), a configured stream-token secret, two queued runs per client. Every test class that carries it shares one
 * application context.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "rkllm.security.api-keys[0].name=web", "rkllm.security.api-keys[0].key=" + KeyedGateway.WEB,
                "rkllm.security.api-keys[1].name=phone",
                "rkllm.security.api-keys[1].key=" + KeyedGateway.PHONE, "rkllm.security.api-keys[2].name=ops",
                "rkllm.security.api-keys[2].key-sha256=" + KeyedGateway.OPS_SHA256,
                "rkllm.security.api-keys[2].role=admin",
                "rkllm.security.stream-tokens.secret=" + KeyedGateway.TOKEN_SECRET,
                "rkllm.limits.max-queued-per-client=2" })
@interface KeyedGateway {

    String WEB = "web-secret-key-0001";

    String PHONE = "phone-secret-key-0002";

    String OPS = "ops-secret-key-0003";

    String OPS_SHA256 = "cc6ad95aec96d213cb721e296d7db940a8d57eed4fc3a1638972b707bf46b952";

    String TOKEN_SECRET = "a-stream-token-secret-of-32-chars-or-more";

}
