/*
 * rkllm_sim.c - x86-64 simulator of Rockchip's RKLLM runtime (librkllmrt.so).
 *
 * Built once per ABI generation (-DRKLLM_SIM_ABI=12 for 1.2.1-1.2.3, 13 for 1.3.0).
 * No NPU, no model: a run echoes the prompt text (with [[sim:...]] markers removed)
 * and then cycles through the corpus of a small text "model" file, one token per
 * callback, from its own pthread while rkllm_run blocks. See ../README.md.
 *
 * The only global mutable state is the allocation counter behind the test hook
 * rkllm_sim_live_allocations(); everything else lives in the handle.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rkllm.h"

/* The runtime version the library claims; RKLLM_SIM_VERSION overrides it so that tests can build the banners of
 * runtimes the gateway must refuse (1.2.0, 1.2.1b1, 2.0.0) through the real detection code. */
#ifdef RKLLM_SIM_VERSION
#define SIM_RUNTIME_VERSION RKLLM_SIM_VERSION
#elif RKLLM_SIM_ABI == 12
#define SIM_RUNTIME_VERSION "1.2.3"
#else
#define SIM_RUNTIME_VERSION "1.3.0"
#endif

#if defined(__x86_64__)
#define SIM_PLATFORM "x86_64-sim"
#elif defined(__aarch64__)
#define SIM_PLATFORM "aarch64-sim"
#else
#define SIM_PLATFORM "unknown-sim"
#endif

/* What Rockchip's binaries carry: this build banner (`strings -a librkllmrt.so | grep 'RKLLM SDK (version:'`), and
 * the init log line only as a format string, so the number never follows "rkllm-runtime version: " in the file.
 * RKLLM_SIM_NO_BANNER leaves the banner out, as a library that carries none. */
#ifndef RKLLM_SIM_NO_BANNER
__attribute__((used)) static const char sim_build_banner[] =
    "RKLLM SDK (version: " SIM_RUNTIME_VERSION " | target: Linux | build: simulator)";
#endif
/* The init log's driver field: no rknpu driver is involved. */
#define SIM_DRIVER_VERSION "none (simulator)"

#define SIM_MODEL_MAGIC "RKLLM-SIM-MODEL 1"
#define SIM_MAX_MODEL_BYTES (64L * 1024 * 1024)
#define SIM_MAX_LORA 8
#define SIM_TOKEN_MAX_ALNUM 8
#define SIM_MEMORY_USAGE_MB 123

/* ------------------------------------------------------------------------------------ */
/* Tracked allocations (the one piece of global state)                                  */
/* ------------------------------------------------------------------------------------ */

static atomic_llong sim_live_allocations;

static void* sim_malloc(size_t n) {
    void* p = malloc(n ? n : 1);
    if (p) atomic_fetch_add_explicit(&sim_live_allocations, 1, memory_order_relaxed);
    return p;
}

static void* sim_calloc(size_t count, size_t size) {
    void* p = calloc(count ? count : 1, size ? size : 1);
    if (p) atomic_fetch_add_explicit(&sim_live_allocations, 1, memory_order_relaxed);
    return p;
}

static void sim_free(void* p) {
    if (!p) return;
    free(p);
    atomic_fetch_sub_explicit(&sim_live_allocations, 1, memory_order_relaxed);
}

/* NUL-terminated heap copy of n bytes. */
static char* sim_memdup_str(const char* s, size_t n) {
    char* c = sim_malloc(n + 1);
    if (!c) return NULL;
    if (n) memcpy(c, s, n);
    c[n] = '\0';
    return c;
}

static char* sim_strdup(const char* s) { return sim_memdup_str(s, strlen(s)); }

int64_t rkllm_sim_live_allocations(void) {
    return (int64_t)atomic_load_explicit(&sim_live_allocations, memory_order_relaxed);
}

/* ------------------------------------------------------------------------------------ */
/* Logging, time                                                                        */
/* ------------------------------------------------------------------------------------ */

__attribute__((format(printf, 1, 2))) static void sim_error(const char* fmt, ...) {
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "E rkllm: %s\n", line);
}

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ns(long long ns) {
    if (ns <= 0) return;
    struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000LL), .tv_nsec = (long)(ns % 1000000000LL)};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

static bool readable_regular_file(const char* path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st;
    bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    close(fd);
    return ok;
}

/* ------------------------------------------------------------------------------------ */
/* Tokeniser                                                                            */
/* ------------------------------------------------------------------------------------ */

typedef struct {
    uint32_t off;        /* byte offset in its source buffer */
    uint32_t len;        /* byte length (>= 1) */
    uint8_t split_first; /* 1 = first half of a multi-byte UTF-8 character */
} sim_token;

