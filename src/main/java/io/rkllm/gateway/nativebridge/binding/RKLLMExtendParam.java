package io.rkllm.gateway.nativebridge.binding;

import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;

/** {@code RKLLMExtendParam}: 120 bytes in 1.2.1–1.3.0. C {@code bool}/{@code int8_t}/{@code uint8_t} are bytes. */
@FieldOrder({ "base_domain_id", "embed_flash", "enabled_cpus_num", "enabled_cpus_mask", "n_batch", "use_cross_attn",
        "reserved" })
public class RKLLMExtendParam extends Structure {

    public int base_domain_id;

    public byte embed_flash;

    public byte enabled_cpus_num;

    public int enabled_cpus_mask;

    public byte n_batch;

    public byte use_cross_attn;

    public byte[] reserved = new byte[104];

}
