/*
 * rkllm.h - C API of Rockchip's RKLLM runtime (librkllmrt.so), written for the
 * x86-64 simulator in this directory from the fact sheet shared/rkllm-abi.md.
 *
 * This is NOT Rockchip's header. Names, field order, types and enum values follow
 * Rockchip's rkllm.h so that the structure layouts are byte-identical (LP64 and
 * ILP32); layout_dump.c prints every size and offset for comparison.
 *
 * One header serves both ABI generations, selected by RKLLM_SIM_ABI:
 *   12 = runtime 1.2.1 .. 1.2.3 layout
 *   13 = runtime 1.3.0 layout (default)
 */
#ifndef RKLLM_SIM_RKLLM_H
#define RKLLM_SIM_RKLLM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef RKLLM_SIM_ABI
#define RKLLM_SIM_ABI 13
#endif

#if RKLLM_SIM_ABI != 12 && RKLLM_SIM_ABI != 13
#error "RKLLM_SIM_ABI must be 12 (1.2.1-1.2.3) or 13 (1.3.0)"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Bits for RKLLMExtendParam.enabled_cpus_mask. */
#define CPU0 (1 << 0)
#define CPU1 (1 << 1)
#define CPU2 (1 << 2)
#define CPU3 (1 << 3)
#define CPU4 (1 << 4)
#define CPU5 (1 << 5)
#define CPU6 (1 << 6)
#define CPU7 (1 << 7)

/* Opaque handle of one model instance. */
typedef void* LLMHandle;

/* State passed to the result callback. */
typedef enum {
    RKLLM_RUN_NORMAL = 0,  /* one token delivered */
    RKLLM_RUN_WAITING = 1, /* bytes so far are an incomplete UTF-8 character */
    RKLLM_RUN_FINISH = 2,  /* generation finished; perf is filled */
    RKLLM_RUN_ERROR = 3    /* generation failed */
} LLMCallState;

typedef enum {
    RKLLM_INPUT_PROMPT = 0,
    RKLLM_INPUT_TOKEN = 1,
    RKLLM_INPUT_EMBED = 2,
    RKLLM_INPUT_MULTIMODAL = 3
} RKLLMInputType;

typedef enum {
    RKLLM_INFER_GENERATE = 0,
    RKLLM_INFER_GET_LAST_HIDDEN_LAYER = 1,
    RKLLM_INFER_GET_LOGITS = 2
} RKLLMInferMode;

/* Extended init parameters: 120 bytes in 1.2.x and 1.3.0. */
typedef struct {
    int32_t base_domain_id;
    int8_t embed_flash;
    int8_t enabled_cpus_num;
    uint32_t enabled_cpus_mask;
    uint8_t n_batch;
    int8_t use_cross_attn;
    uint8_t reserved[104];
} RKLLMExtendParam;

/* Init parameters (1.2.x: 208 bytes LP64; 1.3.0: 184 bytes LP64). */
typedef struct {
    const char* model_path;
    int32_t max_context_len;
    int32_t max_new_tokens;
    int32_t top_k;
    int32_t n_keep;
    float top_p;
    float temperature;
    float repeat_penalty;
    float frequency_penalty;
    float presence_penalty;
    int32_t mirostat;
    float mirostat_tau;
    float mirostat_eta;
    bool skip_special_token;
#if RKLLM_SIM_ABI >= 13
    bool ignore_eos_token;
#endif
    bool is_async;
#if RKLLM_SIM_ABI == 12
    const char* img_start;
    const char* img_end;
    const char* img_content;
#endif
    RKLLMExtendParam extend_param;
} RKLLMParam;

typedef struct {
    const char* lora_adapter_path;
    const char* lora_adapter_name;
    float scale;
} RKLLMLoraAdapter;

typedef struct {
    float* embed;
    size_t n_tokens;
} RKLLMEmbedInput;

typedef struct {
    int32_t* input_ids;
    size_t n_tokens;
} RKLLMTokenInput;

#if RKLLM_SIM_ABI == 12
/* 1.2.1-1.2.3 multimodal input (48 bytes LP64); image tags live in RKLLMParam.img_*. */
typedef struct {
    char* prompt;
    float* image_embed;
    size_t n_image_tokens;
    size_t n_image;
    size_t image_width;
    size_t image_height;
} RKLLMMultiModalInput;
#else
/* 1.3.0 multimodal input (144 bytes LP64) with inline unnamed image/video structs. */
typedef struct {
    char* prompt;
    struct {
        float* image_embed;
        size_t n_image_tokens;
        size_t n_image;
        const char* image_start;
        const char* image_end;
        const char* image_content;
        size_t image_width;
        size_t image_height;
    } image;
    struct {
        float* video_embed;
        size_t n_frame_tokens;
        size_t n_frame_per_video;
        size_t n_video;
        const char* video_start;
        const char* video_end;
        const char* video_content;
        size_t frame_width;
        size_t frame_height;
    } video;
} RKLLMMultiModalInput;
#endif

/* One run's input (1.2.x: 64 bytes LP64; 1.3.0: 160 bytes LP64). */
typedef struct {
    const char* role;
    bool enable_thinking;
    RKLLMInputType input_type;
    union {
        const char* prompt_input;
        RKLLMEmbedInput embed_input;
        RKLLMTokenInput token_input;
        RKLLMMultiModalInput multimodal_input;
    };
} RKLLMInput;

