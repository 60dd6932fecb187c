package io.rkllm.gateway.nativebridge.binding.v1_3;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;
import io.rkllm.gateway.nativebridge.binding.RKLLMExtendParam;

/** {@code RKLLMParam} of 1.3.0: 184 bytes; image tags gone, {@code ignore_eos_token} added, extension at 60. */
@FieldOrder({ "model_path", "max_context_len", "max_new_tokens", "top_k", "n_keep", "top_p", "temperature",
        "repeat_penalty", "frequency_penalty", "presence_penalty", "mirostat", "mirostat_tau", "mirostat_eta",
        "skip_special_token", "ignore_eos_token", "is_async", "extend_param" })
public class RKLLMParam extends Structure {

    public Pointer model_path;

    public int max_context_len;

    public int max_new_tokens;

    public int top_k;

    public int n_keep;

    public float top_p;

    public float temperature;

    public float repeat_penalty;

    public float frequency_penalty;

    public float presence_penalty;

    public int mirostat;

    public float mirostat_tau;

    public float mirostat_eta;

    public byte skip_special_token;

    public byte ignore_eos_token;

    public byte is_async;

    public RKLLMExtendParam extend_param;

    /** The by-value form returned by {@code rkllm_createDefaultParam}. */
    public static class ByValue extends RKLLMParam implements Structure.ByValue {

    }

}
