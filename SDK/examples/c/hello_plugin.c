/*
 * hello_plugin.c — a small, complete Aerolith plugin in C.
 *
 * It offers:
 *   - a document before-write hook that rejects documents with a top-level key "forbidden"
 *     (problem code "forbidden_key");
 *   - an authorization hook that denies every request under /v1/collections/restricted;
 *   - an exported function add_i64 with signature "i64(i64,i64)".
 *
 * It keeps no mutable state, so it declares itself reentrant. It uses the helpers of
 * aerolith_plugin.h (aerolith_log, aerolith_reject, AEROLITH_SLICE, ...) and the JSON reader
 * of aerolith_json.h, both static inline: nothing to link.
 *
 * Build:  make        (or: cc -shared -fPIC -std=c11 -Wall -Wextra -O2 -I../../include \
 *                          -o hello_plugin.so hello_plugin.c)
 */

#include <stdint.h>
#include <string.h>

#include "aerolith_json.h"
#include "aerolith_plugin.h"

/* The host API table, kept from aerolith_plugin_init; valid until on_unload returns. */
static const aerolith_host_api *api;

/* ---- Hooks ----------------------------------------------------------------------------- */

static aerolith_status reject_forbidden_key(void *user_data, const aerolith_call *call,
                                            const aerolith_document_write *write,
                                            aerolith_before_write_result *result) {
    (void)user_data;
    if (write->operation == AEROLITH_WRITE_DELETE) return AEROLITH_OK;
    /* The key is compared after decoding escapes: "forbidd\u0065n" is caught too. */
    aerolith_json_value body, member;
    if (aerolith_json_parse(write->body, &body) != AEROLITH_OK) return AEROLITH_OK; /* the host validated it */
    if (aerolith_json_member(body, "forbidden", strlen("forbidden"), &member) == AEROLITH_OK) {
        return aerolith_reject(api, call, result, AEROLITH_SLICE("forbidden_key"),
                               AEROLITH_SLICE("documents may not contain the top-level key \"forbidden\""));
    }
    return AEROLITH_OK;
}

static aerolith_status deny_restricted_collections(void *user_data, const aerolith_call *call,
                                                   const aerolith_authorize_request *request,
                                                   aerolith_authorize_result *result) {
    (void)user_data;
    /* The hook sees the collection as the router matched it (percent-decoded). */
    if (aerolith_slice_equals(request->collection, AEROLITH_SLICE("restricted"))) {
        return aerolith_deny(api, call, result, AEROLITH_SLICE("the collection \"restricted\" is closed by hello_plugin"));
    }
    return AEROLITH_OK;
}

static aerolith_status on_load(void *user_data, const aerolith_call *call) {
    (void)user_data;
    aerolith_log(api, call, AEROLITH_LOG_INFO, AEROLITH_SLICE("hello_plugin loaded"));
    return AEROLITH_OK;
}

/* ---- Exported function ------------------------------------------------------------------ */

/* Exported with default visibility so it also shows in `nm -D`; the host reaches it through
 * the descriptor, not by symbol lookup. Wraps on overflow instead of invoking undefined
 * behaviour. */
AEROLITH_EXPORT int64_t add_i64(int64_t a, int64_t b);
AEROLITH_EXPORT int64_t add_i64(int64_t a, int64_t b) {
    return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* ---- Descriptor ---------------------------------------------------------------------------- */

static const aerolith_hook_registration before_write_hook = {
    .struct_size = sizeof(aerolith_hook_registration),
    .kind = AEROLITH_HOOK_DOCUMENT_BEFORE_WRITE,
    .name = AEROLITH_SLICE_LITERAL("reject-forbidden-key"),
    .function = { .before_write = reject_forbidden_key },
};

static const aerolith_hook_registration authorize_hook = {
    .struct_size = sizeof(aerolith_hook_registration),
    .kind = AEROLITH_HOOK_AUTHORIZE,
    .name = AEROLITH_SLICE_LITERAL("deny-restricted"),
    .function = { .authorize = deny_restricted_collections },
};

static const aerolith_hook_registration *const hooks[] = { &before_write_hook, &authorize_hook };

static const aerolith_function_export add_function = {
    .struct_size = sizeof(aerolith_function_export),
    .name = AEROLITH_SLICE_LITERAL("add_i64"),
    .signature = AEROLITH_SLICE_LITERAL("i64(i64,i64)"),
    .function = (aerolith_any_function)add_i64,
    .description = AEROLITH_SLICE_LITERAL("the sum of two 64-bit integers, wrapping on overflow"),
};

static const aerolith_function_export *const functions[] = { &add_function };

static const aerolith_plugin_descriptor descriptor = {
    .struct_size = sizeof(aerolith_plugin_descriptor),
    .abi = { AEROLITH_ABI_VERSION_MAJOR, AEROLITH_ABI_VERSION_MINOR },
    .layout = AEROLITH_LAYOUT_INIT,
    .flags = AEROLITH_PLUGIN_REENTRANT,
    .name = AEROLITH_SLICE_LITERAL("hello"),
    .version = AEROLITH_SLICE_LITERAL("1.0.0"),
    .build_id = AEROLITH_SLICE_LITERAL("example"),
    .description = AEROLITH_SLICE_LITERAL("rejects documents with a \"forbidden\" key"),
    .on_load = on_load,
    .hooks = hooks,
    .hook_count = sizeof(hooks) / sizeof(hooks[0]),
    .functions = functions,
    .function_count = sizeof(functions) / sizeof(functions[0]),
};

/* ---- Entry symbol ---------------------------------------------------------------------------- */

AEROLITH_EXPORT aerolith_status aerolith_plugin_init(
    const aerolith_host_init *host, const aerolith_plugin_descriptor **descriptor_out) {
    /* Without a matching major nothing else in `host` can be trusted, not even the table. */
    if (host->abi.major != AEROLITH_ABI_VERSION_MAJOR) return AEROLITH_ERR_ABI_MISMATCH;
    api = host->api;
    const uint64_t kinds_needed = AEROLITH_HOOK_KIND_BIT(AEROLITH_HOOK_DOCUMENT_BEFORE_WRITE) |
                                  AEROLITH_HOOK_KIND_BIT(AEROLITH_HOOK_AUTHORIZE);
    if ((host->hook_kinds & kinds_needed) != kinds_needed) {
        (void)aerolith_append(api, host->message, AEROLITH_SLICE("this host lacks the authorize or document before-write hook"));
        return AEROLITH_ERR_UNSUPPORTED;
    }
    *descriptor_out = &descriptor;
    return AEROLITH_OK;
}
