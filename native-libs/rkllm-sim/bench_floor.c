/*
 * bench_floor.c - the simulator's own speed with a C callback that only counts.
 *
 * Usage: bench_floor <model-file> <tokens>
 * Links against the 1.3 build of the simulator and runs
 * "[[sim:tokens=N]][[sim:delay_us=0]][[sim:prefill_ms=0]]" three times; prints the best
 * rate as "c_noop_tokens_per_second <number>" on stdout. This is the ceiling any binding
 * (for example the JNA one) can reach on this machine.
 */
#define _GNU_SOURCE

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "rkllm.h"

typedef struct {
    long long normal;
    int finished;
} counts;

static int count_callback(RKLLMResult* result, void* userdata, LLMCallState state) {
    (void)result;
    counts* c = userdata;
    if (state == RKLLM_RUN_NORMAL)
        c->normal++;
    else if (state == RKLLM_RUN_FINISH)
        c->finished = 1;
    return 0;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s <model-file> <tokens>\n", argv[0]);
        return 2;
    }
    char* end = NULL;
    long tokens = strtol(argv[2], &end, 10);
    if (!end || *end || tokens <= 0 || tokens > 2000000000L) {
        fprintf(stderr, "tokens must be a positive integer\n");
        return 2;
    }

    counts c = {0, 0};
    RKLLMParam param = rkllm_createDefaultParam();
    param.model_path = argv[1];
    RKLLMCallback callbacks = {0};
    callbacks.result_callback = count_callback;
    callbacks.result_userdata = &c;
    LLMHandle handle = NULL;
    if (rkllm_init(&handle, &param, &callbacks) != 0) {
        fprintf(stderr, "rkllm_init failed\n");
        return 1;
    }

    char prompt[128];
    snprintf(prompt, sizeof prompt, "[[sim:tokens=%ld]][[sim:delay_us=0]][[sim:prefill_ms=0]]", tokens);
    RKLLMInput input = {0};
    input.role = "user";
    input.input_type = RKLLM_INPUT_PROMPT;
    input.prompt_input = prompt;
    RKLLMInferParam infer = {0};
    infer.mode = RKLLM_INFER_GENERATE;

    double best = 0.0;
    int rc = 0;
    for (int round = 0; round < 3 && rc == 0; round++) {
        c.normal = 0;
        c.finished = 0;
        double t0 = now_s();
        if (rkllm_run(handle, &input, &infer, NULL) != 0 || c.normal != tokens || !c.finished) {
            fprintf(stderr, "run failed: %lld of %ld tokens, finished=%d\n", c.normal, tokens, c.finished);
            rc = 1;
            break;
        }
        double rate = (double)tokens / (now_s() - t0);
        if (rate > best) best = rate;
    }
    rkllm_destroy(handle);
    if (rc == 0) printf("c_noop_tokens_per_second %.0f\n", best);
    return rc;
}
