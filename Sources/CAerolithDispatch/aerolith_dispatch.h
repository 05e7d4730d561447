/* The host's per-request hook path, in C: the part of dispatch that runs on every request of a
 * tenant with hooks, kept to a few hundred bytes of straight code and a few cache lines of data
 * so that it stays cheap when it is cold (between requests, the rest of the server evicts it).
 * Everything here is `static inline`, compiled into the kernel function that calls it: one
 * place in memory for the whole walk, not one more code page to fault in per request.
 *
 * Host-private: plugins never see this header. The kernel builds the tables these functions
 * walk and owns every pointer in them. */
#ifndef AEROLITH_DISPATCH_H
#define AEROLITH_DISPATCH_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* The SDK header, by its place in the repository: the one every plugin compiles against. */
#include "../../SDK/include/aerolith_plugin.h"

/* ---- Gates --------------------------------------------------------------------------------
 * A gate counts the calls in flight through one door into a plugin (a tenant's activation, or
 * the plugin's process-wide door). Closing it sets a bit; a call enters only while the bit is
 * clear, and entering and closing are ordered by the one atomic word, so once a closer has seen
 * the count reach zero no call can be inside. */

#define AEROLITH_DISPATCH_GATE_CLOSED_BIT ((intptr_t)1 << 62)

/* Enters if open (returns 1). Every successful enter is followed by exactly one leave. */
static inline int aerolith_dispatch_gate_enter(intptr_t *word) {
    intptr_t now = __atomic_add_fetch(word, 1, __ATOMIC_ACQUIRE);
    if (now & AEROLITH_DISPATCH_GATE_CLOSED_BIT) {
        __atomic_sub_fetch(word, 1, __ATOMIC_RELEASE);
        return 0;
    }
    return 1;
}

static inline void aerolith_dispatch_gate_leave(intptr_t *word) { __atomic_sub_fetch(word, 1, __ATOMIC_RELEASE); }

static inline void aerolith_dispatch_gate_close(intptr_t *word) {
    __atomic_or_fetch(word, AEROLITH_DISPATCH_GATE_CLOSED_BIT, __ATOMIC_SEQ_CST);
}

static inline void aerolith_dispatch_gate_open(intptr_t *word) {
    __atomic_and_fetch(word, ~AEROLITH_DISPATCH_GATE_CLOSED_BIT, __ATOMIC_SEQ_CST);
}

/* Calls inside the gate now. */
static inline intptr_t aerolith_dispatch_gate_in_flight(intptr_t *word) {
    return __atomic_load_n(word, __ATOMIC_ACQUIRE) & ~AEROLITH_DISPATCH_GATE_CLOSED_BIT;
}

/* ---- Contexts -----------------------------------------------------------------------------
 * What an `aerolith_context *` handed to a plugin points at: which plugin, tenant and request a
 * host function is called for. */
typedef struct aerolith_dispatch_context {
    void *instance;               /* the plugin's instance, unretained (instances are immortal);
                                     NULL only before a plugin's init is accepted */
    aerolith_slice tenant_id;     /* borrowed for the duration of the call; empty process-wide */
    aerolith_slice request_id;
} aerolith_dispatch_context;

/* ---- Authorization chains -----------------------------------------------------------------
 * A tenant's authorization chain, in chain order, as runs: consecutive hooks behind the same
 * gate (one plugin's hooks for one tenant) share one header, one pass through the gate, one hold
 * of the plugin's lock and one timing against the budget. Each header is followed by its hooks;
 * the next header follows them. A chain of five hooks of one plugin is 120 bytes: two cache
 * lines to fetch when it is cold. */
typedef struct aerolith_dispatch_run {
    intptr_t *gate;
    pthread_mutex_t *serial;      /* the plugin's lock, or NULL when it is reentrant */
    void *instance;
    void *tenant_state;           /* what on_activate stored for the tenant, or NULL */
    size_t count;                 /* the hooks that follow this header */
} aerolith_dispatch_run;

typedef struct aerolith_dispatch_hook {
    aerolith_authorize_fn authorize;
    void *user_data;
} aerolith_dispatch_hook;

/* The bytes of a run of `count` hooks: its header and its hooks. */
static inline size_t aerolith_dispatch_run_bytes(size_t count) {
    return sizeof(aerolith_dispatch_run) + count * sizeof(aerolith_dispatch_hook);
}

/* What stopped a chain, and the first run slower than the budget. */
typedef struct aerolith_dispatch_outcome {
    size_t index;                 /* the hook (in chain order) that denied or failed */
    aerolith_status status;       /* its status (AEROLITH_OK when it denied) */
    uint32_t decision;            /* the decision it wrote */
    size_t slow_index;            /* the first hook of the slow run */
    int64_t slow_ticks;           /* how long it took (aerolith_dispatch_ticks); 0 when no run was slow */
    int gate_closed;              /* 1 when `index` could not run: its gate was closed */
} aerolith_dispatch_outcome;

/* The coarse monotonic clock: a few nanoseconds, millisecond-ish resolution, plenty against a
 * budget of tens of milliseconds. */
