/*
 * hello_plugin.c — a small, complete Aerolith plugin in C.
 *
 * It offers:
 *   - a document before-write hook that rejects documents with a top-level key "forbidden"
 *     (problem code "forbidden_key");
 *   - an authorization hook that denies every request under /v1/collections/restricted;
 *   - an exported function add_i64 with signature "i64(i64,i64)".
 *
 * It keeps no mutable state, so it declares itself reentrant.
 *
 * Build:  make        (or: cc -shared -fPIC -std=c11 -Wall -Wextra -O2 -I../../include \
 *                          -o hello_plugin.so hello_plugin.c)
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "aerolith_plugin.h"

/* The host API table, kept from aerolith_plugin_init; valid until on_unload returns. */
static const aerolith_host_api *host_api;

/* ---- Small helpers ------------------------------------------------------------------- */

static bool slice_equals(aerolith_slice slice, const char *text, size_t len) {
    return slice.len == len && (len == 0 || memcmp(slice.data, text, len) == 0);
}

static bool slice_has_prefix(aerolith_slice slice, const char *prefix, size_t len) {
    return slice.len >= len && memcmp(slice.data, prefix, len) == 0;
}

/* Writes a message into a host buffer; a message that does not fit is dropped (the status
 * code still tells the host what happened). */
static void write_message(aerolith_buffer *buffer, const char *text) {
    if (buffer != NULL) (void)host_api->buffer_append(buffer, text, strlen(text));
}

/* ---- A tiny JSON scanner: just enough to walk the top-level keys of an object --------- */

typedef struct scanner {
    const char *cursor;
    const char *end;
} scanner;

static void skip_space(scanner *s) {
    while (s->cursor < s->end &&
           (*s->cursor == ' ' || *s->cursor == '\t' || *s->cursor == '\n' || *s->cursor == '\r')) {
        s->cursor++;
    }
}

/* At an opening quote: skips the string and returns its raw contents (escapes left as they
 * are) through *contents. Returns false on an unterminated string. */
static bool scan_string(scanner *s, aerolith_slice *contents) {
    const char *start = ++s->cursor; /* past the opening quote */
    while (s->cursor < s->end) {
        char c = *s->cursor;
        if (c == '\\') {
            if (s->end - s->cursor < 2) return false;
            s->cursor += 2; /* skip the escaped character ("\uXXXX" digits are plain chars) */
        } else if (c == '"') {
            *contents = aerolith_slice_make(start, (size_t)(s->cursor - start));
            s->cursor++;
            return true;
        } else {
            s->cursor++;
        }
    }
    return false;
}

/* Skips one JSON value of any kind, including nested objects and arrays. Returns false if
 * the text ends first. Nesting is tracked only by depth: the host has validated the JSON. */
static bool skip_value(scanner *s) {
    size_t depth = 0;
    while (s->cursor < s->end) {
        char c = *s->cursor;
        if (c == '"') {
            aerolith_slice ignored;
            if (!scan_string(s, &ignored)) return false;
            if (depth == 0) return true;
        } else if (c == '{' || c == '[') {
            depth++;
            s->cursor++;
        } else if (c == '}' || c == ']') {
            if (depth == 0) return true; /* end of the enclosing object: a scalar ended */
            depth--;
            s->cursor++;
            if (depth == 0) return true;
        } else if (c == ',' && depth == 0) {
            return true; /* end of a scalar */
        } else {
            s->cursor++;
        }
    }
    return depth == 0;
}

/* True if the JSON object in `body` has the top-level key `key` (compared as written; a key
 * spelled with escapes such as "forbidd\u0065n" is not recognised — fine for a demo). */
static bool has_top_level_key(aerolith_slice body, const char *key, size_t key_len) {
    scanner s = { body.data, body.data + body.len };
    skip_space(&s);
    if (s.cursor >= s.end || *s.cursor != '{') return false;
    s.cursor++;
    for (;;) {
        skip_space(&s);
        if (s.cursor >= s.end || *s.cursor != '"') return false; /* "}" or malformed */
        aerolith_slice name;
        if (!scan_string(&s, &name)) return false;
        if (slice_equals(name, key, key_len)) return true;
        skip_space(&s);
        if (s.cursor >= s.end || *s.cursor != ':') return false;
        s.cursor++;
        skip_space(&s);
        if (!skip_value(&s)) return false;
        skip_space(&s);
        if (s.cursor >= s.end || *s.cursor != ',') return false; /* "}" ends the object */
        s.cursor++;
    }
}

/* ---- Hooks ----------------------------------------------------------------------------- */

static aerolith_status reject_forbidden_key(void *user_data, const aerolith_call *call,
                                            const aerolith_document_write *write,
                                            aerolith_before_write_result *result) {
    (void)user_data;
    if (write->operation == AEROLITH_WRITE_DELETE) return AEROLITH_OK;
    if (has_top_level_key(write->body, "forbidden", sizeof("forbidden") - 1)) {
        static const aerolith_slice code = AEROLITH_SLICE_LITERAL("forbidden_key");
        result->action = AEROLITH_WRITE_REJECT;
        result->reject_code = code;
        write_message(call->message, "documents may not contain the top-level key \"forbidden\"");
    }
    return AEROLITH_OK;
}

static aerolith_status deny_restricted_collections(void *user_data, const aerolith_call *call,
                                                   const aerolith_authorize_request *request,
                                                   aerolith_authorize_result *result) {
    (void)user_data;
    static const char prefix[] = "/v1/collections/restricted";
    const size_t prefix_len = sizeof(prefix) - 1;
    /* The prefix itself, or the prefix followed by "/" — not "/v1/collections/restricted2". */
    if (slice_has_prefix(request->path, prefix, prefix_len) &&
        (request->path.len == prefix_len || request->path.data[prefix_len] == '/')) {
        result->decision = AEROLITH_AUTHORIZE_DENY;
        write_message(call->message, "the collection \"restricted\" is closed by hello_plugin");
    }
    return AEROLITH_OK;
}

static aerolith_status on_load(void *user_data, const aerolith_call *call) {
    (void)user_data;
    static const aerolith_slice text = AEROLITH_SLICE_LITERAL("hello_plugin loaded");
    host_api->log(call->context, AEROLITH_LOG_INFO, text);
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
    if (host->abi.major != AEROLITH_ABI_VERSION_MAJOR) {
        /* Without a matching major nothing else in `host` can be trusted, not even the table. */
        return AEROLITH_ERR_ABI_MISMATCH;
    }
    const uint64_t kinds_needed = AEROLITH_HOOK_KIND_BIT(AEROLITH_HOOK_DOCUMENT_BEFORE_WRITE) |
                                  AEROLITH_HOOK_KIND_BIT(AEROLITH_HOOK_AUTHORIZE);
    if (!AEROLITH_HOST_API_HAS(host->api, buffer_append) ||
        !AEROLITH_HOST_API_HAS(host->api, log)) {
        return AEROLITH_ERR_UNSUPPORTED;
    }
    host_api = host->api;
    if ((host->hook_kinds & kinds_needed) != kinds_needed) {
        write_message(host->message, "this host lacks the authorize or document before-write hook");
        return AEROLITH_ERR_UNSUPPORTED;
    }
    *descriptor_out = &descriptor;
    return AEROLITH_OK;
}
