package io.rkllm.gateway.nativebridge.binding;

import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;

/** {@code RKLLMPerfStat} (1.2.1 and later): filled in the FINISH callback only. */
@FieldOrder({ "prefill_time_ms", "prefill_tokens", "generate_time_ms", "generate_tokens", "memory_usage_mb" })
public class RKLLMPerfStat extends Structure {

    public float prefill_time_ms;

    public int prefill_tokens;

    public float generate_time_ms;

    public int generate_tokens;

    public float memory_usage_mb;

    static long offsetOf(String field) {
        return new RKLLMPerfStat().fieldOffset(field);
    }

}