static bool is_ascii_alnum(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Length of a well-formed UTF-8 multi-byte sequence at s, or 0 if there is none. */
static size_t utf8_seq_len(const unsigned char* s, size_t avail) {
    size_t n;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        n = 2;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        n = 3;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        n = 4;
    else
        return 0;
    if (n > avail) return 0;
    for (size_t k = 1; k < n; k++)
        if ((s[k] & 0xC0) != 0x80) return 0;
    return n;
}

/*
 * Cuts buf into tokens (see README): " "? + 1..8 ASCII alphanumerics | one other ASCII
 * byte | a multi-byte UTF-8 character as two tokens (floor(n/2) bytes, then the rest) |
 * any other byte alone. Writes to out (capacity >= len) when non-NULL; returns the count.
 */
static size_t tokenize(const char* text, size_t len, sim_token* out) {
    const unsigned char* b = (const unsigned char*)text;
    size_t n = 0, p = 0;
#define EMIT(o, l, s)                                                                    \
    do {                                                                                 \
        if (out) out[n] = (sim_token){.off = (uint32_t)(o), .len = (uint32_t)(l), .split_first = (s)}; \
        n++;                                                                             \
    } while (0)
    while (p < len) {
        size_t q;
        if (b[p] == ' ' && p + 1 < len && is_ascii_alnum(b[p + 1])) {
            q = p + 1;
            while (q < len && q - (p + 1) < SIM_TOKEN_MAX_ALNUM && is_ascii_alnum(b[q])) q++;
            EMIT(p, q - p, 0);
            p = q;
        } else if (is_ascii_alnum(b[p])) {
            q = p;
            while (q < len && q - p < SIM_TOKEN_MAX_ALNUM && is_ascii_alnum(b[q])) q++;
            EMIT(p, q - p, 0);
            p = q;
        } else if (b[p] < 0x80) {
            EMIT(p, 1, 0);
            p++;
        } else {
            size_t m = utf8_seq_len(b + p, len - p);
            if (m) {
                size_t h = m / 2;
                EMIT(p, h, 1);
                EMIT(p + h, m - h, 0);
                p += m;
            } else {
                EMIT(p, 1, 0);
                p++;
            }
        }
    }
#undef EMIT
    return n;
}

/* Deterministic, non-negative token id derived from the token bytes (FNV-1a). */
static int32_t token_id_of(const char* s, size_t len) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return (int32_t)(1000 + h % 150000u);
}

/* ------------------------------------------------------------------------------------ */
/* Prompt markers [[sim:KEY]] / [[sim:KEY=N]]                                           */
/* ------------------------------------------------------------------------------------ */

typedef struct {
    long long tokens;     /* -1 = absent */
    long long delay_us;   /* -1 = absent */
    long long prefill_ms; /* -1 = absent */
    long long error_at;   /* -1 = absent */
    long long new_tokens; /* -1 = absent */
    bool stamp;
} sim_markers;

/* Parses a non-negative decimal number (clamped to INT_MAX); -1 if malformed. */
static long long parse_count(const char* s, size_t n) {
    if (n == 0) return -1;
    long long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        if (v < INT_MAX) v = v * 10 + (s[i] - '0');
    }
    return v > INT_MAX ? INT_MAX : v;
}

static void apply_marker(const char* body, size_t n, sim_markers* m) {
    const char* eq = memchr(body, '=', n);
    size_t klen = eq ? (size_t)(eq - body) : n;
    long long v = eq ? parse_count(eq + 1, n - klen - 1) : -1;
#define KEY_IS(k) (klen == sizeof(k) - 1 && memcmp(body, k, klen) == 0)
    if (KEY_IS("stamp") && (!eq || v > 0))
        m->stamp = true;
    else if (v < 0)
        return; /* unknown or malformed: removed, ignored */
    else if (KEY_IS("tokens"))
        m->tokens = v;
    else if (KEY_IS("delay_us"))
        m->delay_us = v;
    else if (KEY_IS("prefill_ms"))
        m->prefill_ms = v;
    else if (KEY_IS("error_at"))
        m->error_at = v;
    else if (KEY_IS("new_tokens"))
        m->new_tokens = v;
#undef KEY_IS
}

/* Copies in to out (capacity >= strlen(in) + 1) without markers; returns the out length. */
static size_t strip_markers(const char* in, char* out, sim_markers* m) {
    static const char open[] = "[[sim:";
    const size_t open_len = sizeof(open) - 1;
    size_t o = 0;
    const char* p = in;
    for (;;) {
        const char* start = strstr(p, open);
        const char* end = start ? strstr(start + open_len, "]]") : NULL;
        if (!end) {
            size_t rest = strlen(p);
            memcpy(out + o, p, rest);
            o += rest;
            break;
        }
        memcpy(out + o, p, (size_t)(start - p));
        o += (size_t)(start - p);
        apply_marker(start + open_len, (size_t)(end - start - open_len), m);
        p = end + 2;
    }
    out[o] = '\0';
    return o;
}

/* ------------------------------------------------------------------------------------ */
/* Model file                                                                           */
/* ------------------------------------------------------------------------------------ */

