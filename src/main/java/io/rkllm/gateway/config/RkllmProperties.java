package io.rkllm.gateway.config;

import java.nio.file.Path;
import java.util.Set;

import io.rkllm.gateway.nativebridge.ModelParams;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code rkllm.*} settings of the runtime: which library, which ABI, which model.
 *
 * @param libraryPath the {@code librkllmrt.so} to load: Rockchip's on a board, the simulator elsewhere
 * @param abi {@code auto} (read the version the library carries), {@code 1.2} (1.2.1–1.2.3) or {@code 1.3}
 * @param model the {@code RKLLMParam} fields; unset ones take the library's defaults
 * @param modelDir the directory that client-given model and LoRA paths must lie in
 * @param cacheDir the directory that client-given prompt-cache paths must lie in
 * @param testMethods whether {@code test_streaming_callback} is served
 * @param adminMethods whether {@code rkllm_init} and {@code rkllm_destroy} are served
 */
@ConfigurationProperties("rkllm")
public record RkllmProperties(@DefaultValue("/usr/lib/librkllmrt.so") String libraryPath,
        @DefaultValue("auto") String abi, @DefaultValue ModelParams model, @DefaultValue("models") Path modelDir,
        @DefaultValue("cache") Path cacheDir, @DefaultValue Toggle testMethods, @DefaultValue Toggle adminMethods) {

    private static final Set<String> ABIS = Set.of("auto", "1.2", "1.3");

    public RkllmProperties {
        if (!ABIS.contains(abi)) {
            throw new IllegalArgumentException("rkllm.abi must be auto, 1.2 or 1.3, got '" + abi + "'");
        }
    }

    /** A switch for a group of methods. */
    public record Toggle(@DefaultValue("false") boolean enabled) {
    }

}
