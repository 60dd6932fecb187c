package io.rkllm.gateway.nativebridge.binding;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;

/**
 * {@code RKLLMResult} (1.2.1 and later, both generations): what the result callback points at. The callback reads it
 * field by field through the offsets below instead of copying the whole struct per token.
 */
@FieldOrder({ "text", "token_id", "last_hidden_layer", "logits", "perf" })
public class RKLLMResult extends Structure {

    /** Offset of {@code text}. */
    public static final long TEXT_OFFSET;

    /** Offset of {@code token_id}. */
    public static final long TOKEN_ID_OFFSET;

    /** Offset of {@code perf}. */
    public static final long PERF_OFFSET;

    public Pointer text;

    public int token_id;

    public RKLLMResultLastHiddenLayer last_hidden_layer;

    public RKLLMResultLogits logits;

    public RKLLMPerfStat perf;

    static {
        RKLLMResult layout = new RKLLMResult();
        TEXT_OFFSET = layout.fieldOffset("text");
        TOKEN_ID_OFFSET = layout.fieldOffset("token_id");
        PERF_OFFSET = layout.fieldOffset("perf");
    }

    /** Offset of a field of the embedded {@code perf} struct, relative to the start of this struct. */
    public static long perfFieldOffset(String field) {
        return PERF_OFFSET + RKLLMPerfStat.offsetOf(field);
    }

}