typedef struct {
    long long delay_us;
    long long prefill_ms;
    long long max_context_limit;
    long long default_new_tokens;
    long long null_handle; /* rkllm_init returns 0 without a handle, as the real runtime does out of NPU memory */
    long long load_ms;     /* time rkllm_init takes, as loading weights does on a board */
    long long memory_mb;   /* the memory the runs report in perf.memory_usage_mb */
    char* corpus;
    size_t corpus_len;
    sim_token* tokens;
    size_t n_tokens;
} sim_model;

static void free_model(sim_model* m) {
    sim_free(m->corpus);
    sim_free(m->tokens);
    memset(m, 0, sizeof *m);
}

/* Reads the whole file into a tracked buffer; returns NULL (and logs) on failure. */
static char* read_file(const char* path, size_t* len_out) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        sim_error("failed to open model file %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > SIM_MAX_MODEL_BYTES) {
        sim_error("model file %s is not a regular file of at most %ld bytes", path, SIM_MAX_MODEL_BYTES);
        close(fd);
        return NULL;
    }
    size_t cap = (size_t)st.st_size, len = 0;
    char* buf = sim_malloc(cap + 1);
    if (!buf) {
        close(fd);
        return NULL;
    }
    while (len < cap) {
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        len += (size_t)r;
    }
    close(fd);
    buf[len] = '\0';
    *len_out = len;
    return buf;
}

/* Next line [*pos, eol) without its "\n" and an optional "\r"; advances *pos. */
static bool next_line(const char* buf, size_t len, size_t* pos, const char** line, size_t* line_len) {
    if (*pos >= len) return false;
    const char* s = buf + *pos;
    const char* nl = memchr(s, '\n', len - *pos);
    size_t n = nl ? (size_t)(nl - s) : len - *pos;
    *pos += n + (nl ? 1 : 0);
    if (n > 0 && s[n - 1] == '\r') n--;
    *line = s;
    *line_len = n;
    return true;
}

static int load_model(const char* path, sim_model* m) {
    size_t len = 0;
    char* buf = read_file(path, &len);
    if (!buf) return -1;

    m->delay_us = 10000;
    m->prefill_ms = 20;
    m->max_context_limit = 4096;
    m->default_new_tokens = 48;
    m->memory_mb = SIM_MEMORY_USAGE_MB;

    size_t pos = 0, n;
    const char* line;
    if (!next_line(buf, len, &pos, &line, &n) || n != strlen(SIM_MODEL_MAGIC) ||
        memcmp(line, SIM_MODEL_MAGIC, n) != 0) {
        sim_error("invalid rkllm model magic in %s (expected \"%s\")", path, SIM_MODEL_MAGIC);
        sim_free(buf);
        return -1;
    }
    bool separator = false;
    while (next_line(buf, len, &pos, &line, &n)) {
        if (n == 3 && memcmp(line, "---", 3) == 0) {
            separator = true;
            break;
        }
        if (n == 0 || line[0] == '#') continue;
        const char* eq = memchr(line, '=', n);
        if (!eq) continue;
        size_t klen = (size_t)(eq - line);
        long long v = parse_count(eq + 1, n - klen - 1);
        long long* slot = NULL;
        if (klen == 8 && memcmp(line, "delay_us", 8) == 0)
            slot = &m->delay_us;
        else if (klen == 10 && memcmp(line, "prefill_ms", 10) == 0)
            slot = &m->prefill_ms;
        else if (klen == 17 && memcmp(line, "max_context_limit", 17) == 0)
            slot = &m->max_context_limit;
        else if (klen == 18 && memcmp(line, "default_new_tokens", 18) == 0)
            slot = &m->default_new_tokens;
        else if (klen == 11 && memcmp(line, "null_handle", 11) == 0)
            slot = &m->null_handle;
        else if (klen == 7 && memcmp(line, "load_ms", 7) == 0)
            slot = &m->load_ms;
        else if (klen == 9 && memcmp(line, "memory_mb", 9) == 0)
            slot = &m->memory_mb;
        if (!slot) continue; /* unknown keys are ignored */
        if (v < 0) {
            sim_error("invalid value in model file %s: %.*s", path, (int)n, line);
            sim_free(buf);
            return -1;
        }
        *slot = v;
    }
    if (!separator || pos >= len) {
        sim_error("model file %s has no corpus (a line \"---\" followed by text)", path);
        sim_free(buf);
        return -1;
    }
    if (m->max_context_limit <= 0) {
        sim_error("model file %s: max_context_limit must be positive", path);
        sim_free(buf);
        return -1;
    }

    m->corpus_len = len - pos;
    m->corpus = sim_memdup_str(buf + pos, m->corpus_len);
    sim_free(buf);
    m->tokens = sim_calloc(m->corpus_len, sizeof(sim_token));
    if (!m->corpus || !m->tokens) {
        free_model(m);
        return -1;
    }
    m->n_tokens = tokenize(m->corpus, m->corpus_len, m->tokens);
    return 0;
}

