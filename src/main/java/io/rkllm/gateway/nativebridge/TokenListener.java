package io.rkllm.gateway.nativebridge;

/**
 * Receives the output of one run. Called on the runtime's native callback thread: implementations must copy, hand
 * over and return at once, never block, never call back into the runtime.
 */
@FunctionalInterface
public interface TokenListener {

    /**
     * One generated token. {@code text} is the decoded text it completes; it is empty when the token ends inside a
     * multi-byte character, whose text then arrives with the next token. After the run the decoder's remainder (a
     * truncated character, as U+FFFD) arrives with token id -1.
     */
    void onToken(String text, int tokenId);

}
