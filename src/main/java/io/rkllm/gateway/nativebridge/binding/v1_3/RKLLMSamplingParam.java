package io.rkllm.gateway.nativebridge.binding.v1_3;

import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;

/** {@code RKLLMSamplingParam} (1.3.0 only, 36 bytes): overrides the init-time sampling for one run. */
@FieldOrder({ "top_k", "top_p", "temperature", "repeat_penalty", "frequency_penalty", "presence_penalty", "mirostat",
        "mirostat_tau", "mirostat_eta" })
public class RKLLMSamplingParam extends Structure {

    public int top_k;

    public float top_p;

    public float temperature;

    public float repeat_penalty;

    public float frequency_penalty;

    public float presence_penalty;

    public int mirostat;

    public float mirostat_tau;

    public float mirostat_eta;

    /** The pointer form used inside {@code RKLLMInferParam}. */
    public static class ByReference extends RKLLMSamplingParam implements Structure.ByReference {

    }

}
