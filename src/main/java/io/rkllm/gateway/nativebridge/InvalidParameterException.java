package io.rkllm.gateway.nativebridge;

/** A parameter was refused in Java, before anything reached native code; {@link #field()} names it. */
public class InvalidParameterException extends IllegalArgumentException {

    private final String field;

    public InvalidParameterException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    /** The offending field, with the C/JSON name ({@code max_context_len}). */
    public String field() {
        return this.field;
    }

}