/* ------------------------------------------------------------------------------------ */
/* Handle and run plan                                                                  */
/* ------------------------------------------------------------------------------------ */

typedef struct sim_plan sim_plan;

typedef struct {
    RKLLMParam param; /* copy; model_path points to model_path below */
    char* model_path;
    LLMResultCallback callback;
#if RKLLM_SIM_ABI >= 13
    RKLLMCallback callbacks; /* whole struct as passed to rkllm_init */
#endif
    sim_model model;

    atomic_int running;    /* 1 from rkllm_run entry until the generation thread is joined */
    atomic_int abort_flag; /* set by rkllm_abort, cleared at run start */
    atomic_int destroying; /* set by rkllm_destroy; stops a run for good */
    atomic_llong kv_len;   /* simulated KV-cache length */

    char* system_prompt;
    char* prompt_prefix;
    char* prompt_postfix;
    int system_prompt_tokens;

    char* lora_names[SIM_MAX_LORA];
    int n_lora;
    bool prompt_cache_loaded;
    bool cross_attn_set;

    /* rkllm_run_async: thread still to be joined by the next run or by destroy */
    bool has_pending;
    pthread_t pending_thread;
    sim_plan* pending_plan;
} sim_handle;

struct sim_plan {
    sim_handle* h;
    LLMResultCallback callback;
    void* userdata;
    char* echo; /* prompt text without markers */
    size_t echo_len;
    sim_token* echo_tokens;
    size_t n_echo;
    long long limit;
    long long delay_us;
    long long prefill_ms;
    long long error_at; /* -1 = none */
    bool stamp;
    long long prompt_tokens;
    char* cache_path; /* non-NULL = write the prompt cache file at the end */
    bool async;
    int rc; /* rkllm_run's result, written by the generation thread */
};

static void free_plan(sim_plan* p) {
    if (!p) return;
    sim_free(p->echo);
    sim_free(p->echo_tokens);
    sim_free(p->cache_path);
    sim_free(p);
}

/* Joins the thread of a finished rkllm_run_async (caller guarantees it has finished or will). */
static void join_pending(sim_handle* h) {
    if (!h->has_pending) return;
    pthread_join(h->pending_thread, NULL);
    free_plan(h->pending_plan);
    h->pending_plan = NULL;
    h->has_pending = false;
}

static bool stop_requested(sim_handle* h) {
    return atomic_load(&h->abort_flag) || atomic_load(&h->destroying);
}

/* ------------------------------------------------------------------------------------ */
/* Generation thread                                                                    */
/* ------------------------------------------------------------------------------------ */

enum { CB_FAILED = -1000 };

/*
 * Calls the callback once. text/len: bytes to hand over (NULL = result->text NULL);
 * stamp: replace the text by "t=<CLOCK_MONOTONIC ns>;" taken right before the call.
 * The result and its text are heap copies, scrubbed with 0xDD and freed afterwards.
 */
static int deliver(sim_plan* p, LLMCallState state, const char* text, size_t len, bool stamp,
                   int32_t token_id, const RKLLMPerfStat* perf) {
    RKLLMResult* r = sim_calloc(1, sizeof *r);
    char* buf = NULL;
    size_t buf_len = 0;
    if (r && stamp) {
        buf = sim_malloc(32);
    } else if (r && text) {
        buf = sim_memdup_str(text, len);
        buf_len = len;
    }
    if (!r || ((stamp || text) && !buf)) {
        sim_error("out of memory while delivering a result");
        sim_free(buf);
        sim_free(r);
        return CB_FAILED;
    }
    r->token_id = token_id;
    if (perf) r->perf = *perf;
    if (stamp) buf_len = (size_t)snprintf(buf, 32, "t=%lld;", now_ns());
    r->text = buf;

    int ret = p->callback(r, p->userdata, state);

    if (buf) {
        memset(buf, 0xDD, buf_len + 1);
        sim_free(buf);
    }
    memset(r, 0xDD, sizeof *r);
    sim_free(r);
    return ret;
}

static void token_at(const sim_plan* p, long long i, const char** text, const sim_token** tok) {
    if (i < (long long)p->n_echo) {
        *tok = &p->echo_tokens[i];
        *text = p->echo + (*tok)->off;
    } else {
        const sim_model* m = &p->h->model;
        *tok = &m->tokens[(size_t)(i - (long long)p->n_echo) % m->n_tokens];
        *text = m->corpus + (*tok)->off;
    }
}

static void write_prompt_cache(const sim_plan* p) {
    FILE* f = fopen(p->cache_path, "wb");
    if (!f) {
        sim_error("failed to save prompt cache to %s: %s", p->cache_path, strerror(errno));
        return;
    }
    size_t w = fwrite(p->echo, 1, p->echo_len, f);
    if (fclose(f) != 0 || w != p->echo_len)
        sim_error("failed to write prompt cache %s", p->cache_path);
}

