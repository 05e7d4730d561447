/* A plugin with one hook of every kind, for the tests. -D knobs: PLUGIN_NAME, PLUGIN_VERSION,
 * ROUTE_PREFIX. Behaviour:
 *   authorize        denies any path containing "/collections/secret", and the collection "blocked";
 *                    takes 80 ms over the collection "slow" (more than the hook budget) and allows
 *   before-write     rejects bodies containing "reject":true (code rejected_by_fixture);
 *                    otherwise prepends "stamped_by":"<name>" (and "tag":"<t>" when the tenant's
 *                    settings hold {"tag":"<t>"})
 *   after-write      counts writes (metric fixture_writes) and stores the id as "last_write"
 *   events           all tenants; counts events per kind in state "events/<kind>"
 *   authenticate     "Bearer fixture:<tenant id>:<role>" → authenticated; "fixture:reject" → rejected
 *   isolation        table prefix "iso_<tenant id without tn_>" in the shared database
 *   route            /v1/<ROUTE_PREFIX>: GET reports state as JSON; POST stores the body as "note"
 *   function         price_i64(documents, bytes) = documents * 10 + bytes / 1000
 * Not reentrant: the host serialises every call into it. */
#define _POSIX_C_SOURCE 200809L /* nanosleep under -std=c11 */
#include "aerolith_plugin.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef PLUGIN_NAME
#define PLUGIN_NAME "fixture"
#endif
#ifndef PLUGIN_VERSION
#define PLUGIN_VERSION "1.0.0"
#endif
#ifndef ROUTE_PREFIX
#define ROUTE_PREFIX "fixture"
#endif

static const aerolith_host_api *api;

typedef struct tenant_state {
    char tag[64];
} tenant_state;

static aerolith_slice text(const char *s) { return aerolith_slice_make(s, strlen(s)); }

static void say(aerolith_buffer *buffer, const char *message) { api->buffer_append(buffer, message, strlen(message)); }

static int contains(aerolith_slice haystack, const char *needle) {
    size_t n = strlen(needle);
    if (n == 0 || haystack.len < n) return 0;
    for (size_t i = 0; i + n <= haystack.len; i++) {
        if (memcmp(haystack.data + i, needle, n) == 0) return 1;
    }
    return 0;
}

static long long state_number(aerolith_context *context, const char *key) {
    char value[32];
    size_t length = 0;
    if (api->state_get(context, text(key), value, sizeof(value) - 1, &length) != AEROLITH_OK) return 0;
    value[length] = 0;
    return atoll(value);
}

static aerolith_status on_activate(void *user_data, const aerolith_call *call, aerolith_slice settings, void **state_out) {
    (void)user_data;
    (void)call;
    tenant_state *state = calloc(1, sizeof(tenant_state));
    if (state == NULL) return AEROLITH_ERR_UNAVAILABLE;
    const char *tag = NULL;
    for (size_t i = 0; i + 7 <= settings.len; i++) {
        if (memcmp(settings.data + i, "\"tag\":\"", 7) == 0) { tag = settings.data + i + 7; break; }
    }
    if (tag != NULL) {
        size_t n = 0;
        while (tag + n < settings.data + settings.len && tag[n] != '"' && n < sizeof(state->tag) - 1) n++;
        memcpy(state->tag, tag, n);
    }
    *state_out = state;
    return AEROLITH_OK;
}

static aerolith_status on_deactivate(void *user_data, const aerolith_call *call) {
    (void)user_data;
    free(call->tenant_state);
    return AEROLITH_OK;
}

static aerolith_status on_configure(void *user_data, const aerolith_call *call, aerolith_slice configuration) {
    (void)user_data;
    if (contains(configuration, "\"fail_configure\":true")) {
        say(call->message, "configuration asked to fail");
        return AEROLITH_ERR_CONFIGURATION;
    }
    return AEROLITH_OK;
}

static aerolith_status authorize(void *user_data, const aerolith_call *call, const aerolith_authorize_request *request,
                                 aerolith_authorize_result *result) {
    (void)user_data;
    if (contains(request->path, "/collections/secret")) {
        result->decision = AEROLITH_AUTHORIZE_DENY;
        say(call->message, "secret is closed by " PLUGIN_NAME);
    } else if (request->collection.len == 7 && memcmp(request->collection.data, "blocked", 7) == 0) {
        result->decision = AEROLITH_AUTHORIZE_DENY;
        say(call->message, "the collection blocked is closed");
    } else if (request->collection.len == 4 && memcmp(request->collection.data, "slow", 4) == 0) {
        struct timespec pause = { .tv_sec = 0, .tv_nsec = 80 * 1000 * 1000 };
        nanosleep(&pause, NULL);
    }
    return AEROLITH_OK;
}

