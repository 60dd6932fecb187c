package io.rkllm.gateway.stream;

/** Where a client reads a session's output as Server-Sent Events. */
@FunctionalInterface
public interface StreamLinks {

    /** Plain paths, for a service without API keys. */
    StreamLinks PLAIN = (sessionId, caller) -> path(sessionId);

    /** The URL, relative to the service, at which this caller reads the session. */
    String url(String sessionId, Caller caller);

    /** The path of a session's stream. */
    static String path(String sessionId) {
        return "/streams/" + sessionId;
    }

}