static void* generation_main(void* arg) {
    sim_plan* p = arg;
    sim_handle* h = p->h;

    /* A prompt longer than the context is refused before prefill, the cache left as it was. */
    if (p->prompt_tokens > h->param.max_context_len) {
        sim_error("prompt gather than max context (prompt: %lld tokens, max context: %d)", p->prompt_tokens,
                  h->param.max_context_len);
        deliver(p, RKLLM_RUN_ERROR, NULL, 0, false, -1, NULL);
        p->rc = -1;
        if (p->async) atomic_store(&h->running, 0);
        return NULL;
    }

    /* Prefill: not interruptible (an abort stays pending until the first token check). */
    long long t0 = now_ns();
    sleep_ns(p->prefill_ms * 1000000LL);
    long long t1 = now_ns();
    atomic_fetch_add(&h->kv_len, p->prompt_tokens);

    enum { FINISHED, STOPPED, FAILED } outcome = FINISHED;
    int delivered = 0;
    for (long long i = 0; i < p->limit; i++) {
        if (stop_requested(h)) {
            outcome = STOPPED;
            break;
        }
        if (i == p->error_at) {
            sim_error("simulated error at token %lld", i);
            deliver(p, RKLLM_RUN_ERROR, NULL, 0, false, -1, NULL);
            outcome = FAILED;
            break;
        }
        if (p->delay_us > 0) {
            sleep_ns(p->delay_us * 1000LL);
            if (stop_requested(h)) {
                outcome = STOPPED;
                break;
            }
        }
        const char* text;
        const sim_token* tok;
        token_at(p, i, &text, &tok);
        int ret = deliver(p, RKLLM_RUN_NORMAL, text, tok->len, p->stamp, token_id_of(text, tok->len), NULL);
        if (ret == CB_FAILED) {
            outcome = FAILED;
            break;
        }
        delivered++;
        atomic_fetch_add(&h->kv_len, 1);
        if (ret == 1) { /* pause: keep the cache, no FINISH */
            outcome = STOPPED;
            break;
        }
        if (tok->split_first && !p->stamp) {
            ret = deliver(p, RKLLM_RUN_WAITING, "", 0, false, -1, NULL);
            if (ret == CB_FAILED) {
                outcome = FAILED;
                break;
            }
            if (ret == 1) {
                outcome = STOPPED;
                break;
            }
        }
    }
    long long t2 = now_ns();

    if (p->cache_path) write_prompt_cache(p);

    if (outcome == FINISHED && stop_requested(h)) outcome = STOPPED; /* abort after the last token */
    if (outcome == FINISHED) {
        RKLLMPerfStat perf = {
            .prefill_time_ms = (float)((t1 - t0) / 1e6),
            .prefill_tokens = p->prompt_tokens > 0 ? (int)(p->prompt_tokens > INT_MAX ? INT_MAX : p->prompt_tokens) : 1,
            .generate_time_ms = (float)((t2 - t1) / 1e6),
            .generate_tokens = delivered,
            .memory_usage_mb = (float)p->h->model.memory_mb,
        };
        deliver(p, RKLLM_RUN_FINISH, "", 0, false, -1, &perf);
    }
    p->rc = outcome == FAILED ? -1 : 0;

    /* Async runs release the handle here; this must be the thread's last access to it. */
    if (p->async) atomic_store(&h->running, 0);
    return NULL;
}

/* ------------------------------------------------------------------------------------ */
/* Run                                                                                  */
/* ------------------------------------------------------------------------------------ */

static bool lora_loaded(const sim_handle* h, const char* name) {
    for (int i = 0; i < h->n_lora; i++)
        if (strcmp(h->lora_names[i], name) == 0) return true;
    return false;
}

