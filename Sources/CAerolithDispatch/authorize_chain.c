#include "aerolith_dispatch.h"

#include <time.h>

/* The coarse monotonic clock: a few nanoseconds, millisecond-ish resolution, plenty against a
 * budget of tens of milliseconds. */
static int64_t coarse_milliseconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

int aerolith_dispatch_authorize(const aerolith_dispatch_link *links, size_t count, aerolith_slice tenant_id,
                                aerolith_slice request_id, aerolith_buffer *message, intptr_t *message_count,
                                const aerolith_authorize_request *request, int64_t budget_milliseconds,
                                aerolith_dispatch_outcome *out) {
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
        int64_t started = coarse_milliseconds();
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
        int64_t elapsed = coarse_milliseconds() - started;
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
