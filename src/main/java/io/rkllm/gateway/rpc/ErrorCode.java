package io.rkllm.gateway.rpc;

/** The error codes of the service's contract (JSON-RPC 2.0 standard codes and the server range). */
public enum ErrorCode {

    /** The body is not JSON. */
    PARSE_ERROR(-32700),

    /** The JSON is not a valid JSON-RPC 2.0 request. */
    INVALID_REQUEST(-32600),

    /** No such method. */
    METHOD_NOT_FOUND(-32601),

    /** A parameter is missing, unknown, mistyped or out of range. */
    INVALID_PARAMS(-32602),

    /** Something unexpected; the cause is logged, never sent. */
    INTERNAL_ERROR(-32603),

    /** The inference queue is full, or a run waited in it too long. */
    QUEUE_FULL(-32000),

    /** No session has that id. */
    SESSION_NOT_FOUND(-32001),

    /** As many sessions live as {@code rkllm.streams.max-sessions} allows. */
    TOO_MANY_SESSIONS(-32002),

    /** The library or the model is not loaded. */
    RUNTIME_UNAVAILABLE(-32003),

    /** The runtime failed the inference. */
    INFERENCE_FAILED(-32004),

    /** The method is switched off by configuration. */
    METHOD_DISABLED(-32006),

    /** A client path points outside the directories it may use. */
    PATH_NOT_ALLOWED(-32007),

    /** API keys are set and the request carried none, or a wrong one (HTTP 401). */
    UNAUTHORIZED(-32008),

    /** The caller's key may not do this: it takes an admin key (HTTP 403). */
    FORBIDDEN(-32009);

    private final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    /** The number on the wire. */
    public int code() {
        return this.code;
    }

    /** The code with this number on the wire; {@link #INTERNAL_ERROR} for a number the contract does not have. */
    public static ErrorCode of(int code) {
        for (ErrorCode candidate : values()) {
            if (candidate.code == code) {
                return candidate;
            }
        }
        return INTERNAL_ERROR;
    }

}