static sim_plan* build_plan(sim_handle* h, const char* text, long long input_tokens,
                            RKLLMInferParam* ip, void* userdata, bool async) {
    sim_plan* p = sim_calloc(1, sizeof *p);
    if (!p) return NULL;
    p->h = h;
    p->async = async;
    p->callback = h->callback;
    p->userdata = userdata;
#if RKLLM_SIM_ABI >= 13
    if (!p->userdata) p->userdata = h->callbacks.result_userdata;
#endif

    sim_markers mk = {.tokens = -1, .delay_us = -1, .prefill_ms = -1, .error_at = -1, .new_tokens = -1, .stamp = false};
    size_t in_len = text ? strlen(text) : 0;
    p->echo = sim_malloc(in_len + 1);
    p->echo_tokens = sim_calloc(in_len + 1, sizeof(sim_token));
    if (!p->echo || !p->echo_tokens) goto oom;
    p->echo_len = text ? strip_markers(text, p->echo, &mk) : 0;
    p->echo[p->echo_len] = '\0';
    p->n_echo = tokenize(p->echo, p->echo_len, p->echo_tokens);

    p->prompt_tokens = text ? (long long)p->n_echo : input_tokens;
    p->delay_us = mk.delay_us >= 0 ? mk.delay_us : h->model.delay_us;
    p->prefill_ms = mk.prefill_ms >= 0 ? mk.prefill_ms : h->model.prefill_ms;
    p->error_at = mk.error_at;
    p->stamp = mk.stamp;
    p->limit = mk.tokens >= 0 ? mk.tokens
                              : (long long)p->n_echo + (mk.new_tokens >= 0 ? mk.new_tokens : h->model.default_new_tokens);
    long long cap = h->param.max_new_tokens;
#if RKLLM_SIM_ABI >= 13
    if (ip->max_new_tokens > 0) cap = ip->max_new_tokens;
#endif
    if (cap > 0 && p->limit > cap) p->limit = cap;

    if (ip->prompt_cache_params && ip->prompt_cache_params->save_prompt_cache == 1 &&
        ip->prompt_cache_params->prompt_cache_path) {
        p->cache_path = sim_strdup(ip->prompt_cache_params->prompt_cache_path);
        if (!p->cache_path) goto oom;
    }
    return p;
oom:
    sim_error("out of memory while preparing a run");
    free_plan(p);
    return NULL;
}

static int start_run(LLMHandle handle, RKLLMInput* input, RKLLMInferParam* ip, void* userdata, bool async) {
    sim_handle* h = handle;
    if (!h || !input || !ip) {
        sim_error("rkllm_run: handle, input and infer params must not be NULL");
        return -1;
    }
    /* With n_batch > 1 the input is an array; the simulator serves its first element. */
    const char* text = NULL;
    long long input_tokens = 0;
    switch (input->input_type) {
        case RKLLM_INPUT_PROMPT:
            text = input->prompt_input;
            break;
        case RKLLM_INPUT_MULTIMODAL:
            text = input->multimodal_input.prompt;
            break;
        case RKLLM_INPUT_TOKEN:
            input_tokens = (long long)(input->token_input.n_tokens > INT_MAX ? INT_MAX : input->token_input.n_tokens);
            break;
        case RKLLM_INPUT_EMBED:
            input_tokens = (long long)(input->embed_input.n_tokens > INT_MAX ? INT_MAX : input->embed_input.n_tokens);
            break;
        default:
            sim_error("unsupported input type %d", (int)input->input_type);
            return -1;
    }
    if ((input->input_type == RKLLM_INPUT_PROMPT || input->input_type == RKLLM_INPUT_MULTIMODAL) && !text) {
        sim_error("prompt text is NULL");
        return -1;
    }
    if (atomic_load(&h->destroying)) {
        sim_error("handle is being destroyed");
        return -1;
    }
    int expected = 0;
    if (!atomic_compare_exchange_strong(&h->running, &expected, 1)) {
        sim_error("a task is already running on this handle");
        return -1;
    }
    join_pending(h); /* a finished rkllm_run_async */

    if (ip->lora_params &&
        (!ip->lora_params->lora_adapter_name || !lora_loaded(h, ip->lora_params->lora_adapter_name))) {
        sim_error("lora adapter %s is not loaded",
                  ip->lora_params->lora_adapter_name ? ip->lora_params->lora_adapter_name : "(null)");
        atomic_store(&h->running, 0);
        return -1;
    }
    sim_plan* p = build_plan(h, text, input_tokens, ip, userdata, async);
    if (!p) {
        atomic_store(&h->running, 0);
        return -1;
    }
    atomic_store(&h->abort_flag, 0);
    if (ip->keep_history == 0) atomic_store(&h->kv_len, 0);

    pthread_t thread;
    int err = pthread_create(&thread, NULL, generation_main, p);
    if (err != 0) {
        sim_error("failed to create the generation thread: %s", strerror(err));
        free_plan(p);
        atomic_store(&h->running, 0);
        return -1;
    }
    if (async) {
        h->pending_thread = thread;
        h->pending_plan = p;
        h->has_pending = true;
        return 0;
    }
    pthread_join(thread, NULL);
    int rc = p->rc;
    free_plan(p);
    atomic_store(&h->running, 0); /* last access to the handle: destroy may free it now */
    return rc;
}

/* ------------------------------------------------------------------------------------ */
/* Exported API                                                                         */
/* ------------------------------------------------------------------------------------ */

