/* Three authorization hooks for the chain tests, built under two names:
 *   note    writes a message and allows: the next hook's message must not carry it
 *   deny    denies paths containing "deny-<PLUGIN_NAME>" with the message "denied by <PLUGIN_NAME>"
 *   fail    fails paths containing "fail-<PLUGIN_NAME>" with AEROLITH_ERR_INTERNAL and a message
 * Each checks that it sees the tenant state its on_activate stored (failing otherwise). */
#include "aerolith_plugin.h"

#include <stdlib.h>
#include <string.h>

#ifndef PLUGIN_NAME
#define PLUGIN_NAME "chain-a"
#endif
#ifndef PLUGIN_FLAGS
#define PLUGIN_FLAGS 0
#endif
/* Offsets this plugin's priorities, so each plugin's three hooks run back to back. */
#ifndef PRIORITY_BASE
#define PRIORITY_BASE 0
#endif

static const aerolith_host_api *api;
static const char state_tag[] = "state of " PLUGIN_NAME;

static void say(aerolith_buffer *buffer, const char *message) { api->buffer_append(buffer, message, strlen(message)); }

static int contains(aerolith_slice haystack, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; n > 0 && i + n <= haystack.len; i++) {
        if (memcmp(haystack.data + i, needle, n) == 0) return 1;
    }
    return 0;
}

static aerolith_status on_activate(void *user_data, const aerolith_call *call, aerolith_slice settings, void **tenant_state) {
    (void)user_data; (void)call; (void)settings;
    *tenant_state = (void *)state_tag;
    return AEROLITH_OK;
}

static aerolith_status on_deactivate(void *user_data, const aerolith_call *call) {
    (void)user_data; (void)call;
    return AEROLITH_OK;
}

static aerolith_status note(void *user_data, const aerolith_call *call, const aerolith_authorize_request *request,
                            aerolith_authorize_result *result) {
    (void)user_data; (void)request; (void)result;
    say(call->message, "a note that must not leak into the next hook's message; ");
    return call->tenant_state == state_tag ? AEROLITH_OK : AEROLITH_ERR_INTERNAL;
}

static aerolith_status deny(void *user_data, const aerolith_call *call, const aerolith_authorize_request *request,
                            aerolith_authorize_result *result) {
    (void)user_data;
    if (call->tenant_state != state_tag) return AEROLITH_ERR_INTERNAL;
    if (contains(request->path, "deny-" PLUGIN_NAME)) {
        result->decision = AEROLITH_AUTHORIZE_DENY;
        say(call->message, "denied by " PLUGIN_NAME);
    }
    return AEROLITH_OK;
}

static aerolith_status fail(void *user_data, const aerolith_call *call, const aerolith_authorize_request *request,
                            aerolith_authorize_result *result) {
    (void)user_data; (void)result;
    if (contains(request->path, "fail-" PLUGIN_NAME)) {
        say(call->message, PLUGIN_NAME " failed");
        return AEROLITH_ERR_INTERNAL;
    }
    return AEROLITH_OK;
}

#define HOOK(variable, hook_name, fn, hook_priority) \
    static const aerolith_hook_registration variable = { .struct_size = sizeof(aerolith_hook_registration), \
        .kind = AEROLITH_HOOK_AUTHORIZE, .name = AEROLITH_SLICE_LITERAL(hook_name), .priority = hook_priority, \
        .function = { .authorize = fn } };
HOOK(note_hook, "note", note, PRIORITY_BASE + 1)
HOOK(deny_hook, "deny", deny, PRIORITY_BASE + 2)
HOOK(fail_hook, "fail", fail, PRIORITY_BASE + 3)

static const aerolith_hook_registration *const hooks[] = { &note_hook, &deny_hook, &fail_hook };

static const aerolith_plugin_descriptor descriptor = {
    .struct_size = sizeof(aerolith_plugin_descriptor),
    .abi = { AEROLITH_ABI_VERSION_MAJOR, AEROLITH_ABI_VERSION_MINOR },
    .layout = AEROLITH_LAYOUT_INIT,
    .flags = PLUGIN_FLAGS,
    .name = AEROLITH_SLICE_LITERAL(PLUGIN_NAME),
    .version = AEROLITH_SLICE_LITERAL("1.0.0"),
    .on_activate = on_activate,
    .on_deactivate = on_deactivate,
    .hooks = hooks,
    .hook_count = 3,
};

AEROLITH_EXPORT aerolith_status aerolith_plugin_init(const aerolith_host_init *host, const aerolith_plugin_descriptor **out) {
    api = host->api;
    *out = &descriptor;
    return AEROLITH_OK;
}
