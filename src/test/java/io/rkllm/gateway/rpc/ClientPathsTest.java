package io.rkllm.gateway.rpc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** {@link ClientPaths}: what a client path may name, links followed as the runtime's own open() would follow them. */
class ClientPathsTest {

    @TempDir
    private Path temp;

    private Path models;

    private Path cache;

    private Path outside;

    private ClientPaths paths;

    @BeforeEach
    void folders() throws IOException {
        this.models = Files.createDirectory(this.temp.resolve("models"));
        this.cache = Files.createDirectory(this.temp.resolve("cache"));
        this.outside = Files.createDirectory(this.temp.resolve("outside"));
        this.paths = new ClientPaths(this.models, this.cache);
    }

    @Test
    void fileInsideIsResolvedAgainstItsFolder() throws IOException {
        Files.writeString(this.models.resolve("tiny.rkllm"), "model");
        assertThat(this.paths.model("model_path", "tiny.rkllm")).isEqualTo(this.models.resolve("tiny.rkllm").toString());
        assertThat(this.paths.cache("prompt_cache.path", "sub/../new.bin"))
            .isEqualTo(this.cache.resolve("new.bin").toString());
    }

    @Test
    void absolutePathInsideIsAccepted() {
        String inside = this.cache.resolve("a.bin").toString();
        assertThat(this.paths.cache("prompt_cache.path", inside)).isEqualTo(inside);
    }

    @Test
    void dotDotOutIsRefused() {
        assertNotAllowed("prompt_cache.path", "rkllm.cache-dir",
                () -> this.paths.cache("prompt_cache.path", "../outside/x.bin"));
        assertNotAllowed("model_path", "rkllm.model-dir", () -> this.paths.model("model_path", "a/../../x"));
    }

    @Test
    void absolutePathOutsideIsRefused() {
        assertNotAllowed("prompt_cache_path", "rkllm.cache-dir",
                () -> this.paths.cache("prompt_cache_path", this.outside.resolve("x.bin").toString()));
        assertNotAllowed("model_path", "rkllm.model-dir", () -> this.paths.model("model_path", "/etc/passwd"));
    }

    @Test
    void theFolderItselfIsRefused() {
        assertNotAllowed("prompt_cache.path", "rkllm.cache-dir", () -> this.paths.cache("prompt_cache.path", "."));
        assertNotAllowed("prompt_cache.path", "rkllm.cache-dir",
                () -> this.paths.cache("prompt_cache.path", this.cache.toString()));
    }

    @Test
    void newFileUnderParentLinkedOutIsRefused() throws IOException {
        Files.createSymbolicLink(this.cache.resolve("d"), this.outside);
        assertNotAllowed("prompt_cache.path", "rkllm.cache-dir", () -> this.paths.cache("prompt_cache.path", "d/x.bin"));
        assertNotAllowed("prompt_cache.path", "rkllm.cache-dir",
                () -> this.paths.cache("prompt_cache.path", "d/new/deeper/x.bin"));
    }

    @Test
    void existingFileLinkedOutIsRefused() throws IOException {
        Path secret = Files.writeString(this.outside.resolve("secret.rkllm"), "x");
        Files.createSymbolicLink(this.models.resolve("lora.bin"), secret);
        assertNotAllowed("lora_adapter_path", "rkllm.model-dir",
                () -> this.paths.model("lora_adapter_path", "lora.bin"));
    }

    @Test
    void danglingLinkIsRefusedWhereverItIs() throws IOException {
        Files.createSymbolicLink(this.cache.resolve("gone"), this.outside.resolve("not-yet"));
        Files.createSymbolicLink(this.cache.resolve("gone.bin"), this.cache.resolve("missing.bin"));
        assertNotAllowed("prompt_cache.path", "rkllm.cache-dir",
                () -> this.paths.cache("prompt_cache.path", "gone/x.bin"));
        // The runtime would create the link's target: refused even when that target would be inside.
        assertNotAllowed("prompt_cache.path", "rkllm.cache-dir",
                () -> this.paths.cache("prompt_cache.path", "gone.bin"));
        Files.createSymbolicLink(this.models.resolve("dangling"), this.models.resolve("nowhere"));
        assertNotAllowed("model_path", "rkllm.model-dir", () -> this.paths.model("model_path", "dangling/m.rkllm"));
    }

    @Test
    void linkThatStaysInsideIsAccepted() throws IOException {
        Path v2 = Files.createDirectory(this.cache.resolve("v2"));
        Files.createSymbolicLink(this.cache.resolve("current"), v2);
        Files.writeString(v2.resolve("old.bin"), "cache");
        Files.createSymbolicLink(this.cache.resolve("latest.bin"), v2.resolve("old.bin"));
        assertThat(this.paths.cache("prompt_cache.path", "current/x.bin"))
            .isEqualTo(this.cache.resolve("current/x.bin").toString());
        assertThat(this.paths.cache("prompt_cache.path", "latest.bin"))
            .isEqualTo(this.cache.resolve("latest.bin").toString());
    }

    @Test
    void folderReachedThroughALinkStillConfines() throws IOException {
        Path linkedCache = Files.createSymbolicLink(this.temp.resolve("cache-link"), this.cache);
        ClientPaths viaLink = new ClientPaths(this.models, linkedCache);
        Files.createSymbolicLink(this.cache.resolve("d"), this.outside);
        assertThat(viaLink.cache("prompt_cache.path", "x.bin")).isEqualTo(linkedCache.resolve("x.bin").toString());
        assertNotAllowed("prompt_cache.path", "rkllm.cache-dir", () -> viaLink.cache("prompt_cache.path", "d/x.bin"));
    }

    @Test
    void folderNotCreatedYetAcceptsPlainPathsInside() {
        ClientPaths notYet = new ClientPaths(this.models, this.temp.resolve("later/cache"));
        assertThat(notYet.cache("prompt_cache.path", "x.bin"))
            .isEqualTo(this.temp.resolve("later/cache/x.bin").toString());
        assertNotAllowed("prompt_cache.path", "rkllm.cache-dir", () -> notYet.cache("prompt_cache.path", "../x.bin"));
    }

    @Test
    void blankOrNoPathIsInvalidParams() {
        assertThatExceptionOfType(GatewayException.class).isThrownBy(() -> this.paths.cache("prompt_cache.path", " "))
            .satisfies((ex) -> assertThat(ex.errorCode()).isEqualTo(ErrorCode.INVALID_PARAMS))
            .withMessage("prompt_cache.path: is not a valid path");
        assertThatExceptionOfType(GatewayException.class)
            .isThrownBy(() -> this.paths.model("model_path", "a\u0000b"))
            .satisfies((ex) -> assertThat(ex.errorCode()).isEqualTo(ErrorCode.INVALID_PARAMS))
            .withMessageStartingWith("model_path: ");
    }

    /** Refused with -32007, naming the field and the setting, and never showing where the folders are. */
    private void assertNotAllowed(String field, String key, ThrowingCallable call) {
        assertThatExceptionOfType(GatewayException.class).isThrownBy(call)
            .satisfies((ex) -> assertThat(ex.errorCode()).isEqualTo(ErrorCode.PATH_NOT_ALLOWED))
            .withMessage(field + ": path not allowed; it must be inside " + key)
            .satisfies((ex) -> assertThat(ex.getMessage()).doesNotContain(this.temp.toString()));
    }

}