RKLLMParam rkllm_createDefaultParam(void) {
    RKLLMParam p;
    memset(&p, 0, sizeof p);
    p.model_path = NULL;
    p.max_context_len = 512;
    p.max_new_tokens = -1;
    p.top_k = 40;
    p.n_keep = -1;
    p.top_p = 0.9f;
    p.temperature = 0.8f;
    p.repeat_penalty = 1.1f;
    p.frequency_penalty = 0.0f;
    p.presence_penalty = 0.0f;
    p.mirostat = 0;
    p.mirostat_tau = 5.0f;
    p.mirostat_eta = 0.1f;
    p.skip_special_token = true;
    p.is_async = false;
#if RKLLM_SIM_ABI >= 13
    p.ignore_eos_token = false;
#else
    p.img_start = NULL;
    p.img_end = NULL;
    p.img_content = NULL;
#endif
    p.extend_param.base_domain_id = 0;
    p.extend_param.embed_flash = 0;
    p.extend_param.enabled_cpus_num = 4;
    p.extend_param.enabled_cpus_mask = CPU4 | CPU5 | CPU6 | CPU7;
    p.extend_param.n_batch = 1;
    p.extend_param.use_cross_attn = 0;
    return p;
}

#if RKLLM_SIM_ABI >= 13
int rkllm_init(LLMHandle* handle_out, RKLLMParam* param, RKLLMCallback* callbacks)
#else
int rkllm_init(LLMHandle* handle_out, RKLLMParam* param, LLMResultCallback callback)
#endif
{
    fprintf(stderr, "I rkllm: rkllm-runtime version: %s, rknpu driver version: %s, platform: %s\n",
            SIM_RUNTIME_VERSION, SIM_DRIVER_VERSION, SIM_PLATFORM);
    if (!handle_out) {
        sim_error("rkllm_init: handle pointer is NULL");
        return -1;
    }
    *handle_out = NULL;
#if RKLLM_SIM_ABI >= 13
    LLMResultCallback callback = callbacks ? callbacks->result_callback : NULL;
#endif
    if (!param || !callback) {
        sim_error("rkllm_init: param and result callback must not be NULL");
        return -1;
    }
    if (!param->model_path) {
        sim_error("rkllm_init: model_path is NULL");
        return -1;
    }
    if (param->max_context_len <= 0) {
        sim_error("max_context[%d] must be positive", param->max_context_len);
        return -1;
    }
    if (param->extend_param.enabled_cpus_mask == 0) {
        sim_error("enabled_cpus_mask must not be 0");
        return -1;
    }
    if (param->extend_param.n_batch < 1) {
        sim_error("n_batch must be at least 1");
        return -1;
    }

    sim_handle* h = sim_calloc(1, sizeof *h);
    if (!h) return -1;
    if (load_model(param->model_path, &h->model) != 0) {
        sim_free(h);
        return -1;
    }
    if (param->max_context_len > h->model.max_context_limit) {
        sim_error("max_context[%d] must be less than the model's max_context_limit[%lld]",
                  param->max_context_len, h->model.max_context_limit);
        free_model(&h->model);
        sim_free(h);
        return -1;
    }
    if (h->model.load_ms > 0) sleep_ns(h->model.load_ms * 1000000LL);
    if (h->model.null_handle) {
        /* The real runtime's failure that reports success: *handle stays NULL and rkllm_init returns 0. */
        sim_error("failed to allocate NPU memory for model %s (simulated by null_handle)", param->model_path);
        free_model(&h->model);
        sim_free(h);
        return 0;
    }
    h->model_path = sim_strdup(param->model_path);
    if (!h->model_path) {
        free_model(&h->model);
        sim_free(h);
        return -1;
    }
    h->param = *param;
    h->param.model_path = h->model_path;
#if RKLLM_SIM_ABI == 12
    h->param.img_start = h->param.img_end = h->param.img_content = NULL; /* not kept */
#endif
    h->callback = callback;
#if RKLLM_SIM_ABI >= 13
    h->callbacks = *callbacks;
#endif
    atomic_init(&h->running, 0);
    atomic_init(&h->abort_flag, 0);
    atomic_init(&h->destroying, 0);
    atomic_init(&h->kv_len, 0);

    fprintf(stderr, "I rkllm: rkllm init success (simulator model %s, %zu corpus tokens)\n", h->model_path,
            h->model.n_tokens);
    *handle_out = h;
    return 0;
}

int rkllm_load_lora(LLMHandle handle, RKLLMLoraAdapter* lora_adapter) {
    sim_handle* h = handle;
    if (!h || !lora_adapter || !lora_adapter->lora_adapter_name || !lora_adapter->lora_adapter_path) {
        sim_error("rkllm_load_lora: handle, adapter, name and path must not be NULL");
        return -1;
    }
    if (!readable_regular_file(lora_adapter->lora_adapter_path)) {
        sim_error("failed to open lora adapter %s", lora_adapter->lora_adapter_path);
        return -1;
    }
    if (lora_loaded(h, lora_adapter->lora_adapter_name)) return 0;
    if (h->n_lora >= SIM_MAX_LORA) {
        sim_error("too many lora adapters (at most %d)", SIM_MAX_LORA);
        return -1;
    }
    char* name = sim_strdup(lora_adapter->lora_adapter_name);
    if (!name) return -1;
    h->lora_names[h->n_lora++] = name;
    return 0;
}

