package io.rkllm.gateway.nativebridge;

/** A parameter was refused in Java, before anything reached native code; {@link #field()} names it. */
public class InvalidParameterException extends IllegalArgumentException {

    private final String field;

    private final String problem;

    public InvalidParameterException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
        this.problem = problem;
    }

    /** The offending field, with the C/JSON name ({@code max_context_len}). */
    public String field() {
        return this.field;
    }

    /** What is wrong with the field, without its name. */
    public String problem() {
        return this.problem;
    }

}