typedef struct {
    const char* lora_adapter_name;
} RKLLMLoraParam;

typedef struct {
    int save_prompt_cache;
    const char* prompt_cache_path;
} RKLLMPromptCacheParam;

typedef struct {
    float* encoder_k_cache;
    float* encoder_v_cache;
    float* encoder_mask;
    int32_t* encoder_pos;
    int num_tokens;
} RKLLMCrossAttnParam;

#if RKLLM_SIM_ABI >= 13
/* Per-run sampling override (1.3.0 only, 36 bytes). */
typedef struct {
    int32_t top_k;
    float top_p;
    float temperature;
    float repeat_penalty;
    float frequency_penalty;
    float presence_penalty;
    int32_t mirostat;
    float mirostat_tau;
    float mirostat_eta;
} RKLLMSamplingParam;
#endif

/* Per-run parameters (1.2.x: 32 bytes LP64; 1.3.0: 40 bytes LP64). */
typedef struct {
    RKLLMInferMode mode;
    RKLLMLoraParam* lora_params;
    RKLLMPromptCacheParam* prompt_cache_params;
#if RKLLM_SIM_ABI >= 13
    RKLLMSamplingParam* sampling_params;
#endif
    int keep_history;
#if RKLLM_SIM_ABI >= 13
    int32_t max_new_tokens;
#endif
} RKLLMInferParam;

typedef struct {
    const float* hidden_states;
    int embd_size;
    int num_tokens;
} RKLLMResultLastHiddenLayer;

typedef struct {
    const float* logits;
    int vocab_size;
    int num_tokens;
} RKLLMResultLogits;

/* Performance figures, filled on RKLLM_RUN_FINISH. */
typedef struct {
    float prefill_time_ms;
    int prefill_tokens;
    float generate_time_ms;
    int generate_tokens;
    float memory_usage_mb;
} RKLLMPerfStat;

/* One callback's result (72 bytes LP64). Pointers are valid only during the callback. */
typedef struct {
    const char* text;
    int32_t token_id;
    RKLLMResultLastHiddenLayer last_hidden_layer;
    RKLLMResultLogits logits;
    RKLLMPerfStat perf;
} RKLLMResult;

/* Result callback: return 0 = continue, 1 = pause, (1.3.0) 2 = free the output buffer early. */
typedef int (*LLMResultCallback)(RKLLMResult* result, void* userdata, LLMCallState state);

#if RKLLM_SIM_ABI >= 13
typedef int (*LLMTokenizerCallback)(void* userdata, const char* text, int32_t text_len,
                                    int32_t* tokens_out, int32_t max_tokens);

typedef int (*LLMGetEmbedCallback)(void* userdata, int32_t* tokens, uint64_t n_tokens,
                                   void* embed_out, uint64_t embed_bytes);

/* Callback set passed to rkllm_init (1.3.0 only, 48 bytes LP64). */
typedef struct {
    LLMResultCallback result_callback;
    void* result_userdata;
    LLMTokenizerCallback tokenizer_callback;
    void* tokenizer_userdata;
    LLMGetEmbedCallback embed_callback;
    void* embed_userdata;
} RKLLMCallback;
#endif

RKLLMParam rkllm_createDefaultParam(void);

#if RKLLM_SIM_ABI >= 13
int rkllm_init(LLMHandle* handle, RKLLMParam* param, RKLLMCallback* callbacks);
#else
int rkllm_init(LLMHandle* handle, RKLLMParam* param, LLMResultCallback callback);
#endif

int rkllm_load_lora(LLMHandle handle, RKLLMLoraAdapter* lora_adapter);

int rkllm_load_prompt_cache(LLMHandle handle, const char* prompt_cache_path);

int rkllm_release_prompt_cache(LLMHandle handle);

int rkllm_destroy(LLMHandle handle);

int rkllm_run(LLMHandle handle, RKLLMInput* rkllm_input, RKLLMInferParam* rkllm_infer_params,
              void* userdata);

int rkllm_run_async(LLMHandle handle, RKLLMInput* rkllm_input,
                    RKLLMInferParam* rkllm_infer_params, void* userdata);

int rkllm_abort(LLMHandle handle);

int rkllm_is_running(LLMHandle handle);

int rkllm_clear_kv_cache(LLMHandle handle, int keep_system_prompt, int* start_pos, int* end_pos);

int rkllm_get_kv_cache_size(LLMHandle handle, int* cache_sizes);

int rkllm_set_chat_template(LLMHandle handle, const char* system_prompt, const char* prompt_prefix,
                            const char* prompt_postfix);

int rkllm_set_function_tools(LLMHandle handle, const char* system_prompt, const char* tools,
                             const char* tool_response_str);

int rkllm_set_cross_attn_params(LLMHandle handle, RKLLMCrossAttnParam* cross_attn_params);

/*
 * SIMULATOR-ONLY TEST HOOK - not part of Rockchip's API and absent from the real
 * librkllmrt.so. Returns the number of allocations the simulator made minus the
 * number it freed (0 when no handle exists and nothing leaked).
 */
int64_t rkllm_sim_live_allocations(void);

#ifdef __cplusplus
}
#endif

#endif /* RKLLM_SIM_RKLLM_H */
