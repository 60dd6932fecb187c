package io.rkllm.gateway.security;

import java.time.Duration;
import java.util.List;

import io.rkllm.gateway.config.SecurityProperties;
import io.rkllm.gateway.config.SecurityProperties.ApiKey;
import io.rkllm.gateway.config.SecurityProperties.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** The start warns when nothing guards the port and others can reach it, and only then. */
@ExtendWith(OutputCaptureExtension.class)
class OpenAccessWarningTest {

    private static final SecurityProperties.StreamTokens TOKENS = new SecurityProperties.StreamTokens(
            Duration.ofMinutes(10), null);

    private static final ApiKeys NONE = new ApiKeys(new SecurityProperties(List.of(), TOKENS));

    private static final ApiKeys ONE = new ApiKeys(
            new SecurityProperties(List.of(new ApiKey("web", "k", null, Role.CLIENT)), TOKENS));

    @Test
    void noKeysOnEveryInterfaceOrALanAddressWarns(CapturedOutput output) {
        assertThat(new OpenAccessWarning(NONE, "").warnIfOpen()).isTrue();
        assertThat(output).contains("No API keys are set").contains("every interface");
        assertThat(new OpenAccessWarning(NONE, "0.0.0.0").warnIfOpen()).isTrue();
        assertThat(output).contains("listens on 0.0.0.0");
    }

    @Test
    void keysOrLoopbackOnlyStayQuiet(CapturedOutput output) {
        assertThat(new OpenAccessWarning(ONE, "").warnIfOpen()).isFalse();
        assertThat(new OpenAccessWarning(NONE, "127.0.0.1").warnIfOpen()).isFalse();
        assertThat(new OpenAccessWarning(NONE, "::1").warnIfOpen()).isFalse();
        assertThat(output).doesNotContain("No API keys are set");
    }

}