static inline int64_t aerolith_dispatch_coarse_milliseconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* ---- Ticks --------------------------------------------------------------------------------
 * What a run of hooks is timed with against its budget: the processor's own counter, read in a
 * few dozen cycles with no call and no page of kernel data. (The vDSO clock is a library call
 * into two more pages, cold between requests like everything else.) On x86-64 the time-stamp
 * counter, invariant and synchronised across cores wherever the kernel uses it as its clock
 * source; on arm64 the virtual counter; elsewhere the monotonic clock in nanoseconds. A counter
 * that steps back between cores reads as a negative time, never as a slow run. */
static inline uint64_t aerolith_dispatch_ticks(void) {
#if defined(__x86_64__)
    return __builtin_ia32_rdtsc();
#elif defined(__aarch64__)
    uint64_t ticks;
    __asm__ __volatile__("mrs %0, cntvct_el0" : "=r"(ticks));
    return ticks;
#else
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
#endif
}

/* Ticks per second where the hardware states it; 0 where the host must measure it (x86-64). */
static inline uint64_t aerolith_dispatch_ticks_per_second(void) {
#if defined(__x86_64__)
    return 0;
#elif defined(__aarch64__)
    uint64_t frequency;
    __asm__ __volatile__("mrs %0, cntfrq_el0" : "=r"(frequency));
    return frequency;
#else
    return 1000000000u;
#endif
}

/* Runs the `hook_count` hooks of `chain` in order with one call record for `tenant_id` and
 * `request_id`; `message` is the host buffer the plugins write reasons into and `message_count`
 * its byte count, cleared before each call; a run that takes more than `budget_ticks` is
 * reported in `out`; the call's context is the thread's value of `current_call` meanwhile. Returns 1 when every hook allowed the request, 0 when `out->index` denied
 * it, failed, or could not be called because its gate was closed (`out->gate_closed`). */
__attribute__((always_inline)) static inline int aerolith_dispatch_authorize(
    const void *chain, size_t hook_count, aerolith_slice tenant_id, aerolith_slice request_id,
    aerolith_buffer *message, intptr_t *message_count, const aerolith_authorize_request *request,
    int64_t budget_ticks, pthread_key_t current_call, aerolith_dispatch_outcome *out) {
    aerolith_dispatch_context context = { .instance = NULL, .tenant_id = tenant_id, .request_id = request_id };
    aerolith_call call = {
        .struct_size = sizeof(aerolith_call), .context = (aerolith_context *)&context,
        .tenant_id = tenant_id, .request_id = request_id, .message = message,
    };
    out->slow_ticks = 0;
    out->gate_closed = 0;
    /* The context is this thread's current call for the walk: host functions accept no other. */
    void *outer_call = pthread_getspecific(current_call);
    pthread_setspecific(current_call, &context);
    const aerolith_dispatch_run *run = (const aerolith_dispatch_run *)chain;
    size_t index = 0;
    while (index < hook_count) {
        const aerolith_dispatch_hook *hooks = (const aerolith_dispatch_hook *)(run + 1);
        const aerolith_dispatch_run *next = (const aerolith_dispatch_run *)(hooks + run->count);
        size_t first = index;
        if (__builtin_expect(!aerolith_dispatch_gate_enter(run->gate), 0)) {
            /* Closed: the plugin is being re-activated, deactivated or disabled while this request
             * was on its way. A check that cannot run refuses; it never reads as an allow. */
            out->index = index;
            out->status = AEROLITH_ERR_UNAVAILABLE;
            out->decision = AEROLITH_AUTHORIZE_DENY;
            out->gate_closed = 1;
            pthread_setspecific(current_call, outer_call);
            return 0;
        }
        if (__builtin_expect(run->serial != NULL, 0)) pthread_mutex_lock(run->serial);
        context.instance = run->instance;
        call.tenant_state = run->tenant_state;
        uint64_t started = aerolith_dispatch_ticks();
        int stopped = 0;
        for (size_t position = 0; position < run->count; position++, index++) {
            *message_count = 0;
            aerolith_authorize_result result = {
                .struct_size = sizeof(aerolith_authorize_result), .decision = AEROLITH_AUTHORIZE_ALLOW,
            };
            aerolith_status status = hooks[position].authorize(hooks[position].user_data, &call, request, &result);
            if (__builtin_expect(status != AEROLITH_OK || result.decision != AEROLITH_AUTHORIZE_ALLOW, 0)) {
                out->index = index;
                out->status = status;
                out->decision = result.decision;
                stopped = 1;
                break;
            }
        }
        int64_t elapsed = (int64_t)(aerolith_dispatch_ticks() - started);
        if (__builtin_expect(run->serial != NULL, 0)) pthread_mutex_unlock(run->serial);
        aerolith_dispatch_gate_leave(run->gate);
        if (__builtin_expect(elapsed > budget_ticks && out->slow_ticks == 0, 0)) {
            out->slow_index = first;
            out->slow_ticks = elapsed;
        }
        if (__builtin_expect(stopped, 0)) {
            pthread_setspecific(current_call, outer_call);
            return 0;
        }
        run = next;
    }
    pthread_setspecific(current_call, outer_call);
    return 1;
}

#endif
