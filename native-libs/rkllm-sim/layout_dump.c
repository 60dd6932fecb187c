/*
 * layout_dump.c - prints sizeof/offsetof of every rkllm.h structure for the ABI selected
 * by RKLLM_SIM_ABI, in the format and order of shared/rkllm-offsets-<version>.txt
 * (which gcc computed from Rockchip's real headers). Equal output = identical layout.
 */
#include <stdio.h>

#include "rkllm.h"

#define SIZE(T) printf(#T " size %zu\n", sizeof(T))
#define OFF(T, F) printf(#T "." #F " offset %zu\n", offsetof(T, F))

int main(void) {
    SIZE(RKLLMExtendParam);
    OFF(RKLLMExtendParam, base_domain_id);
    OFF(RKLLMExtendParam, embed_flash);
    OFF(RKLLMExtendParam, enabled_cpus_num);
    OFF(RKLLMExtendParam, enabled_cpus_mask);
    OFF(RKLLMExtendParam, n_batch);
    OFF(RKLLMExtendParam, use_cross_attn);
    OFF(RKLLMExtendParam, reserved);

    SIZE(RKLLMParam);
    OFF(RKLLMParam, model_path);
    OFF(RKLLMParam, max_context_len);
    OFF(RKLLMParam, max_new_tokens);
    OFF(RKLLMParam, top_k);
    OFF(RKLLMParam, n_keep);
    OFF(RKLLMParam, top_p);
    OFF(RKLLMParam, temperature);
    OFF(RKLLMParam, repeat_penalty);
    OFF(RKLLMParam, frequency_penalty);
    OFF(RKLLMParam, presence_penalty);
    OFF(RKLLMParam, mirostat);
    OFF(RKLLMParam, mirostat_tau);
    OFF(RKLLMParam, mirostat_eta);
    OFF(RKLLMParam, skip_special_token);
#if RKLLM_SIM_ABI >= 13
    OFF(RKLLMParam, ignore_eos_token);
#endif
    OFF(RKLLMParam, is_async);
#if RKLLM_SIM_ABI == 12
    OFF(RKLLMParam, img_start);
    OFF(RKLLMParam, img_end);
    OFF(RKLLMParam, img_content);
#endif
    OFF(RKLLMParam, extend_param);

    SIZE(RKLLMLoraAdapter);
    OFF(RKLLMLoraAdapter, lora_adapter_path);
    OFF(RKLLMLoraAdapter, lora_adapter_name);
    OFF(RKLLMLoraAdapter, scale);

    SIZE(RKLLMEmbedInput);
    OFF(RKLLMEmbedInput, embed);
    OFF(RKLLMEmbedInput, n_tokens);

    SIZE(RKLLMTokenInput);
    OFF(RKLLMTokenInput, input_ids);
    OFF(RKLLMTokenInput, n_tokens);

    SIZE(RKLLMMultiModalInput);
    OFF(RKLLMMultiModalInput, prompt);
#if RKLLM_SIM_ABI == 12
    OFF(RKLLMMultiModalInput, image_embed);
    OFF(RKLLMMultiModalInput, n_image_tokens);
    OFF(RKLLMMultiModalInput, n_image);
    OFF(RKLLMMultiModalInput, image_width);
    OFF(RKLLMMultiModalInput, image_height);
#else
    OFF(RKLLMMultiModalInput, image);
    OFF(RKLLMMultiModalInput, video);
#endif

    SIZE(RKLLMInput);
    OFF(RKLLMInput, role);
    OFF(RKLLMInput, enable_thinking);
    OFF(RKLLMInput, input_type);

    SIZE(RKLLMLoraParam);
    OFF(RKLLMLoraParam, lora_adapter_name);

    SIZE(RKLLMPromptCacheParam);
    OFF(RKLLMPromptCacheParam, save_prompt_cache);
    OFF(RKLLMPromptCacheParam, prompt_cache_path);

    SIZE(RKLLMCrossAttnParam);
    OFF(RKLLMCrossAttnParam, encoder_k_cache);
    OFF(RKLLMCrossAttnParam, encoder_v_cache);
    OFF(RKLLMCrossAttnParam, encoder_mask);
    OFF(RKLLMCrossAttnParam, encoder_pos);
    OFF(RKLLMCrossAttnParam, num_tokens);

#if RKLLM_SIM_ABI >= 13
    SIZE(RKLLMSamplingParam);
    OFF(RKLLMSamplingParam, top_k);
    OFF(RKLLMSamplingParam, top_p);
    OFF(RKLLMSamplingParam, temperature);
    OFF(RKLLMSamplingParam, repeat_penalty);
    OFF(RKLLMSamplingParam, frequency_penalty);
    OFF(RKLLMSamplingParam, presence_penalty);
    OFF(RKLLMSamplingParam, mirostat);
    OFF(RKLLMSamplingParam, mirostat_tau);
    OFF(RKLLMSamplingParam, mirostat_eta);
#endif

    SIZE(RKLLMInferParam);
    OFF(RKLLMInferParam, mode);
    OFF(RKLLMInferParam, lora_params);
    OFF(RKLLMInferParam, prompt_cache_params);
#if RKLLM_SIM_ABI >= 13
    OFF(RKLLMInferParam, sampling_params);
#endif
    OFF(RKLLMInferParam, keep_history);
#if RKLLM_SIM_ABI >= 13
    OFF(RKLLMInferParam, max_new_tokens);
#endif

    SIZE(RKLLMResultLastHiddenLayer);
    OFF(RKLLMResultLastHiddenLayer, hidden_states);
    OFF(RKLLMResultLastHiddenLayer, embd_size);
    OFF(RKLLMResultLastHiddenLayer, num_tokens);

    SIZE(RKLLMResultLogits);
    OFF(RKLLMResultLogits, logits);
    OFF(RKLLMResultLogits, vocab_size);
    OFF(RKLLMResultLogits, num_tokens);

    SIZE(RKLLMPerfStat);
    OFF(RKLLMPerfStat, prefill_time_ms);
    OFF(RKLLMPerfStat, prefill_tokens);
    OFF(RKLLMPerfStat, generate_time_ms);
    OFF(RKLLMPerfStat, generate_tokens);
    OFF(RKLLMPerfStat, memory_usage_mb);

    SIZE(RKLLMResult);
    OFF(RKLLMResult, text);
    OFF(RKLLMResult, token_id);
    OFF(RKLLMResult, last_hidden_layer);
    OFF(RKLLMResult, logits);
    OFF(RKLLMResult, perf);

#if RKLLM_SIM_ABI >= 13
    SIZE(RKLLMCallback);
    OFF(RKLLMCallback, result_callback);
    OFF(RKLLMCallback, result_userdata);
    OFF(RKLLMCallback, tokenizer_callback);
    OFF(RKLLMCallback, tokenizer_userdata);
    OFF(RKLLMCallback, embed_callback);
    OFF(RKLLMCallback, embed_userdata);

    OFF(RKLLMMultiModalInput, image.image_embed);
    OFF(RKLLMMultiModalInput, image.n_image_tokens);
    OFF(RKLLMMultiModalInput, image.n_image);
    OFF(RKLLMMultiModalInput, image.image_start);
    OFF(RKLLMMultiModalInput, image.image_end);
    OFF(RKLLMMultiModalInput, image.image_content);
    OFF(RKLLMMultiModalInput, image.image_width);
    OFF(RKLLMMultiModalInput, image.image_height);
    OFF(RKLLMMultiModalInput, video.video_embed);
    OFF(RKLLMMultiModalInput, video.n_frame_tokens);
    OFF(RKLLMMultiModalInput, video.n_frame_per_video);
    OFF(RKLLMMultiModalInput, video.n_video);
    OFF(RKLLMMultiModalInput, video.video_start);
    OFF(RKLLMMultiModalInput, video.video_end);
    OFF(RKLLMMultiModalInput, video.video_content);
    OFF(RKLLMMultiModalInput, video.frame_width);
    OFF(RKLLMMultiModalInput, video.frame_height);
#endif

    /* Anonymous-union members, by their own names. */
    OFF(RKLLMInput, prompt_input);
    OFF(RKLLMInput, embed_input);
    OFF(RKLLMInput, token_input);
    OFF(RKLLMInput, multimodal_input);

    printf("LLMCallState RKLLM_RUN_NORMAL %d WAITING %d FINISH %d ERROR %d\n", (int)RKLLM_RUN_NORMAL,
           (int)RKLLM_RUN_WAITING, (int)RKLLM_RUN_FINISH, (int)RKLLM_RUN_ERROR);
    return 0;
}
