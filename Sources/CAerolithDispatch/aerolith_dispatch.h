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
 * One hook of a tenant's authorization chain, in chain order. Consecutive hooks behind the
 * same gate (one plugin's hooks for one tenant) form a run: they share one pass through the
 * gate, one hold of the plugin's lock and one timing against the budget. */
typedef struct aerolith_dispatch_link {
    aerolith_authorize_fn authorize;
    void *user_data;
    void *tenant_state;           /* what on_activate stored for the tenant, or NULL */
    intptr_t *gate;
    pthread_mutex_t *serial;      /* the plugin's lock, or NULL when it is reentrant */
    void *instance;
    size_t run;                   /* on the first link of a run, the run's length; else 0 */
} aerolith_dispatch_link;

/* What stopped a chain, and the first run slower than the budget. */
typedef struct aerolith_dispatch_outcome {
    size_t index;                 /* the link that denied or failed */
    aerolith_status status;       /* its status (AEROLITH_OK when it denied) */
    uint32_t decision;            /* the decision it wrote */
    size_t slow_index;            /* the first link of the slow run */
    int64_t slow_milliseconds;    /* 0 when no run was slow */
} aerolith_dispatch_outcome;

/* The coarse monotonic clock: a few nanoseconds, millisecond-ish resolution, plenty against a
 * budget of tens of milliseconds. */
static inline int64_t aerolith_dispatch_coarse_milliseconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* Runs `links` in order with one call record for `tenant_id` and `request_id`; `message` is the
 * host buffer the plugins write reasons into and `message_count` its byte count, cleared
 * before each call. Returns 1 when every link that ran allowed the request (links behind a
 * closed gate are skipped), 0 when `out->index` denied it or failed. */
__attribute__((always_inline)) static inline int aerolith_dispatch_authorize(
    const aerolith_dispatch_link *links, size_t count, aerolith_slice tenant_id, aerolith_slice request_id,
    aerolith_buffer *message, intptr_t *message_count, const aerolith_authorize_request *request,
    int64_t budget_milliseconds, aerolith_dispatch_outcome *out) {
    aerolith_dispatch_context context = { .instance = NULL, .tenant_id = tenant_id, .request_id = request_id };
    aerolith_call call = {
        .struct_size = sizeof(aerolith_call), .context = (aerolith_context *)&context,
        .tenant_id = tenant_id, .request_id = request_id, .message = message,
    };
    out->slow_milliseconds = 0;
    size_t index = 0;
    while (index < count) {
        const aerolith_dispatch_link *first = &links[index];
        size_t end = index + first->run;
        if (!aerolith_dispatch_gate_enter(first->gate)) {
            index = end;  /* detached while this request was on its way: as if not there */
            continue;
        }
        if (first->serial) pthread_mutex_lock(first->serial);
        context.instance = first->instance;
        int64_t started = aerolith_dispatch_coarse_milliseconds();
        int stopped = 0;
        for (; index < end; index++) {
            const aerolith_dispatch_link *link = &links[index];
            call.tenant_state = link->tenant_state;
            *message_count = 0;
            aerolith_authorize_result result = {
                .struct_size = sizeof(aerolith_authorize_result), .decision = AEROLITH_AUTHORIZE_ALLOW,
            };
            aerolith_status status = link->authorize(link->user_data, &call, request, &result);
            if (status != AEROLITH_OK || result.decision != AEROLITH_AUTHORIZE_ALLOW) {
                out->index = index;
                out->status = status;
                out->decision = result.decision;
                stopped = 1;
                break;
            }
        }
        int64_t elapsed = aerolith_dispatch_coarse_milliseconds() - started;
        if (first->serial) pthread_mutex_unlock(first->serial);
        aerolith_dispatch_gate_leave(first->gate);
        if (elapsed > budget_milliseconds && out->slow_milliseconds == 0) {
            out->slow_index = (size_t)(first - links);
            out->slow_milliseconds = elapsed;
        }
        if (stopped) return 0;
    }
    return 1;
}

#endif
