package io.rkllm.gateway.rpc;

/**
 * Client text quoted back in an error message, cut to a length a reader needs: a 500 KB method name must not come
 * back whole, nor fill the log.
 */
public final class Echo {

    /** The most characters of client text an error message repeats. */
    static final int MAX_LENGTH = 64;

    private Echo() {
    }

    /** The text as an error message may quote it. */
    public static String of(String clientText) {
        if (clientText.length() <= MAX_LENGTH) {
            return clientText;
        }
        int end = Character.isHighSurrogate(clientText.charAt(MAX_LENGTH - 1)) ? MAX_LENGTH - 1 : MAX_LENGTH;
        return clientText.substring(0, end) + "… (" + clientText.length() + " characters)";
    }

}