static aerolith_status before_write(void *user_data, const aerolith_call *call, const aerolith_document_write *write,
                                    aerolith_before_write_result *result) {
    (void)user_data;
    if (write->operation == AEROLITH_WRITE_DELETE) return AEROLITH_OK;
    if (contains(write->body, "\"reject\":true")) {
        static const aerolith_slice code = AEROLITH_SLICE_LITERAL("rejected_by_fixture");
        result->action = AEROLITH_WRITE_REJECT;
        result->reject_code = code;
        say(call->message, "the fixture rejects this document");
        return AEROLITH_OK;
    }
    char head[160];
    const tenant_state *state = call->tenant_state;
    int n = snprintf(head, sizeof(head), "{\"stamped_by\":\"%s\"%s%s%s", PLUGIN_NAME,
                     state && state->tag[0] ? ",\"tag\":\"" : "", state && state->tag[0] ? state->tag : "",
                     state && state->tag[0] ? "\"" : "");
    /* Drop "stamped_by"/"tag" already present? The fixture only stamps bodies without them. */
    if (contains(write->body, "\"stamped_by\"")) return AEROLITH_OK;
    result->action = AEROLITH_WRITE_TRANSFORM;
    if (api->buffer_append(result->body, head, (size_t)n) != AEROLITH_OK) return AEROLITH_ERR_LIMIT_EXCEEDED;
    /* The rest of the object after its "{": "}" alone, or members that need a leading comma. */
    const char *rest = write->body.data + 1;
    size_t rest_len = write->body.len - 1;
    size_t first = 0;
    while (first < rest_len && (rest[first] == ' ' || rest[first] == '\n')) first++;
    if (first < rest_len && rest[first] != '}') api->buffer_append(result->body, ",", 1);
    return api->buffer_append(result->body, rest, rest_len);
}

static aerolith_status after_write(void *user_data, const aerolith_call *call, const aerolith_document_write *write) {
    (void)user_data;
    static const char *kinds[] = { "none", "create", "replace", "patch", "delete" };
    char labels[32];
    snprintf(labels, sizeof(labels), "operation=%s", kinds[write->operation <= 4 ? write->operation : 0]);
    api->metric_counter_add(call->context, text("fixture_writes"), text(labels), 1);
    return api->state_put(call->context, text("last_write"), write->document_id);
}

static aerolith_status events(void *user_data, const aerolith_call *call, const aerolith_event *list, size_t count) {
    (void)user_data;
    for (size_t i = 0; i < count; i++) {
        const char *key = list[i].kind == AEROLITH_EVENT_DOCUMENT ? "events/document"
                        : list[i].kind == AEROLITH_EVENT_TENANT ? "events/tenant" : "events/usage";
        char value[32];
        int n = snprintf(value, sizeof(value), "%lld", state_number(call->context, key) + 1);
        aerolith_status status = api->state_put(call->context, text(key), aerolith_slice_make(value, (size_t)n));
        if (status != AEROLITH_OK) return status;
    }
    return AEROLITH_OK;
}

static aerolith_status authenticate(void *user_data, const aerolith_call *call, const aerolith_authenticate_request *request,
                                    aerolith_authenticate_result *result) {
    (void)user_data;
    aerolith_slice credentials = request->credentials;
    if (credentials.len < 8 || memcmp(credentials.data, "fixture:", 8) != 0) return AEROLITH_OK; /* not mine: pass */
    if (credentials.len == 14 && memcmp(credentials.data, "fixture:reject", 14) == 0) {
        result->outcome = AEROLITH_AUTHENTICATE_REJECTED;
        say(call->message, "the fixture rejects this credential");
        return AEROLITH_OK;
    }
    const char *tenant = credentials.data + 8;
    const char *colon = memchr(tenant, ':', credentials.len - 8);
    if (colon == NULL) return AEROLITH_OK;
    char claims[256];
    int n = snprintf(claims, sizeof(claims), "{\"subject\":\"sso-user\",\"tenant_id\":\"%.*s\",\"role\":\"%.*s\"}",
                     (int)(colon - tenant), tenant, (int)(credentials.data + credentials.len - colon - 1), colon + 1);
    result->outcome = AEROLITH_AUTHENTICATE_AUTHENTICATED;
    return api->buffer_append(result->claims, claims, (size_t)n);
}

static aerolith_status isolation(void *user_data, const aerolith_call *call, const aerolith_isolation_request *request,
                                 aerolith_isolation_result *result) {
    (void)user_data;
    if (request->operation == AEROLITH_ISOLATION_REMOVE) return AEROLITH_OK;
    if (call->tenant_id.len < 3) return AEROLITH_ERR_INVALID_ARGUMENT;
    api->buffer_append(result->database, "main", 4);
    api->buffer_append(result->table_prefix, "iso_", 4);
    return api->buffer_append(result->table_prefix, call->tenant_id.data + 3, call->tenant_id.len - 3);
}

