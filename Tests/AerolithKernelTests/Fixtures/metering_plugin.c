/* A plugin that watches usage and counts writes, for the security tests. Behaviour:
 *   events       all tenants, usage only; stores each record's idempotency id as the state key
 *                "usage/<id>" (a repeated id leaves one key)
 *   after-write  counts writes in the metric metering_writes{collection="<collection>"}: a
 *                label value the tenant chooses
 *                and keeps the last RECORDS_KEPT payloads whole
 *   route        /v1/metering: answers {"usage_ids":[...],"records":[...]} (the state keys,
 *                "usage/" kept; the kept payloads, oldest first)
 * Not reentrant: the host serialises every call into it. */
#include "aerolith_plugin.h"
#include <stdio.h>
#include <string.h>

static const aerolith_host_api *api;

static aerolith_slice text(const char *s) { return aerolith_slice_make(s, strlen(s)); }

/* The last payloads, a ring; calls are serialised by the host, so no lock. */
#define RECORDS_KEPT 16
#define RECORD_BYTES_MAX 512
static char records[RECORDS_KEPT][RECORD_BYTES_MAX];
static size_t record_lengths[RECORDS_KEPT];
static size_t records_seen;

static void keep(aerolith_slice payload) {
    if (payload.len > RECORD_BYTES_MAX) return;
    size_t slot = records_seen % RECORDS_KEPT;
    memcpy(records[slot], payload.data, payload.len);
    record_lengths[slot] = payload.len;
    records_seen++;
}

/* The string value of "idempotency_id" in a usage payload; ids are plain ASCII without escapes. */
static aerolith_slice idempotency_id(aerolith_slice payload) {
    static const char member[] = "\"idempotency_id\":\"";
    size_t n = sizeof(member) - 1;
    for (size_t i = 0; i + n <= payload.len; i++) {
        if (memcmp(payload.data + i, member, n) != 0) continue;
        size_t start = i + n, end = start;
        while (end < payload.len && payload.data[end] != '"') end++;
        return aerolith_slice_make(payload.data + start, end - start);
    }
    return aerolith_slice_make("", 0);
}

static aerolith_status events(void *user_data, const aerolith_call *call, const aerolith_event *list, size_t count) {
    (void)user_data;
    for (size_t i = 0; i < count; i++) {
        if (list[i].kind != AEROLITH_EVENT_USAGE) continue;
        keep(list[i].payload);
        aerolith_slice id = idempotency_id(list[i].payload);
        char key[256];
        int n = snprintf(key, sizeof(key), "usage/%.*s", (int)(id.len < 200 ? id.len : 200), id.data);
        aerolith_status status = api->state_put(call->context, aerolith_slice_make(key, (size_t)n), text("1"));
        if (status != AEROLITH_OK) return status;
    }
    return AEROLITH_OK;
}

static aerolith_status after_write(void *user_data, const aerolith_call *call, const aerolith_document_write *write) {
    (void)user_data;
    char labels[160];
    int n = snprintf(labels, sizeof(labels), "collection=%.*s", (int)(write->collection.len < 128 ? write->collection.len : 128),
                     write->collection.data);
    return api->metric_counter_add(call->context, text("metering_writes"), aerolith_slice_make(labels, (size_t)n), 1);
}

static aerolith_status route(void *user_data, const aerolith_call *call, const aerolith_route_request *request,
                             aerolith_route_response *response) {
    (void)user_data;
    (void)request;
    char keys[4096] = "";
    size_t keys_len = 0;
    aerolith_status status = api->state_list(call->context, text("usage/"), text(""), 100, keys, sizeof(keys) - 1, &keys_len);
    if (status != AEROLITH_OK) return status;
    api->buffer_append(response->body, "{\"usage_ids\":", 13);
    api->buffer_append(response->body, keys, keys_len);
    api->buffer_append(response->body, ",\"records\":[", 12);
    size_t first = records_seen > RECORDS_KEPT ? records_seen - RECORDS_KEPT : 0;
    for (size_t n = first; n < records_seen; n++) {
        if (n > first) api->buffer_append(response->body, ",", 1);
        api->buffer_append(response->body, records[n % RECORDS_KEPT], record_lengths[n % RECORDS_KEPT]);
    }
    return api->buffer_append(response->body, "]}", 2);
}

static const aerolith_hook_registration events_hook = {
    .struct_size = sizeof(aerolith_hook_registration), .kind = AEROLITH_HOOK_EVENTS, .flags = AEROLITH_HOOK_FLAG_ALL_TENANTS,
    .name = AEROLITH_SLICE_LITERAL("usage"), .function = { .events = events },
    .event_mask = AEROLITH_EVENT_USAGE, .event_payload_version = 1,
};

static const aerolith_hook_registration after_hook = {
    .struct_size = sizeof(aerolith_hook_registration), .kind = AEROLITH_HOOK_DOCUMENT_AFTER_WRITE, .flags = AEROLITH_HOOK_FLAG_ALL_TENANTS,
    .name = AEROLITH_SLICE_LITERAL("count"), .function = { .after_write = after_write },
};

static const aerolith_hook_registration route_hook = {
    .struct_size = sizeof(aerolith_hook_registration), .kind = AEROLITH_HOOK_ROUTE, .flags = AEROLITH_HOOK_FLAG_ALL_TENANTS,
    .name = AEROLITH_SLICE_LITERAL("report"), .function = { .route = route },
    .route_prefix = AEROLITH_SLICE_LITERAL("metering"), .route_permission = AEROLITH_SLICE_LITERAL(AEROLITH_PERMISSION_DOCUMENTS_READ),
};

static const aerolith_hook_registration *const hooks[] = { &events_hook, &after_hook, &route_hook };

static const aerolith_plugin_descriptor descriptor = {
    .struct_size = sizeof(aerolith_plugin_descriptor),
    .abi = { AEROLITH_ABI_VERSION_MAJOR, AEROLITH_ABI_VERSION_MINOR },
    .layout = AEROLITH_LAYOUT_INIT,
    .name = AEROLITH_SLICE_LITERAL("metering"),
    .version = AEROLITH_SLICE_LITERAL("1.0.0"),
    .hooks = hooks,
    .hook_count = sizeof(hooks) / sizeof(hooks[0]),
};

AEROLITH_EXPORT aerolith_status aerolith_plugin_init(const aerolith_host_init *host, const aerolith_plugin_descriptor **out) {
    if (host->abi.major != AEROLITH_ABI_VERSION_MAJOR) return AEROLITH_ERR_ABI_MISMATCH;
    api = host->api;
    *out = &descriptor;
    return AEROLITH_OK;
}