int rkllm_load_prompt_cache(LLMHandle handle, const char* prompt_cache_path) {
    sim_handle* h = handle;
    if (!h || !prompt_cache_path || !readable_regular_file(prompt_cache_path)) {
        sim_error("failed to load prompt cache %s", prompt_cache_path ? prompt_cache_path : "(null)");
        return -1;
    }
    h->prompt_cache_loaded = true;
    return 0;
}

int rkllm_release_prompt_cache(LLMHandle handle) {
    sim_handle* h = handle;
    if (!h) return -1;
    h->prompt_cache_loaded = false;
    return 0;
}

int rkllm_destroy(LLMHandle handle) {
    sim_handle* h = handle;
    if (!h) return -1;
    atomic_store(&h->destroying, 1);
    atomic_store(&h->abort_flag, 1);
    while (atomic_load(&h->running)) sleep_ns(1000000LL);
    join_pending(h);

    free_model(&h->model);
    sim_free(h->model_path);
    sim_free(h->system_prompt);
    sim_free(h->prompt_prefix);
    sim_free(h->prompt_postfix);
    for (int i = 0; i < h->n_lora; i++) sim_free(h->lora_names[i]);
    memset(h, 0xDD, sizeof *h);
    sim_free(h);
    return 0;
}

int rkllm_run(LLMHandle handle, RKLLMInput* rkllm_input, RKLLMInferParam* rkllm_infer_params, void* userdata) {
    return start_run(handle, rkllm_input, rkllm_infer_params, userdata, false);
}

int rkllm_run_async(LLMHandle handle, RKLLMInput* rkllm_input, RKLLMInferParam* rkllm_infer_params,
                    void* userdata) {
    return start_run(handle, rkllm_input, rkllm_infer_params, userdata, true);
}

int rkllm_abort(LLMHandle handle) {
    sim_handle* h = handle;
    if (!h) return -1;
    atomic_store(&h->abort_flag, 1);
    return 0;
}

int rkllm_is_running(LLMHandle handle) {
    sim_handle* h = handle;
    if (!h) return -1;
    return atomic_load(&h->running) ? 1 : 0;
}

int rkllm_clear_kv_cache(LLMHandle handle, int keep_system_prompt, int* start_pos, int* end_pos) {
    sim_handle* h = handle;
    (void)start_pos; /* ranges are not simulated: the whole cache is cleared */
    (void)end_pos;
    if (!h) return -1;
    if (atomic_load(&h->running)) {
        sim_error("cannot clear the kv cache while a task is running");
        return -1;
    }
    atomic_store(&h->kv_len, keep_system_prompt && h->system_prompt ? h->system_prompt_tokens : 0);
    return 0;
}

int rkllm_get_kv_cache_size(LLMHandle handle, int* cache_sizes) {
    sim_handle* h = handle;
    if (!h || !cache_sizes) return -1;
    long long v = atomic_load(&h->kv_len);
    int n = v > INT_MAX ? INT_MAX : (int)v;
    for (int i = 0; i < h->param.extend_param.n_batch; i++) cache_sizes[i] = n;
    return 0;
}

int rkllm_set_chat_template(LLMHandle handle, const char* system_prompt, const char* prompt_prefix,
                            const char* prompt_postfix) {
    sim_handle* h = handle;
    if (!h || !system_prompt || !prompt_prefix || !prompt_postfix) {
        sim_error("rkllm_set_chat_template: arguments must not be NULL");
        return -1;
    }
    char* s = sim_strdup(system_prompt);
    char* a = sim_strdup(prompt_prefix);
    char* b = sim_strdup(prompt_postfix);
    if (!s || !a || !b) {
        sim_free(s);
        sim_free(a);
        sim_free(b);
        return -1;
    }
    sim_free(h->system_prompt);
    sim_free(h->prompt_prefix);
    sim_free(h->prompt_postfix);
    h->system_prompt = s;
    h->prompt_prefix = a;
    h->prompt_postfix = b;
    size_t n = tokenize(s, strlen(s), NULL);
    h->system_prompt_tokens = n > INT_MAX ? INT_MAX : (int)n;
    atomic_store(&h->kv_len, 0); /* the runtime clears the cache with a new template (rknn-llm #431) */
    return 0;
}

int rkllm_set_function_tools(LLMHandle handle, const char* system_prompt, const char* tools,
                             const char* tool_response_str) {
    sim_handle* h = handle;
    (void)system_prompt;
    (void)tool_response_str;
    if (!h || !tools) {
        sim_error("rkllm_set_function_tools: tools must not be NULL");
        return -1;
    }
    return 0;
}

int rkllm_set_cross_attn_params(LLMHandle handle, RKLLMCrossAttnParam* cross_attn_params) {
    sim_handle* h = handle;
    if (!h || !cross_attn_params) return -1;
    if (h->param.extend_param.use_cross_attn != 1) {
        sim_error("cross attention is not enabled (extend_param.use_cross_attn != 1)");
        return -1;
    }
    h->cross_attn_set = true;
    return 0;
}