static aerolith_status route(void *user_data, const aerolith_call *call, const aerolith_route_request *request,
                             aerolith_route_response *response) {
    (void)user_data;
    if (request->method.len == 4 && memcmp(request->method.data, "POST", 4) == 0) {
        aerolith_status status = api->state_put(call->context, text("note"), request->body);
        if (status != AEROLITH_OK) return status;
        response->http_status = 204;
        return AEROLITH_OK;
    }
    char last[129] = "";
    size_t last_len = 0;
    if (api->state_get(call->context, text("last_write"), last, sizeof(last) - 1, &last_len) == AEROLITH_OK) last[last_len] = 0;
    char note[256] = "";
    size_t note_len = 0;
    if (api->state_get(call->context, text("note"), note, sizeof(note) - 1, &note_len) == AEROLITH_OK) note[note_len] = 0;
    char keys[512] = "";
    size_t keys_len = 0;
    if (api->state_list(call->context, text("events/"), text(""), 10, keys, sizeof(keys) - 1, &keys_len) == AEROLITH_OK) keys[keys_len] = 0;
    char body[1536];
    int n = snprintf(body, sizeof(body),
                     "{\"plugin\":\"%s\",\"tenant\":\"%.*s\",\"role\":\"%.*s\",\"path\":\"%.*s\",\"last_write\":\"%s\","
                     "\"note\":\"%s\",\"event_keys\":%s,\"events_document\":%lld,\"events_usage\":%lld,\"events_tenant\":%lld}",
                     PLUGIN_NAME, (int)call->tenant_id.len, call->tenant_id.data, (int)request->role.len, request->role.data,
                     (int)request->path.len, request->path.data, last, note, keys_len ? keys : "[]",
                     state_number(call->context, "events/document"), state_number(call->context, "events/usage"),
                     state_number(call->context, "events/tenant"));
    return api->buffer_append(response->body, body, (size_t)n);
}

static int64_t price_i64(int64_t documents, int64_t bytes) { return documents * 10 + bytes / 1000; }

#define REGISTRATION(variable, hook_kind, hook_name, member, fn)                                        \
    static const aerolith_hook_registration variable = {                                               \
        .struct_size = sizeof(aerolith_hook_registration), .kind = hook_kind,                          \
        .name = AEROLITH_SLICE_LITERAL(hook_name), .function = { .member = fn } }

REGISTRATION(authorize_hook, AEROLITH_HOOK_AUTHORIZE, "guard", authorize, authorize);
REGISTRATION(before_hook, AEROLITH_HOOK_DOCUMENT_BEFORE_WRITE, "stamp", before_write, before_write);
REGISTRATION(after_hook, AEROLITH_HOOK_DOCUMENT_AFTER_WRITE, "count", after_write, after_write);
REGISTRATION(authenticate_hook, AEROLITH_HOOK_AUTHENTICATE, "sso", authenticate, authenticate);
REGISTRATION(isolation_hook, AEROLITH_HOOK_ISOLATION, "prefix", isolation, isolation);

static const aerolith_hook_registration events_hook = {
    .struct_size = sizeof(aerolith_hook_registration), .kind = AEROLITH_HOOK_EVENTS, .flags = AEROLITH_HOOK_FLAG_ALL_TENANTS,
    .name = AEROLITH_SLICE_LITERAL("tally"), .function = { .events = events },
    .event_mask = AEROLITH_EVENT_DOCUMENT | AEROLITH_EVENT_TENANT | AEROLITH_EVENT_USAGE, .event_payload_version = 1,
};

static const aerolith_hook_registration route_hook = {
    .struct_size = sizeof(aerolith_hook_registration), .kind = AEROLITH_HOOK_ROUTE,
    .name = AEROLITH_SLICE_LITERAL("report"), .function = { .route = route },
    .route_prefix = AEROLITH_SLICE_LITERAL(ROUTE_PREFIX), .route_permission = AEROLITH_SLICE_LITERAL(AEROLITH_PERMISSION_DOCUMENTS_READ),
};

static const aerolith_hook_registration *const hooks[] = {
    &authorize_hook, &before_hook, &after_hook, &events_hook, &authenticate_hook, &isolation_hook, &route_hook,
};

static const aerolith_function_export price = {
    .struct_size = sizeof(aerolith_function_export), .name = AEROLITH_SLICE_LITERAL("price_i64"),
    .signature = AEROLITH_SLICE_LITERAL("i64(i64,i64)"), .function = (aerolith_any_function)price_i64,
    .description = AEROLITH_SLICE_LITERAL("10 per document plus 1 per kilobyte"),
};
static const aerolith_function_export *const functions[] = { &price };

static const aerolith_plugin_descriptor descriptor = {
    .struct_size = sizeof(aerolith_plugin_descriptor),
    .abi = { AEROLITH_ABI_VERSION_MAJOR, AEROLITH_ABI_VERSION_MINOR },
    .layout = AEROLITH_LAYOUT_INIT,
    .name = AEROLITH_SLICE_LITERAL(PLUGIN_NAME),
    .version = AEROLITH_SLICE_LITERAL(PLUGIN_VERSION),
    .on_configure = on_configure,
    .on_activate = on_activate,
    .on_deactivate = on_deactivate,
    .hooks = hooks,
    .hook_count = sizeof(hooks) / sizeof(hooks[0]),
    .functions = functions,
    .function_count = 1,
};

AEROLITH_EXPORT aerolith_status aerolith_plugin_init(const aerolith_host_init *host, const aerolith_plugin_descriptor **out) {
    if (host->abi.major != AEROLITH_ABI_VERSION_MAJOR) return AEROLITH_ERR_ABI_MISMATCH;
    api = host->api;
    *out = &descriptor;
    return AEROLITH_OK;
}
