/* A plugin whose behaviour the tests choose with -D flags, to exercise each negotiation rule. */
#include "aerolith_plugin.h"
#include <string.h>

#ifndef ABI_MAJOR
#define ABI_MAJOR AEROLITH_ABI_VERSION_MAJOR
#endif
#ifndef ABI_MINOR
#define ABI_MINOR AEROLITH_ABI_VERSION_MINOR
#endif
#ifndef PLUGIN_NAME
#define PLUGIN_NAME "configurable"
#endif
/* TAIL 0: the 1.0 descriptor; 1: a larger descriptor with a zero tail; 2: non-zero tail. */
#ifndef TAIL
#define TAIL 0
#endif

static const aerolith_host_api *api;

static int64_t add_i64(int64_t a, int64_t b) { return a + b; }

static const aerolith_function_export add = {
    .struct_size = sizeof(aerolith_function_export),
    .name = AEROLITH_SLICE_LITERAL("add_i64"),
    .signature = AEROLITH_SLICE_LITERAL("i64(i64,i64)"),
    .function = (aerolith_any_function)add_i64,
    .description = AEROLITH_SLICE_LITERAL("adds two integers"),
};
static const aerolith_function_export *const functions[] = { &add };

static aerolith_status on_load(void *user_data, const aerolith_call *call) {
    (void)user_data;
#ifdef FAIL_LOAD
    static const char reason[] = "cannot reach the licence server";
    api->buffer_append(call->message, reason, sizeof(reason) - 1);
    return AEROLITH_ERR_UNAVAILABLE;
#else
    (void)call;
    return AEROLITH_OK;
#endif
}

static struct {
    aerolith_plugin_descriptor base;
    uint64_t later_fields[2];
} descriptor;

AEROLITH_EXPORT aerolith_status aerolith_plugin_init(const aerolith_host_init *host,
                                                     const aerolith_plugin_descriptor **out) {
    api = host->api;
#ifdef FAIL_INIT
    static const char reason[] = "no licence key configured";
    api->buffer_append(host->message, reason, sizeof(reason) - 1);
    return AEROLITH_ERR_CONFIGURATION;
#endif
    aerolith_plugin_descriptor base = {
        .struct_size = (uint32_t)(sizeof(aerolith_plugin_descriptor) + (TAIL ? sizeof(descriptor.later_fields) : 0)),
        .abi = { ABI_MAJOR, ABI_MINOR },
        .layout = AEROLITH_LAYOUT_INIT,
        .flags = AEROLITH_PLUGIN_REENTRANT,
        .name = AEROLITH_SLICE_LITERAL(PLUGIN_NAME),
        .version = AEROLITH_SLICE_LITERAL("1.2.3"),
        .build_id = AEROLITH_SLICE_LITERAL("test"),
        .on_load = on_load,
        .functions = functions,
        .function_count = 1,
    };
#ifdef POINTER_BYTES
    base.layout.pointer_bytes = POINTER_BYTES;
#endif
    descriptor.base = base;
    if (TAIL == 2) descriptor.later_fields[1] = 42;
    *out = &descriptor.base;
    return AEROLITH_OK;
}
