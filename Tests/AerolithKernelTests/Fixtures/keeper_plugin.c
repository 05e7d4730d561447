/* A plugin that breaks the context rules, for the host-function tests: its authorization hook
 * keeps the call's context past the callback, and two exported functions call state_put later,
 * as a thread of the plugin's own would: one with the kept hook context, one with the
 * process-wide context. Each returns the status state_put returned. */
#include "aerolith_plugin.h"

#include <string.h>

static const aerolith_host_api *api;
static aerolith_context *process_context;
static aerolith_context *kept_context;

static aerolith_slice text(const char *literal) { return (aerolith_slice){ literal, strlen(literal) }; }

static aerolith_status keep(void *user_data, const aerolith_call *call, const aerolith_authorize_request *request,
                            aerolith_authorize_result *result) {
    (void)user_data; (void)request; (void)result;
    kept_context = call->context;
    return api->state_put(call->context, text("during"), text("1"));
}

static int64_t put_with_kept_context(void) {
    return api->state_put(kept_context, text("kept"), text("1"));
}

static int64_t put_with_process_context(void) {
    return api->state_put(process_context, text("process"), text("1"));
}

static const aerolith_function_export kept = {
    .struct_size = sizeof(aerolith_function_export), .name = AEROLITH_SLICE_LITERAL("put_with_kept_context"),
    .signature = AEROLITH_SLICE_LITERAL("i64()"), .function = (aerolith_any_function)put_with_kept_context,
};
static const aerolith_function_export process = {
    .struct_size = sizeof(aerolith_function_export), .name = AEROLITH_SLICE_LITERAL("put_with_process_context"),
    .signature = AEROLITH_SLICE_LITERAL("i64()"), .function = (aerolith_any_function)put_with_process_context,
};
static const aerolith_function_export *const functions[] = { &kept, &process };

static const aerolith_hook_registration keep_hook = {
    .struct_size = sizeof(aerolith_hook_registration), .kind = AEROLITH_HOOK_AUTHORIZE,
    .name = AEROLITH_SLICE_LITERAL("keep"), .function = { .authorize = keep },
};
static const aerolith_hook_registration *const hooks[] = { &keep_hook };

static const aerolith_plugin_descriptor descriptor = {
    .struct_size = sizeof(aerolith_plugin_descriptor),
    .abi = { AEROLITH_ABI_VERSION_MAJOR, AEROLITH_ABI_VERSION_MINOR },
    .layout = AEROLITH_LAYOUT_INIT,
    .flags = AEROLITH_PLUGIN_REENTRANT,
    .name = AEROLITH_SLICE_LITERAL("keeper"),
    .version = AEROLITH_SLICE_LITERAL("1.0.0"),
    .hooks = hooks,
    .hook_count = 1,
    .functions = functions,
    .function_count = 2,
};

AEROLITH_EXPORT aerolith_status aerolith_plugin_init(const aerolith_host_init *host, const aerolith_plugin_descriptor **out) {
    api = host->api;
    process_context = host->plugin_context;
    *out = &descriptor;
    return AEROLITH_OK;
}
