/*
 * aerolith_plugin.h — the Aerolith plugin ABI, version 1.0.
 *
 * This header is a plugin author's whole world: a plugin includes it, defines one function,
 * `aerolith_plugin_init`, and is built into a shared object that an operator drops into a
 * plugin directory. A plugin never links against Aerolith; everything it may call arrives
 * through the host API table given to `aerolith_plugin_init`.
 *
 * A minimal plugin (examples/c/hello_plugin.c is a complete one; the helpers at the end of this
 * header, and the JSON reader in aerolith_json.h, save most of the ceremony):
 *
 *     #include "aerolith_plugin.h"
 *
 *     static const aerolith_plugin_descriptor descriptor = {
 *         .struct_size = sizeof(aerolith_plugin_descriptor),
 *         .abi = { AEROLITH_ABI_VERSION_MAJOR, AEROLITH_ABI_VERSION_MINOR },
 *         .layout = AEROLITH_LAYOUT_INIT,
 *         .flags = AEROLITH_PLUGIN_REENTRANT,
 *         .name = AEROLITH_SLICE_LITERAL("minimal"),
 *         .version = AEROLITH_SLICE_LITERAL("1.0.0"),
 *         // everything else zero: no lifecycle callbacks, no hooks, no functions
 *     };
 *
 *     AEROLITH_EXPORT aerolith_status aerolith_plugin_init(
 *         const aerolith_host_init *host, const aerolith_plugin_descriptor **descriptor_out) {
 *         if (host->abi.major != AEROLITH_ABI_VERSION_MAJOR) return AEROLITH_ERR_ABI_MISMATCH;
 *         *descriptor_out = &descriptor;
 *         return AEROLITH_OK;
 *     }
 *
 * ==========================================================================================
 * COMPATIBILITY POLICY (the promise this header makes, and the rules that keep it)
 * ==========================================================================================
 *
 * 1. The ABI has a version {major, minor}. Both sides state theirs at init: the host in
 *    `aerolith_host_init.abi`, the plugin in `aerolith_plugin_descriptor.abi`.
 *    - Same major, any minor, in either direction: the plugin loads. An older plugin on a
 *      newer host simply does not use what is newer; a newer plugin on an older host must
 *      check before it uses anything newer than the host's minor (see rules 3–5).
 *    - Different major: the host refuses the plugin and lists the reason field by field
 *      (ABI major, and each entry of the layout fingerprint that differs).
 *    There is no whole-build hash: a plugin built once keeps loading on every 1.x host.
 *
 * 2. One entry symbol, frozen forever: `aerolith_plugin_init` (AEROLITH_PLUGIN_INIT_SYMBOL).
 *    It is never renamed, versioned or wrapped in a macro.
 *
 * 3. Every struct that crosses the boundary in either direction starts with
 *    `uint32_t struct_size` = sizeof the struct as the *writer* compiled it. Within a major
 *    version structs only grow, by appending fields at the end; a field is never removed,
 *    reordered, retyped or given a new meaning. A retired field stays, documented as ignored.
 *    - Structs the plugin hands over (descriptor, hook registrations, function exports): the
 *      host copies min(struct_size, the size it knows) into a zeroed struct. A struct larger
 *      than the host knows is accepted only if its unknown tail is all zero bytes (the
 *      "zero-tail rule"); otherwise the plugin is refused, because it asked for something
 *      this host cannot do. Zero is therefore always the default of a new field.
 *    - Structs the host hands over (inputs, results, the call, the host API table): before
 *      reading or writing a field added after 1.0, a plugin checks that the field lies within
 *      `struct_size` (AEROLITH_STRUCT_HAS). Fields of 1.0 are always present.
 *    Fields are laid out with explicit reserved words so no struct has implicit padding;
 *    new fields are appended in 8-byte groups. Reserved fields must be zero.
 *
 * 4. The host API table (`aerolith_host_api`) is append-only. A slot is never removed or
 *    reused; a retired slot keeps its place, filled with a stub that does nothing and returns
 *    AEROLITH_ERR_UNSUPPORTED where it returns a status. Before
 *    calling a slot added after 1.0 a plugin checks AEROLITH_HOST_API_HAS(api, slot): the slot
 *    lies within `api->struct_size` and is not NULL. (This is what stops a plugin built for a
 *    newer host from jumping through garbage on an older one.)
 *
 * 5. Capabilities are discoverable: `aerolith_host_init` carries bitmasks of the hook kinds,
 *    event kinds and host functions this host supports. A plugin registers only what the host
 *    supports; a registration of an unknown hook kind refuses the plugin.
 *
 * 6. Enumerations (status codes, hook kinds, event kinds, flags, decisions) are append-only:
 *    a value keeps its meaning forever and new values are added at the end. A receiver treats
 *    an unknown status as AEROLITH_ERR_INTERNAL and an unknown flag bit as a refusal reason.
 *    Enumerations are carried in fixed-width integer fields, never as C `enum` types.
 *
 * 7. Event payloads are JSON with their own version per event kind. A plugin subscribes with
 *    the highest payload version it understands; the host delivers each event in the highest
 *    version that is not above it. Old payload versions stay deliverable within a major.
 *
 * 8. Only few things are required of a plugin (the entry symbol and a descriptor with
 *    struct_size, abi, layout, name and version). Every hook and lifecycle callback is
 *    optional; a missing one is simply not called. No later minor makes anything required.
 *
 * 9. Limits (AEROLITH_*_MAX) may be raised by a later minor, never lowered.
 *
 * ==========================================================================================
 * RULES THAT HOLD EVERYWHERE (read once; individual declarations only state exceptions)
 * ==========================================================================================
 *
 * Text and bytes. All text is UTF-8 passed as an `aerolith_slice` (pointer, length), never
 * NUL-terminated. JSON is passed as a slice holding one complete JSON text.
 *
 * Borrowed data. Everything the host passes to a callback (the call, inputs, slices and what
 * they point to) is borrowed: valid until that callback returns, and never to be written to
 * except through the result struct and host buffers. Copy what you need to keep.
 *
 * Plugin-provided data. Everything a plugin hands to the host by pointer — the descriptor and
 * all it reaches, and any slice set in a result struct (e.g. a reject code) — must stay valid
 * and unchanged until the plugin is unloaded. Use static storage (string literals). Data
 * whose size depends on the call never goes into a result as a pointer: it is written into a
 * host-owned buffer through `aerolith_host_api.buffer_append`.
 *
 * Who frees. Whoever allocates frees. The host never frees plugin memory, and a plugin never
 * frees host memory. Per-tenant state created in `on_activate` is freed by the plugin in
 * `on_deactivate`.
 *
 * Errors. A callback returns an `aerolith_status`; on anything other than AEROLITH_OK it may
 * write a short human-readable explanation into `call->message`. Nothing ever unwinds across
 * the boundary: C++ exceptions, Swift errors, Rust panics and longjmp must be caught inside
 * the plugin and turned into a status.
 *
 * Threading. Unless a declaration says otherwise:
 *   - Hooks run on host worker threads, possibly a different thread on every call.
 *   - If the descriptor sets AEROLITH_PLUGIN_REENTRANT, any of its hooks may run concurrently
 *     with any other (including itself) on different threads. Otherwise the host serialises
 *     all calls into the plugin: at most one callback of that plugin runs at any moment.
 *   - Lifecycle callbacks (load, configure, activate, deactivate, unload) never run
 *     concurrently with each other for one plugin; see each for how they order with hooks.
 *   - Host functions are thread-safe, never call back into the plugin, and may block briefly
 *     (state functions touch storage). Hooks should return within
 *     AEROLITH_HOOK_CALL_TIME_MS_BUDGET; the host logs and counts calls that take longer.
 *
 * Tenants. A plugin is loaded once per process and activated per tenant. Hooks of the
 * tenant-scoped kinds (authorize, document writes, events, routes) are dispatched only for
 * tenants where the plugin is active, unless the registration sets
 * AEROLITH_HOOK_FLAG_ALL_TENANTS. Authentication providers and isolation strategies are
 * process-wide.
 *
 * Loading. The host loads a plugin with dlopen(RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE), so
 * plugins never see each other's symbols. Disabling a plugin detaches its hooks and waits for
 * in-flight calls to return (at most 10 s), then runs on_deactivate for each active tenant;
 * on_unload follows only when the plugin is replaced by a new version or the server stops.
 * This host never unmaps an image, whatever the plugin's flags: see AEROLITH_PLUGIN_UNLOADABLE.
 *
 * Symbol prefix. Every name in this header starts with `aerolith_` or `AEROLITH_`.
 */

#ifndef AEROLITH_PLUGIN_H
#define AEROLITH_PLUGIN_H

#ifdef __cplusplus
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
extern "C" {
#else
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#endif

/* ========================================================================================
 * Versions, limits and portability macros
 * ======================================================================================== */

/* The ABI version this header describes. A plugin copies these into its descriptor. */
#define AEROLITH_ABI_VERSION_MAJOR 1
#define AEROLITH_ABI_VERSION_MINOR 0

/* The entry symbol's name, for hosts and tools that look it up with dlsym. */
#define AEROLITH_PLUGIN_INIT_SYMBOL "aerolith_plugin_init"

/* Gives a symbol default visibility so it is exported even when the plugin is built with
 * -fvisibility=hidden (recommended: export nothing but the entry symbol). */
#if defined(_WIN32)
#define AEROLITH_EXPORT __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define AEROLITH_EXPORT __attribute__((visibility("default")))
#else
#define AEROLITH_EXPORT
#endif

#ifdef __cplusplus
#define AEROLITH_STATIC_ASSERT(condition, message) static_assert(condition, message)
#define AEROLITH_ALIGNOF(type) alignof(type)
#else
#define AEROLITH_STATIC_ASSERT(condition, message) _Static_assert(condition, message)
#define AEROLITH_ALIGNOF(type) _Alignof(type)
#endif

/* Limits. Units are in the names. A later minor may raise a limit, never lower it. The host
 * enforces every limit and refuses (registration) or fails the call (runtime) beyond it. */
#define AEROLITH_PLUGIN_NAME_BYTES_MAX 64          /* descriptor name: [a-z][a-z0-9-]* */
#define AEROLITH_PLUGIN_VERSION_BYTES_MAX 64       /* semver 2.0 text */
#define AEROLITH_BUILD_ID_BYTES_MAX 128
#define AEROLITH_DESCRIPTION_BYTES_MAX 256
#define AEROLITH_HOOKS_PER_PLUGIN_COUNT_MAX 64
#define AEROLITH_FUNCTIONS_PER_PLUGIN_COUNT_MAX 64
#define AEROLITH_HOOK_NAME_BYTES_MAX 64            /* registration name: [a-z][a-z0-9_-]* */
#define AEROLITH_ORDER_CONSTRAINTS_COUNT_MAX 16    /* per list: run_before, run_after */
#define AEROLITH_FUNCTION_NAME_BYTES_MAX 64        /* exported function: [a-z_][a-z0-9_]* */
#define AEROLITH_FUNCTION_ARGUMENTS_COUNT_MAX 8
#define AEROLITH_ROUTE_PREFIX_BYTES_MAX 32         /* [a-z][a-z0-9-]* */
#define AEROLITH_MESSAGE_BYTES_MAX 1024            /* call->message and host_init->message */
#define AEROLITH_CODE_BYTES_MAX 64                 /* reject codes: [a-z][a-z0-9_]* */
#define AEROLITH_STATE_KEY_BYTES_MAX 256
#define AEROLITH_STATE_VALUE_BYTES_MAX (1024 * 1024)
#define AEROLITH_STATE_LIST_COUNT_MAX 1000
#define AEROLITH_METRIC_NAME_BYTES_MAX 64          /* [a-z][a-z0-9_]* */
#define AEROLITH_METRIC_LABELS_COUNT_MAX 4
#define AEROLITH_EVENT_BATCH_COUNT_MAX 256
#define AEROLITH_CLAIMS_BYTES_MAX (16 * 1024)
#define AEROLITH_HOOK_CALL_TIME_MS_BUDGET 50       /* soft: longer calls are logged and counted */

/* ========================================================================================
 * Basic types
 * ======================================================================================== */

/* A borrowed run of bytes, usually UTF-8 text or JSON: `data` points at `len` bytes, not
 * NUL-terminated. `data` may be NULL only when `len` is 0 (the empty slice). Who owns the
 * bytes and how long they live is stated where the slice is declared.
 * FROZEN: this struct never changes (it is used in arrays, so its size is part of the ABI). */
typedef struct aerolith_slice {
    const char *data;
    size_t len;
} aerolith_slice;

/* An initializer for a slice of a string literal, for static data:
 *     static const aerolith_slice code = AEROLITH_SLICE_LITERAL("forbidden_key");
 *     .name = AEROLITH_SLICE_LITERAL("hello"),   (in a designated initializer) */
#define AEROLITH_SLICE_LITERAL(literal) { (literal), sizeof(literal) - 1 }

/* A slice of a string literal usable anywhere an expression is (a compound literal):
 *     aerolith_log(api, call, AEROLITH_LOG_INFO, AEROLITH_SLICE("loaded"));
 * Only for literals: sizeof must see the array, not a pointer. A literal lives in static
 * storage, so the slice may also be handed to the host (reject codes). */
#ifdef __cplusplus
#define AEROLITH_SLICE(literal) (aerolith_slice{ (literal), sizeof(literal) - 1 })
#else
#define AEROLITH_SLICE(literal) ((aerolith_slice){ (literal), sizeof(literal) - 1 })
#endif

/* A slice of `len` bytes at `data`, for code that has a pointer and a length at hand. */
static inline aerolith_slice aerolith_slice_make(const char *data, size_t len) {
    aerolith_slice slice;
    slice.data = data;
    slice.len = len;
    return slice;
}

/* The result of every callback and host function. Stable and append-only: a value never
 * changes meaning; an unknown value is treated as AEROLITH_ERR_INTERNAL. Carried as int32_t. */
typedef int32_t aerolith_status;
enum {
    /* Success. */
    AEROLITH_OK = 0,
    /* An argument is malformed or out of range (bad name, bad JSON, unknown enum value). */
    AEROLITH_ERR_INVALID_ARGUMENT = 1,
    /* The thing asked for does not exist (e.g. a state key). */
    AEROLITH_ERR_NOT_FOUND = 2,
    /* A limit was reached: a buffer's capacity, a size or count limit. Nothing was written. */
    AEROLITH_ERR_LIMIT_EXCEEDED = 3,
    /* This host or plugin does not implement the function, kind or option asked for. */
    AEROLITH_ERR_UNSUPPORTED = 4,
    /* The two sides' ABI versions or layouts are incompatible (see `aerolith_layout`). */
    AEROLITH_ERR_ABI_MISMATCH = 5,
    /* Called at the wrong time: an expired context, or a function not allowed in this phase. */
    AEROLITH_ERR_INVALID_STATE = 6,
    /* A transient failure (storage busy, shutting down); the same call may succeed later. */
    AEROLITH_ERR_UNAVAILABLE = 7,
    /* Configuration given to on_configure or on_activate is invalid; the message says why. */
    AEROLITH_ERR_CONFIGURATION = 8,
    /* Anything else: a bug or an unexpected failure inside the callee. */
    AEROLITH_ERR_INTERNAL = 9
};

/* An ABI version. */
typedef struct aerolith_abi_version {
    uint16_t major;
    uint16_t minor;
} aerolith_abi_version;

/* The layout fingerprint: the facts about the compiler's data layout that this ABI depends
 * on. Both sides fill it with AEROLITH_LAYOUT_INIT; the host refuses a plugin whose
 * fingerprint differs and names each differing field ("pointer_bytes: plugin 4, host 8").
 * FROZEN: this struct never changes. */
typedef struct aerolith_layout {
    uint8_t pointer_bytes;          /* sizeof(void *) */
    uint8_t size_bytes;             /* sizeof(size_t) */
    uint8_t function_pointer_bytes; /* sizeof(void (*)(void)) */
    uint8_t int64_align_bytes;      /* alignment of int64_t */
    uint8_t double_align_bytes;     /* alignment of double */
    uint8_t byte_order;             /* AEROLITH_BYTE_ORDER_LITTLE or AEROLITH_BYTE_ORDER_BIG */
    uint8_t reserved[2];            /* zero */
} aerolith_layout;

#define AEROLITH_BYTE_ORDER_LITTLE 1
#define AEROLITH_BYTE_ORDER_BIG 2
#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) && \
    __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define AEROLITH_BYTE_ORDER AEROLITH_BYTE_ORDER_BIG
#else
#define AEROLITH_BYTE_ORDER AEROLITH_BYTE_ORDER_LITTLE
#endif

/* The initializer of an `aerolith_layout` describing the compiler in use. */
#define AEROLITH_LAYOUT_INIT                                                                   \
    {                                                                                          \
        (uint8_t)sizeof(void *), (uint8_t)sizeof(size_t), (uint8_t)sizeof(void (*)(void)),     \
            (uint8_t)AEROLITH_ALIGNOF(int64_t), (uint8_t)AEROLITH_ALIGNOF(double),             \
            (uint8_t)AEROLITH_BYTE_ORDER, { 0, 0 }                                             \
    }

/* True when `field` of the struct `type` that `pointer` points to lies within the struct's
 * `struct_size`, i.e. the writer of the struct knew the field. Use it before touching a field
 * added after 1.0 in any struct the host hands over. */
#define AEROLITH_STRUCT_HAS(type, pointer, field) \
    ((size_t)(pointer)->struct_size >= offsetof(type, field) + sizeof(((type *)0)->field))

/* An output buffer owned by the host. The host creates it empty for one call, the plugin
 * appends to it with `aerolith_host_api.buffer_append`, and the host reads it after the
 * callback returns. Each buffer has a capacity stated where it is handed over. Valid only
 * during the callback that received it; never store it. Opaque: never dereference it. */
typedef struct aerolith_buffer aerolith_buffer;

/* The host's handle for "this plugin, in this call": which plugin, which tenant, which
 * request. Every host function takes one first, so logs, metrics and state are attributed
 * and scoped without the plugin passing names around. Opaque: never dereference it.
 * - `aerolith_call.context` is valid until the callback that received it returns, on the
 *   thread that callback runs on.
 * - `aerolith_host_init.plugin_context` (no tenant, no request) is valid from
 *   `aerolith_plugin_init` until `on_unload` returns, from any thread, including threads the
 *   plugin starts itself; outside the plugin's own callbacks, only while it is enabled.
 * A host function called with any other context (a call's context kept past its callback, the
 * process-wide context of a disabled plugin) does nothing and returns AEROLITH_ERR_INVALID_STATE
 * (`log` writes nothing). */
typedef struct aerolith_context aerolith_context;

/* ========================================================================================
 * The call: what every callback receives besides its own input
 * ======================================================================================== */

/* Passed to every lifecycle callback and hook. Owned by the host, borrowed until the callback
 * returns. Read-only except through the host functions it enables. */
typedef struct aerolith_call {
    uint32_t struct_size;
    uint32_t reserved;              /* zero */
    /* Pass to host functions. Valid until this callback returns. */
    aerolith_context *context;
    /* The tenant this call is for (e.g. "tn_abc..."), or empty for process-wide calls
     * (on_load, on_configure, on_unload, authentication providers, platform-admin routes). */
    aerolith_slice tenant_id;
    /* The id of the HTTP request this call serves, or empty when it serves none. Logs written
     * through `context` carry it automatically. */
    aerolith_slice request_id;
    /* The pointer this plugin's `on_activate` stored for `tenant_id`, or NULL (no tenant, no
     * on_activate, or an AEROLITH_HOOK_FLAG_ALL_TENANTS call for a tenant where the plugin is
     * not active). Owned by the plugin. */
    void *tenant_state;
    /* Where to write a human-readable reason when returning a non-OK status or a refusing
     * decision (deny, reject). Capacity AEROLITH_MESSAGE_BYTES_MAX. May be left empty. The
     * host shows it in logs and, for refusals, to the client. */
    aerolith_buffer *message;
} aerolith_call;

/* ========================================================================================
 * The host API table
 * ======================================================================================== */

/* Log levels for `aerolith_host_api.log`, lowest to highest. */
enum {
    AEROLITH_LOG_TRACE = 0,
    AEROLITH_LOG_DEBUG = 1,
    AEROLITH_LOG_INFO = 2,
    AEROLITH_LOG_NOTICE = 3,
    AEROLITH_LOG_WARNING = 4,
    AEROLITH_LOG_ERROR = 5,
    AEROLITH_LOG_CRITICAL = 6
};

/* The functions the host offers. One table per process, owned by the host; the pointer in
 * `aerolith_host_init.api` stays valid until `on_unload` returns. Every function is
 * thread-safe and callable from any thread with a valid context (see `aerolith_context`).
 *
 * APPEND-ONLY: new slots are added at the end and a slot is never removed or moved. Before
 * calling a slot added after 1.0, check AEROLITH_HOST_API_HAS(api, slot). Bit i of
 * `aerolith_host_init.host_functions` is set when slot i (counting from `buffer_append` = 0)
 * is implemented; the AEROLITH_HOST_FUNCTION_* constants name the bits. */
typedef struct aerolith_host_api {
    uint32_t struct_size;           /* sizeof this table as the host compiled it */
    uint32_t reserved;              /* zero */

    /* --- 1.0 ------------------------------------------------------------------------- */

    /* [0] Appends `len` bytes at `data` to `buffer`. All or nothing: if the buffer's capacity
     * would be exceeded nothing is appended and AEROLITH_ERR_LIMIT_EXCEEDED is returned.
     * Needs no context: a buffer is only reachable during the call that received it. */
    aerolith_status (*buffer_append)(aerolith_buffer *buffer, const void *data, size_t len);

    /* [1] Writes `message` to the server log at `level` (AEROLITH_LOG_*). The host attaches
     * the plugin name, tenant and request id of `context` as structured metadata. Messages
     * longer than AEROLITH_MESSAGE_BYTES_MAX are truncated. */
    void (*log)(aerolith_context *context, uint32_t level, aerolith_slice message);

    /* [2..4] Metrics, exported at /metrics as `aerolith_plugin_<name>` with a `plugin` label.
     * `name`: [a-z][a-z0-9_]*, at most AEROLITH_METRIC_NAME_BYTES_MAX bytes; one name has one
     * kind for the life of the process (AEROLITH_ERR_INVALID_ARGUMENT otherwise). `labels`:
     * empty, or "key=value" pairs separated by ",", at most AEROLITH_METRIC_LABELS_COUNT_MAX;
     * keep their values few (never a document id). The host exports a label's value only if
     * the operator lists its key for the plugin (plugins.metric_label_values), else
     * "redacted": a value may be a tenant's data; and at most 100 label sets per metric,
     * later ones as one series of "other" values. Cheap enough for hot paths. */
    aerolith_status (*metric_counter_add)(aerolith_context *context, aerolith_slice name,
                                          aerolith_slice labels, uint64_t amount);
    aerolith_status (*metric_gauge_set)(aerolith_context *context, aerolith_slice name,
                                        aerolith_slice labels, double value);
    aerolith_status (*metric_histogram_record)(aerolith_context *context, aerolith_slice name,
                                               aerolith_slice labels, double value);

    /* [5..8] Plugin-private persistent key/value state, stored in the core store.
     * Scope: a plugin sees only its own keys. A context with a tenant reads and writes that
     * tenant's namespace; a context without one (plugin_context, on_load, on_configure,
     * on_unload) reads and writes the plugin's process-wide namespace. Namespaces outlive
     * deactivation and new versions of the plugin (they are keyed by plugin name); this host
     * does not delete tenants, so it never removes a tenant's namespace.
     * Keys: UTF-8, 1..AEROLITH_STATE_KEY_BYTES_MAX bytes. Values: any bytes, at most
     * AEROLITH_STATE_VALUE_BYTES_MAX. Each call is atomic and durable when it returns OK;
     * concurrent puts of one key: the last one wins. These calls block on storage. */

    /* Copies the value of `key` into the plugin's memory at `value_out` (room for `capacity`
     * bytes) and sets *length_out to the value's full length. If the value is longer than
     * `capacity`, nothing is copied, *length_out still tells the length, and the result is
     * AEROLITH_ERR_LIMIT_EXCEEDED: call again with enough room. AEROLITH_ERR_NOT_FOUND if the
     * key does not exist. `value_out` may be NULL when `capacity` is 0 (to ask the length). */
    aerolith_status (*state_get)(aerolith_context *context, aerolith_slice key, void *value_out,
                                 size_t capacity, size_t *length_out);
    /* Creates or replaces `key`. */
    aerolith_status (*state_put)(aerolith_context *context, aerolith_slice key,
                                 aerolith_slice value);
    /* Removes `key`; AEROLITH_OK also when it did not exist. */
    aerolith_status (*state_delete)(aerolith_context *context, aerolith_slice key);
    /* Writes into the plugin's memory at `keys_out` (room for `capacity` bytes) a JSON array
     * of up to `limit` (at most AEROLITH_STATE_LIST_COUNT_MAX) keys that start with `prefix`
     * and sort (bytewise) after `after` (empty: from the first), in ascending order, and sets
     * *length_out to its length; AEROLITH_ERR_LIMIT_EXCEEDED (nothing written, *length_out
     * set) if it does not fit. Page by passing the last key seen. */
    aerolith_status (*state_list)(aerolith_context *context, aerolith_slice prefix,
                                  aerolith_slice after, uint32_t limit, char *keys_out,
                                  size_t capacity, size_t *length_out);

    /* [9] Changes the subscription of this plugin's AEROLITH_HOOK_EVENTS registration named
     * `hook_name`: the event kinds (AEROLITH_EVENT_* bits) and the highest payload version
     * understood. Takes effect for events published after it returns. A mask of 0 pauses
     * delivery. AEROLITH_ERR_NOT_FOUND if there is no such registration. */
    aerolith_status (*event_subscription_set)(aerolith_context *context, aerolith_slice hook_name,
                                              uint64_t event_mask, uint32_t payload_version);
} aerolith_host_api;

/* Bits of `aerolith_host_init.host_functions`: bit i = slot i of `aerolith_host_api`. */
#define AEROLITH_HOST_FUNCTION_BUFFER_APPEND (UINT64_C(1) << 0)
#define AEROLITH_HOST_FUNCTION_LOG (UINT64_C(1) << 1)
#define AEROLITH_HOST_FUNCTION_METRIC_COUNTER_ADD (UINT64_C(1) << 2)
#define AEROLITH_HOST_FUNCTION_METRIC_GAUGE_SET (UINT64_C(1) << 3)
#define AEROLITH_HOST_FUNCTION_METRIC_HISTOGRAM_RECORD (UINT64_C(1) << 4)
#define AEROLITH_HOST_FUNCTION_STATE_GET (UINT64_C(1) << 5)
#define AEROLITH_HOST_FUNCTION_STATE_PUT (UINT64_C(1) << 6)
#define AEROLITH_HOST_FUNCTION_STATE_DELETE (UINT64_C(1) << 7)
#define AEROLITH_HOST_FUNCTION_STATE_LIST (UINT64_C(1) << 8)
#define AEROLITH_HOST_FUNCTION_EVENT_SUBSCRIPTION_SET (UINT64_C(1) << 9)

/* True when the host API table `api` has the slot `slot` and it is implemented. */
#define AEROLITH_HOST_API_HAS(api, slot) \
    (AEROLITH_STRUCT_HAS(aerolith_host_api, (api), slot) && (api)->slot != NULL)

/* ========================================================================================
 * Hook kinds
 * ======================================================================================== */

/* What a hook registration hooks into. Stable and append-only. Bit (1 << kind) of
 * `aerolith_host_init.hook_kinds` is set when the host supports the kind
 * (AEROLITH_HOOK_KIND_BIT). Lifecycle callbacks are not hook kinds: they are descriptor
 * fields and are always supported. */
enum {
    /* 0 is never a valid kind. */
    AEROLITH_HOOK_AUTHORIZE = 1,             /* aerolith_authorize_fn; chain; tenant-scoped */
    AEROLITH_HOOK_DOCUMENT_BEFORE_WRITE = 2, /* aerolith_before_write_fn; chain; tenant-scoped */
    AEROLITH_HOOK_DOCUMENT_AFTER_WRITE = 3,  /* aerolith_after_write_fn; chain; tenant-scoped */
    AEROLITH_HOOK_EVENTS = 4,                /* aerolith_events_fn; fan-out; tenant-scoped */
    AEROLITH_HOOK_AUTHENTICATE = 5,          /* aerolith_authenticate_fn; chain; process-wide */
    AEROLITH_HOOK_ISOLATION = 6,             /* aerolith_isolation_fn; one selected; process-wide */
    AEROLITH_HOOK_ROUTE = 7                  /* aerolith_route_fn; one per prefix; tenant-scoped */
};
#define AEROLITH_HOOK_KIND_BIT(kind) (UINT64_C(1) << (kind))

/* ---- Request authorization (AEROLITH_HOOK_AUTHORIZE) ------------------------------------
 * Runs on every API request made with a tenant's credential (API key, user session or an
 * authentication provider's identity) in a tenant where the plugin is active — core routes
 * and routes plugins mount (AEROLITH_HOOK_ROUTE) alike — after authentication and after the
 * core permission check passed, before the handler. (This host has no quotas yet.) Requests
 * made with the platform admin key never reach it. A plugin can only narrow access: it can
 * deny what the core allows, never allow what the core denies.
 * Chain: in chain order; the first DENY stops the chain and the request fails with 403
 * (problem code "plugin_denied", detail = call->message). A non-OK status fails the request
 * with 500 — never treated as allow.
 * Thread: a request worker thread; concurrent across requests if the plugin is reentrant.
 * Hot path: keep it cheap. */

typedef struct aerolith_authorize_request {
    uint32_t struct_size;
    uint32_t reserved;              /* zero */
    aerolith_slice method;          /* "GET", "POST", ... */
    /* Percent-decoded, without the query: the path as the router matched it, so that
     * "/v1/collections/%72estricted" cannot slip past a prefix check on "restricted". */
    aerolith_slice path;
    aerolith_slice permission;      /* the permission the route requires (AEROLITH_PERMISSION_*) */
    /* Who: an API key id ("ak_..."), a user id, or "<plugin>:<subject>" for an identity an
     * authentication provider vouched for. */
    aerolith_slice subject;
    /* What the credential holds (AEROLITH_ROLE_TEXT below): a role name, several joined by
     * ",", or "permissions". Decide on `permission`, not on this text. */
    aerolith_slice role;
    aerolith_slice collection;      /* the collection the route addresses, or empty */
} aerolith_authorize_request;

/* AEROLITH_ROLE_TEXT — what `role` holds, in aerolith_authorize_request and
 * aerolith_route_request:
 *   - an API key created with a role: that role's name — one of the built-in roles "owner",
 *     "admin", "developer", "viewer", "billing", or a custom role the tenant defined
 *     ([a-z][a-z0-9_-]*, at most 40 bytes);
 *   - an API key created with an explicit permission list instead of a role: "permissions";
 *   - a signed-in user: the user's roles, joined by "," in the order assigned ("admin,billing");
 *   - an authentication provider's identity: the built-in role its claims named;
 *   - the platform admin key (routes only; it never reaches authorize hooks): "platform_admin".
 * Built-in role names are never reused for custom roles. New built-in roles may appear. */

enum {
    AEROLITH_AUTHORIZE_ALLOW = 0,   /* no objection (the default) */
    AEROLITH_AUTHORIZE_DENY = 1     /* refuse; write the reason into call->message */
};

typedef struct aerolith_authorize_result {
    uint32_t struct_size;
    uint32_t decision;              /* AEROLITH_AUTHORIZE_*; the host sets ALLOW before the call */
} aerolith_authorize_result;

typedef aerolith_status (*aerolith_authorize_fn)(void *user_data, const aerolith_call *call,
                                                 const aerolith_authorize_request *request,
                                                 aerolith_authorize_result *result);

/* ---- Document writes (AEROLITH_HOOK_DOCUMENT_BEFORE_WRITE / _AFTER_WRITE) ----------------
 * Before-write runs for each document written in a tenant where the plugin is active (also
 * each operation of a batch), after the new body is known (merge patches already applied),
 * before anything is stored. Chain: in chain order; each hook sees the body as transformed
 * by the hooks before it. REJECT stops the chain and the write fails with 422 (problem code
 * = reject_code, detail = call->message); a whole batch fails if one operation is rejected.
 * A non-OK status fails the write with 500.
 * After-write runs after the write committed, before the response is sent; it cannot change
 * the outcome, and a non-OK status is only logged. Use events for slow follow-up work.
 * Thread: a request worker thread; concurrent across requests if the plugin is reentrant.
 * Hot path: keep it cheap. */

enum {
    AEROLITH_WRITE_CREATE = 1,      /* a new document */
    AEROLITH_WRITE_REPLACE = 2,     /* a whole-body replacement of an existing document */
    AEROLITH_WRITE_PATCH = 3,       /* a merge patch; `body` is the result of applying it */
    AEROLITH_WRITE_DELETE = 4       /* a deletion; `body` is empty */
};

typedef struct aerolith_document_write {
    uint32_t struct_size;
    uint32_t operation;             /* AEROLITH_WRITE_* */
    aerolith_slice collection;      /* collection name */
    aerolith_slice document_id;     /* always set, also for creates (the host assigns ids first) */
    aerolith_slice body;            /* the document's JSON object as it will be / was stored */
    int64_t previous_version;       /* version before the write; 0 for a create */
    int64_t version;                /* after-write: the committed version; before-write: 0 */
} aerolith_document_write;

enum {
    AEROLITH_WRITE_ACCEPT = 0,      /* store the body unchanged (the default) */
    AEROLITH_WRITE_TRANSFORM = 1,   /* store the JSON object written into result->body instead;
                                       for AEROLITH_WRITE_DELETE it fails the write (500) */
    AEROLITH_WRITE_REJECT = 2       /* refuse the write with reject_code and call->message */
};

typedef struct aerolith_before_write_result {
    uint32_t struct_size;
    uint32_t action;                /* AEROLITH_WRITE_*; the host sets ACCEPT before the call */
    /* Host-owned, empty at entry; capacity = the host's document size limit. For TRANSFORM,
     * write the complete new body: one JSON object (the host validates it). Ignored otherwise. */
    aerolith_buffer *body;
    /* For REJECT: the problem code shown to the client, [a-z][a-z0-9_]*, at most
     * AEROLITH_CODE_BYTES_MAX bytes, in static storage (a string literal). Empty means
     * "document_rejected". */
    aerolith_slice reject_code;
} aerolith_before_write_result;

typedef aerolith_status (*aerolith_before_write_fn)(void *user_data, const aerolith_call *call,
                                                    const aerolith_document_write *write,
                                                    aerolith_before_write_result *result);

typedef aerolith_status (*aerolith_after_write_fn)(void *user_data, const aerolith_call *call,
                                                   const aerolith_document_write *write);

/* ---- Events (AEROLITH_HOOK_EVENTS) ------------------------------------------------------
 * Events are published by the host after the fact and delivered asynchronously in batches of
 * at most AEROLITH_EVENT_BATCH_COUNT_MAX; one batch holds events of one tenant
 * (call->tenant_id), in publication order. Delivery is at most once: each subscription has a
 * queue bounded by count and by bytes, and when it is full the host drops events and counts
 * them. `sequence` increases per (registration, tenant) for the life of the deployment: it
 * survives restarts and new versions of the plugin, and never repeats. A gap tells the plugin
 * events were dropped, or were not published before a crash.
 * A non-OK status is logged; the batch is not redelivered.
 * Thread: a host event thread. Batches for one registration are never delivered
 * concurrently, even for reentrant plugins; they may run concurrently with other hooks.
 * Not a hot path: it may do slower work, but a slow subscriber only drops its own events. */

/* Event kinds: bits for `event_mask` and `aerolith_host_init.event_kinds`, and the `kind`
 * of one event. Stable and append-only. Payload shapes, by payload version:
 *
 * AEROLITH_EVENT_USAGE, version 1: one usage record of the tenant.
 *   {"kind":"api_call","quantity":1,"idempotency_id":"<text>","method":"<HTTP method>",
 *    "status":<HTTP status>,"request_bytes":<integer>,"response_bytes":<integer>,
 *    "duration_us":<integer>}
 *   This host publishes one record of kind "api_call" for each request made with the tenant's
 *   credential that passed the route's permission check and the authorize chain, on core and
 *   plugin-mounted routes alike, after the handler: it describes the request as it ended. The
 *   idempotency id is the server's own, unique per record. Other kind names (e.g.
 *   "storage_bytes", "network_in_bytes") may appear in a later host version with the same
 *   shape: a receiver skips kinds it does not know.
 * AEROLITH_EVENT_TENANT, version 1: a change in the tenant's life.
 *   {"action":"created"|"suspended"|"resumed",
 *    "tenant":{"id":"tn_...","name":"...","plan":"...","status":"active"|"suspended"}}
 *   "created" when the tenant is created (only subscriptions with AEROLITH_HOOK_FLAG_ALL_TENANTS
 *   can see it: the plugin is active nowhere yet); "suspended" and "resumed" when its status
 *   changes. A plan change publishes nothing. Later host versions may add actions (such as
 *   "updated" or "deleted"): a receiver skips actions it does not know.
 * AEROLITH_EVENT_DOCUMENT, version 1: a committed document change.
 *   {"action":"created"|"replaced"|"patched"|"deleted","collection":"...","id":"...",
 *    "version":<integer>,"data":{...}}   ("data" absent for "deleted")
 * Receivers ignore members they do not know; later payload versions only add members or
 * change a shape, never reuse a member name with a new meaning. */
#define AEROLITH_EVENT_USAGE (UINT64_C(1) << 0)
#define AEROLITH_EVENT_TENANT (UINT64_C(1) << 1)
#define AEROLITH_EVENT_DOCUMENT (UINT64_C(1) << 2)

/* One event. Owned by the host, borrowed until the callback returns.
 * FROZEN: this struct never changes (events arrive as an array, so its size is part of the
 * ABI); new information goes into new payload versions. */
typedef struct aerolith_event {
    uint64_t kind;                  /* exactly one AEROLITH_EVENT_* bit */
    uint32_t payload_version;       /* the version of `payload`'s shape, >= 1 */
    uint32_t reserved;              /* zero */
    uint64_t sequence;              /* increasing per (registration, tenant), never repeated; see above */
    int64_t time_ms;                /* when it happened, milliseconds since the Unix epoch */
    aerolith_slice payload;         /* one JSON object, shaped per kind and payload_version */
} aerolith_event;

typedef aerolith_status (*aerolith_events_fn)(void *user_data, const aerolith_call *call,
                                              const aerolith_event *events, size_t event_count);

/* ---- Authentication providers (AEROLITH_HOOK_AUTHENTICATE) ------------------------------
 * Called for a request whose Bearer credential the host does not know itself, to let providers
 * such as SSO recognise it: the host first checks its own access tokens (JWTs it issued) and
 * API keys; a credential starting with "ak_" never reaches providers. Process-wide: the tenant is not
 * known yet, so call->tenant_id is empty. Chain: in chain order; PASS hands over to the next
 * provider, AUTHENTICATED or REJECTED stops the chain. If every provider passes, the request
 * fails with 401. REJECTED fails it with 401 and call->message as detail. A non-OK status
 * fails it with 500.
 * Claims (AUTHENTICATED), one JSON object of at most AEROLITH_CLAIMS_BYTES_MAX bytes:
 *   {"subject":"<who>","tenant_id":"tn_...",
 *    "role":"owner"|"admin"|"developer"|"viewer"|"billing",
 *    "expires_at_ms":<integer, optional>}
 * "role" is one of the built-in roles (custom roles are not accepted from claims). The host
 * validates the claims and refuses them with 401 if a member is missing or malformed, the
 * expiry has passed, the tenant does not exist or the providing plugin is not active for it,
 * and with 403 (tenant_suspended) if the tenant is suspended. The request then runs as
 * subject "<plugin name>:<subject>" with that role's permissions.
 * Thread: a request worker thread; concurrent across requests if the plugin is reentrant. */

typedef struct aerolith_authenticate_request {
    uint32_t struct_size;
    uint32_t reserved;              /* zero */
    aerolith_slice scheme;          /* the Authorization header's scheme ("Bearer"), or empty */
    aerolith_slice credentials;     /* the Authorization header after the scheme, or empty */
    aerolith_slice method;
    aerolith_slice path;            /* as received, percent-encoded, without the query */
    /* {"lower-case-name":"value",...}; repeats joined by ", "; Authorization and Cookie are
     * left out (the credential is in `scheme` and `credentials`). */
    aerolith_slice headers_json;
} aerolith_authenticate_request;

enum {
    AEROLITH_AUTHENTICATE_PASS = 0,          /* not mine: ask the next provider (the default) */
    AEROLITH_AUTHENTICATE_AUTHENTICATED = 1, /* mine and valid: claims are in result->claims */
    AEROLITH_AUTHENTICATE_REJECTED = 2       /* mine and invalid (expired, bad signature) */
};

typedef struct aerolith_authenticate_result {
    uint32_t struct_size;
    uint32_t outcome;               /* AEROLITH_AUTHENTICATE_*; the host sets PASS first */
    aerolith_buffer *claims;        /* host-owned, empty at entry; see the claims shape above */
} aerolith_authenticate_result;

typedef aerolith_status (*aerolith_authenticate_fn)(void *user_data, const aerolith_call *call,
                                                    const aerolith_authenticate_request *request,
                                                    aerolith_authenticate_result *result);

/* ---- Isolation strategies (AEROLITH_HOOK_ISOLATION) -------------------------------------
 * Decides where a tenant's data lives: a placement = (database name, table prefix). Not a
 * chain: the operator selects exactly one strategy in configuration ("plugins":
 * {"isolation_strategy": "<plugin name>/<registration name>"}); only that one is called, for
 * every tenant, whether or not the plugin is active anywhere. Without a selection the host's
 * built-in placement applies (database "main", the tenant id as table prefix). While a
 * selected strategy is not loaded and enabled, creating a tenant fails with 503
 * (isolation_unavailable) rather than guess a placement. call->tenant_id names the tenant.
 * Operations, as this host calls them:
 *   PROVISION  when a tenant is created, before its record is stored: choose the placement
 *              and prepare anything outside the host. The host records the placement with
 *              the tenant; from then on the record is authoritative. A non-OK status, or an
 *              unusable placement, fails the tenant's creation (500) and nothing is stored.
 *   LOCATE     when the host reads a tenant's record from storage (first use after a start,
 *              or after its cache dropped it), as a check: it must return what PROVISION
 *              returned. The host keeps using the recorded placement; a different answer is
 *              logged as an error, a non-OK status is ignored.
 *   REMOVE     reserved: called when the host deletes a tenant, after it dropped the tenant's
 *              tables, to release what PROVISION prepared. This host version does not delete
 *              tenants, so it never calls REMOVE; a strategy should still implement it.
 * Placement rules: this host version stores every tenant in its shared database, so the
 * database must be "main" (any other name fails the operation). Table prefix:
 * [a-z][a-z0-9_]*, at most 48 bytes, unique per tenant.
 * Thread: a host worker thread. PROVISION of a tenant runs before anything else can name the
 * tenant, so it never overlaps a LOCATE of that tenant; LOCATE of different tenants (and
 * PROVISION of different tenants) may run concurrently if the plugin is reentrant. */

enum {
    AEROLITH_ISOLATION_PROVISION = 1,
    AEROLITH_ISOLATION_LOCATE = 2,
    AEROLITH_ISOLATION_REMOVE = 3
};

typedef struct aerolith_isolation_request {
    uint32_t struct_size;
    uint32_t operation;             /* AEROLITH_ISOLATION_* */
    aerolith_slice tenant_json;     /* {"id","name","plan","status"} of the tenant */
    aerolith_slice database;        /* REMOVE: the placement being removed; empty otherwise */
    aerolith_slice table_prefix;    /* REMOVE: the placement being removed; empty otherwise */
} aerolith_isolation_request;

typedef struct aerolith_isolation_result {
    uint32_t struct_size;
    uint32_t reserved;              /* zero */
    aerolith_buffer *database;      /* PROVISION, LOCATE: write "main" (see above); capacity 64 */
    aerolith_buffer *table_prefix;  /* PROVISION, LOCATE: write the table prefix; capacity 48 */
} aerolith_isolation_result;

typedef aerolith_status (*aerolith_isolation_fn)(void *user_data, const aerolith_call *call,
                                                 const aerolith_isolation_request *request,
                                                 aerolith_isolation_result *result);

/* ---- Plugin HTTP routes (AEROLITH_HOOK_ROUTE) -------------------------------------------
 * Mounts every request under /v1/<route_prefix>/ (and /v1/<route_prefix> itself) for the
 * methods GET, POST, PUT, PATCH and DELETE on the handler. One handler per prefix: a prefix
 * the core API serves or reserves refuses the registration (the plugin is refused); a prefix
 * another enabled plugin already mounts (earlier in chain order) is not
 * mounted for this one, and the plugin listing shows a warning. The host authenticates the
 * request and checks `route_permission` (the one place permissions are checked) before
 * calling; for a tenant it then runs the tenant's authorize chain (collection empty). For a
 * tenant where the plugin is not active the route answers 404. With the platform-admin
 * permission the route is process-wide, only the platform admin key can call it, and
 * call->tenant_id is empty.
 * Response: the handler sets http_status and writes the body; it answers its own client
 * errors (4xx) with status OK. A non-OK status makes the host answer 500 with
 * call->message as detail, discarding what was written.
 * Thread: a request worker thread; concurrent across requests if the plugin is reentrant. */

/* Permission names a route may require (`route_permission`): the same permissions the
 * host's roles grant and its own routes require. Every name but platform:admin is held by
 * some tenant credential; a name the host does not know refuses the registration. */
#define AEROLITH_PERMISSION_DOCUMENTS_READ "documents:read"
#define AEROLITH_PERMISSION_DOCUMENTS_WRITE "documents:write"
#define AEROLITH_PERMISSION_COLLECTIONS_MANAGE "collections:manage"
#define AEROLITH_PERMISSION_USERS_MANAGE "users:manage"
#define AEROLITH_PERMISSION_KEYS_MANAGE "keys:manage"
#define AEROLITH_PERMISSION_USAGE_READ "usage:read"
#define AEROLITH_PERMISSION_BILLING_READ "billing:read"
#define AEROLITH_PERMISSION_PLATFORM_ADMIN "platform:admin"

typedef struct aerolith_route_request {
    uint32_t struct_size;
    uint32_t reserved;              /* zero */
    aerolith_slice method;
    aerolith_slice path;            /* after /v1/<prefix>: "" or "/...", percent-encoded */
    aerolith_slice query;           /* the raw query string without "?", or empty */
    /* {"lower-case-name":"value",...}; repeats joined by ", "; Authorization and Cookie are
     * left out. */
    aerolith_slice headers_json;
    aerolith_slice body;            /* the request body, at most the host's body size limit */
    aerolith_slice subject;         /* as in aerolith_authorize_request; the key id for the admin key */
    aerolith_slice role;            /* see AEROLITH_ROLE_TEXT */
} aerolith_route_request;

typedef struct aerolith_route_response {
    uint32_t struct_size;
    uint32_t http_status;           /* 200..599; the host sets 200 before the call */
    aerolith_buffer *body;          /* host-owned, empty at entry; capacity = body size limit */
    aerolith_buffer *content_type;  /* host-owned, empty at entry; empty means application/json */
} aerolith_route_response;

typedef aerolith_status (*aerolith_route_fn)(void *user_data, const aerolith_call *call,
                                             const aerolith_route_request *request,
                                             aerolith_route_response *response);

/* ========================================================================================
 * Hook registration
 * ======================================================================================== */

/* The hook's function, typed by kind: set the member that matches `kind`. All members are
 * function pointers of the same size; the union never grows in size. */
typedef union aerolith_hook_function {
    aerolith_authorize_fn authorize;
    aerolith_before_write_fn before_write;
    aerolith_after_write_fn after_write;
    aerolith_events_fn events;
    aerolith_authenticate_fn authenticate;
    aerolith_isolation_fn isolation;
    aerolith_route_fn route;
} aerolith_hook_function;

/* Registration flags. */
enum {
    /* Dispatch this tenant-scoped hook for every tenant, whether or not the plugin is active
     * there (audit, platform-wide analytics). Shown in the plugin listing. call->tenant_state
     * is NULL for tenants where the plugin is not active. */
    AEROLITH_HOOK_FLAG_ALL_TENANTS = 1u << 0
};

/* One hook a plugin offers. Owned by the plugin (static storage), read by the host after
 * `aerolith_plugin_init` returns and kept until unload; the zero-tail rule applies.
 *
 * Chains are owned by the host. A plugin only declares (kind, function, user data, order);
 * it never sees, calls or replaces another plugin's hook. The host builds each chain in a
 * deterministic order:
 *   1. `run_before` / `run_after` constraints are hard: a hook runs before every hook of the
 *      named plugins in the same chain (run_before), after them (run_after). Names of plugins
 *      that are not loaded are ignored. A cycle is reported in the plugin listing and broken
 *      by ignoring the constraints of the registration loaded last.
 *   2. Among hooks free to run next: lower `priority` first,
 *   3. then plugin name, then registration name (bytewise).
 * An operator may override the order of any chain in configuration; that order wins. */
typedef struct aerolith_hook_registration {
    uint32_t struct_size;
    uint32_t kind;                  /* AEROLITH_HOOK_*; must be supported by the host */
    uint32_t flags;                 /* AEROLITH_HOOK_FLAG_* */
    int32_t priority;               /* lower runs first; 0 is the neutral default */
    /* Unique within the plugin: [a-z][a-z0-9_-]*, at most AEROLITH_HOOK_NAME_BYTES_MAX.
     * Operators refer to the hook as "<plugin name>/<name>" (order overrides, strategy
     * selection); event_subscription_set refers to it by this name. */
    aerolith_slice name;
    aerolith_hook_function function; /* required: the member matching `kind` */
    void *user_data;                /* passed as the first argument of every call; plugin-owned */
    const aerolith_slice *run_before; /* plugin names; NULL when run_before_count is 0 */
    size_t run_before_count;        /* at most AEROLITH_ORDER_CONSTRAINTS_COUNT_MAX */
    const aerolith_slice *run_after;  /* plugin names; NULL when run_after_count is 0 */
    size_t run_after_count;         /* at most AEROLITH_ORDER_CONSTRAINTS_COUNT_MAX */
    /* AEROLITH_HOOK_EVENTS only (zero otherwise): the initial subscription, changeable at run
     * time with event_subscription_set. */
    uint64_t event_mask;            /* AEROLITH_EVENT_* bits */
    uint32_t event_payload_version; /* the highest payload version understood, >= 1 */
    uint32_t reserved;              /* zero */
    /* AEROLITH_HOOK_ROUTE only (empty otherwise). */
    aerolith_slice route_prefix;    /* mounted at /v1/<route_prefix>; [a-z][a-z0-9-]* */
    aerolith_slice route_permission; /* one AEROLITH_PERMISSION_* name; required */
} aerolith_hook_registration;

/* ========================================================================================
 * Exported functions
 * ======================================================================================== */

/* Any function pointer; cast it to the real type, which `signature` describes. */
typedef void (*aerolith_any_function)(void);

/* A plain C function the plugin offers for the host to call by name, through libffi with the
 * arguments `signature` declares, on enabled plugins only. This host calls it from the admin
 * API, POST /v1/plugins/{name}/functions/{fn} with {"arguments":[...]} (CLI: `aerolith plugin
 * call`), and calls the one function the operator names as "pricing_function" in
 * configuration (signature "i64(i64,i64)", called as f(documents, storage_bytes)) when a
 * tenant reads GET /v1/usage. Owned by the plugin (static storage); zero-tail rule.
 *
 * Signature grammar:   signature := type "(" [ type { "," type } ] ")"
 *                      type      := "i32" | "i64" | "u32" | "u64" | "f32" | "f64" | "bool"
 *                                 | "void" (return type only)
 * e.g. "i64(i64,f64)" is int64_t f(int64_t, double); "bool" is C `bool`/_Bool. No spaces,
 * at most AEROLITH_FUNCTION_ARGUMENTS_COUNT_MAX arguments.
 * Such a function has no context: it must not call host functions, must not keep pointers,
 * and should be a pure computation. Thread: any host worker thread; concurrent if the plugin
 * is reentrant, otherwise serialised with all other calls into the plugin. */
typedef struct aerolith_function_export {
    uint32_t struct_size;
    uint32_t reserved;              /* zero */
    aerolith_slice name;            /* [a-z_][a-z0-9_]*, at most AEROLITH_FUNCTION_NAME_BYTES_MAX */
    aerolith_slice signature;       /* see the grammar above */
    aerolith_any_function function; /* required */
    aerolith_slice description;     /* one line for listings; may be empty */
} aerolith_function_export;

/* ========================================================================================
 * Lifecycle callbacks
 * ======================================================================================== */

/* All optional. They receive the descriptor's `user_data` and never run concurrently with
 * each other for one plugin; they run on a host management thread.
 *
 * on_load        once, after the host accepted the descriptor, before any other callback.
 *                Acquire process-wide resources, start threads. A non-OK status refuses the
 *                plugin (its message is listed) and nothing else is called, not even
 *                on_unload. call->tenant_id is empty.
 * on_configure   once, right after on_load, before any hook of this image is dispatched, with
 *                the plugin's configuration from the server's configuration file
 *                ("plugins": {"configuration": {"<name>": {...}}}) as one JSON object ("{}"
 *                when none). This host reads that file at start: a changed configuration
 *                reaches the plugin at the next start, or when a new version of it is loaded.
 *                A non-OK status refuses the plugin; on_unload is called first, so that it
 *                can release what on_load acquired.
 * on_activate    when the plugin is activated for a tenant (also at startup, on enable and for
 *                a new version, for tenants where it was active), with that tenant's settings
 *                as one JSON object ("{}" when none). Store per-tenant state in
 *                *tenant_state_out (NULL is fine); hooks for the tenant start only after it
 *                returns OK. May run while hooks of other tenants run.
 * on_deactivate  when the plugin is deactivated for a tenant, activated again with different
 *                settings (on_deactivate, then on_activate), disabled, replaced by a new
 *                version, or the server stops. The host first stops dispatching the tenant's
 *                hooks and waits for in-flight ones (at most 10 s; if they do not finish,
 *                on_deactivate is not called and the tenant state is left alone); then it is
 *                safe to free call->tenant_state. Status is only logged.
 * on_unload      once, last, after every tenant was deactivated and all hooks drained: when
 *                the plugin is replaced by a new version, when the server stops, or when
 *                on_configure refused it. Not on disable: a disabled plugin stays loaded (and
 *                is not started again when enabled). If in-flight calls do not drain in time,
 *                on_unload is not called. Stop threads and release everything. This host never
 *                unmaps the image afterwards. Status is only logged. */
typedef aerolith_status (*aerolith_load_fn)(void *user_data, const aerolith_call *call);
typedef aerolith_status (*aerolith_configure_fn)(void *user_data, const aerolith_call *call,
                                                 aerolith_slice configuration_json);
typedef aerolith_status (*aerolith_activate_fn)(void *user_data, const aerolith_call *call,
                                                aerolith_slice tenant_settings_json,
                                                void **tenant_state_out);
typedef aerolith_status (*aerolith_deactivate_fn)(void *user_data, const aerolith_call *call);
typedef aerolith_status (*aerolith_unload_fn)(void *user_data, const aerolith_call *call);

/* ========================================================================================
 * The init exchange
 * ======================================================================================== */

/* Host → plugin. Owned by the host, borrowed for the duration of `aerolith_plugin_init`;
 * copy what you need (the `api` and `plugin_context` pointers stay valid until on_unload
 * returns, but this struct does not). */
typedef struct aerolith_host_init {
    uint32_t struct_size;
    aerolith_abi_version abi;       /* the host's ABI version */
    aerolith_layout layout;         /* the host's layout fingerprint */
    uint64_t hook_kinds;            /* AEROLITH_HOOK_KIND_BIT(kind) for each supported kind */
    uint64_t event_kinds;           /* AEROLITH_EVENT_* bits the host publishes */
    uint64_t host_functions;        /* AEROLITH_HOST_FUNCTION_* bits implemented in `api` */
    const aerolith_host_api *api;   /* the host API table; valid until on_unload returns */
    aerolith_context *plugin_context; /* process-wide context; valid until on_unload returns */
    /* Where aerolith_plugin_init writes why it failed. Capacity AEROLITH_MESSAGE_BYTES_MAX. */
    aerolith_buffer *message;
    aerolith_slice host_version;    /* the server's semver, e.g. "1.4.0" */
    aerolith_slice plugin_path;     /* the absolute path of the file being loaded */
} aerolith_host_init;

/* Plugin flags. */
enum {
    /* Any callback may run concurrently with any other, on different threads. Without it
     * the host serialises every call into the plugin. */
    AEROLITH_PLUGIN_REENTRANT = 1u << 0,
    /* Declares that the image could be dlclose'd after on_unload. This host version accepts
     * the flag and never unmaps any image (it loads with RTLD_NODELETE), so today it changes
     * nothing; a later host may offer opt-in unloading for images that set it. Never set it
     * for Swift or Rust plugins, or if threads or TLS destructors may outlive on_unload. */
    AEROLITH_PLUGIN_UNLOADABLE = 1u << 1
};

/* Plugin → host: who the plugin is and what it offers. Owned by the plugin; it and
 * everything it points to must stay valid and unchanged until the plugin is unloaded (use
 * static storage, or storage allocated in aerolith_plugin_init and never freed). The host
 * copies it under the zero-tail rule. Required: struct_size, abi, layout, name, version;
 * everything else may be zero. */
typedef struct aerolith_plugin_descriptor {
    uint32_t struct_size;           /* sizeof(aerolith_plugin_descriptor) */
    aerolith_abi_version abi;       /* AEROLITH_ABI_VERSION_MAJOR / _MINOR built against */
    aerolith_layout layout;         /* AEROLITH_LAYOUT_INIT */
    uint32_t flags;                 /* AEROLITH_PLUGIN_* */
    uint32_t reserved;              /* zero */
    /* Unique among loaded plugins: [a-z][a-z0-9-]*, at most AEROLITH_PLUGIN_NAME_BYTES_MAX.
     * A second plugin with a loaded plugin's name is refused (unless it replaces it). */
    aerolith_slice name;
    aerolith_slice version;         /* semver 2.0 of the plugin, e.g. "1.2.0" */
    aerolith_slice build_id;        /* free-form (a commit id), for diagnostics; may be empty */
    aerolith_slice description;     /* one line for listings; may be empty */
    void *user_data;                /* passed to the lifecycle callbacks; plugin-owned */
    aerolith_load_fn on_load;
    aerolith_configure_fn on_configure;
    aerolith_activate_fn on_activate;
    aerolith_deactivate_fn on_deactivate;
    aerolith_unload_fn on_unload;
    /* The hooks, at most AEROLITH_HOOKS_PER_PLUGIN_COUNT_MAX; NULL when hook_count is 0. An
     * array of pointers so each registration carries its own struct_size. */
    const aerolith_hook_registration *const *hooks;
    size_t hook_count;
    /* The exported functions, at most AEROLITH_FUNCTIONS_PER_PLUGIN_COUNT_MAX; NULL when
     * function_count is 0. */
    const aerolith_function_export *const *functions;
    size_t function_count;
} aerolith_plugin_descriptor;

/* THE ENTRY SYMBOL. Frozen forever; every plugin defines it, with AEROLITH_EXPORT.
 *
 * Called once per loaded image, on a host management thread, before anything else and never
 * concurrently with any other call into the plugin. It only describes the plugin: check
 * `host` (at least host->abi.major == AEROLITH_ABI_VERSION_MAJOR; register only hook kinds
 * present in host->hook_kinds), set *descriptor_out, and return AEROLITH_OK. Do not start
 * threads or acquire resources here — the host may still refuse the plugin (duplicate name,
 * ABI mismatch) and then calls nothing else; the conformance checker also calls it in
 * isolation. Logging through host->api->log with host->plugin_context is allowed.
 *
 * On failure return a non-OK status (AEROLITH_ERR_ABI_MISMATCH for a version the plugin does
 * not support) and write the reason into host->message; the host lists it as the refusal. */
AEROLITH_EXPORT aerolith_status aerolith_plugin_init(
    const aerolith_host_init *host, const aerolith_plugin_descriptor **descriptor_out);

/* The type of `aerolith_plugin_init`, for hosts that look it up with dlsym. */
typedef aerolith_status (*aerolith_plugin_init_fn)(
    const aerolith_host_init *host, const aerolith_plugin_descriptor **descriptor_out);


/* ========================================================================================
 * Helpers (static inline: compiled into the plugin, not part of the ABI)
 * ======================================================================================== */

/* Conveniences over the host API table for C and C++ plugins. Each takes the table the plugin
 * kept from aerolith_host_init.api, checks that the slot it calls lies within the table's
 * struct_size and is implemented (AEROLITH_HOST_API_HAS), and returns
 * AEROLITH_ERR_UNSUPPORTED (or does nothing, for logging) when it is not. NULL buffers are
 * accepted and ignored where the host may pass none. They never keep anything they are given.
 *
 *     static const aerolith_host_api *api;   // set in aerolith_plugin_init: api = host->api;
 *     ...
 *     aerolith_log(api, call, AEROLITH_LOG_INFO, AEROLITH_SLICE("checked the write"));
 *     return aerolith_reject(api, call, result, AEROLITH_SLICE("forbidden_key"),
 *                            AEROLITH_SLICE("documents may not contain \"forbidden\""));
 */

#if defined(__GNUC__) || defined(__clang__)
#define AEROLITH_PRINTF_FORMAT(format_index, first_argument) \
    __attribute__((format(printf, format_index, first_argument)))
#else
#define AEROLITH_PRINTF_FORMAT(format_index, first_argument)
#endif

/* A slice of a NUL-terminated string (its bytes without the NUL); the empty slice for NULL. */
static inline aerolith_slice aerolith_slice_from_cstring(const char *text) {
    return aerolith_slice_make(text, text == NULL ? 0 : strlen(text));
}

/* True when both slices hold the same bytes. */
static inline int aerolith_slice_equals(aerolith_slice a, aerolith_slice b) {
    return a.len == b.len && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
}

/* True when `slice` starts with the bytes of `prefix`. */
static inline int aerolith_slice_has_prefix(aerolith_slice slice, aerolith_slice prefix) {
    return slice.len >= prefix.len && (prefix.len == 0 || memcmp(slice.data, prefix.data, prefix.len) == 0);
}

/* Appends `bytes` to a host buffer (all or nothing, see buffer_append). */
static inline aerolith_status aerolith_append(const aerolith_host_api *api, aerolith_buffer *buffer, aerolith_slice bytes) {
    if (api == NULL || !AEROLITH_HOST_API_HAS(api, buffer_append)) return AEROLITH_ERR_UNSUPPORTED;
    if (buffer == NULL) return AEROLITH_ERR_INVALID_ARGUMENT;
    return api->buffer_append(buffer, bytes.data, bytes.len);
}

/* Writes `message` to the server log at `level` (AEROLITH_LOG_*) through any context: a
 * call's (call->context) or the plugin's own (aerolith_host_init.plugin_context). */
static inline void aerolith_log_context(const aerolith_host_api *api, aerolith_context *context, uint32_t level,
                                        aerolith_slice message) {
    if (api != NULL && AEROLITH_HOST_API_HAS(api, log)) api->log(context, level, message);
}

/* Writes `message` to the server log at `level`, attributed to the call's plugin, tenant and
 * request. */
static inline void aerolith_log(const aerolith_host_api *api, const aerolith_call *call, uint32_t level, aerolith_slice message) {
    if (call != NULL) aerolith_log_context(api, call->context, level, message);
}

/* Writes `message` as the call's reason (call->message), cut to what fits the message
 * capacity (AEROLITH_MESSAGE_BYTES_MAX) so that a long reason is shortened, not lost. */
static inline aerolith_status aerolith_message(const aerolith_host_api *api, const aerolith_call *call, aerolith_slice message) {
    if (call == NULL || call->message == NULL) return AEROLITH_ERR_INVALID_ARGUMENT;
    if (message.len > AEROLITH_MESSAGE_BYTES_MAX) message.len = AEROLITH_MESSAGE_BYTES_MAX;
    return aerolith_append(api, call->message, message);
}

/* printf-style aerolith_message, formatted on the stack (at most AEROLITH_MESSAGE_BYTES_MAX
 * bytes, longer text is cut). Use "%.*s" with (int)slice.len, slice.data for a slice. */
static inline aerolith_status aerolith_messagef(const aerolith_host_api *api, const aerolith_call *call, const char *format, ...)
    AEROLITH_PRINTF_FORMAT(3, 4);
static inline aerolith_status aerolith_messagef(const aerolith_host_api *api, const aerolith_call *call, const char *format, ...) {
    char text[AEROLITH_MESSAGE_BYTES_MAX + 1];
    va_list arguments;
    va_start(arguments, format);
    int written = vsnprintf(text, sizeof text, format, arguments);
    va_end(arguments);
    if (written < 0) return AEROLITH_ERR_INVALID_ARGUMENT;
    size_t length = (size_t)written < sizeof text ? (size_t)written : sizeof text - 1;
    return aerolith_message(api, call, aerolith_slice_make(text, length));
}

/* Authorize hooks: deny the request with `reason` (shown to the client as the detail). */
static inline aerolith_status aerolith_deny(const aerolith_host_api *api, const aerolith_call *call,
                                            aerolith_authorize_result *result, aerolith_slice reason) {
    result->decision = AEROLITH_AUTHORIZE_DENY;
    (void)aerolith_message(api, call, reason);
    return AEROLITH_OK;
}

/* Before-write hooks: reject the write with the problem `code` ([a-z][a-z0-9_]*; it must stay
 * valid until unload — pass AEROLITH_SLICE("literal")) and `reason`. */
static inline aerolith_status aerolith_reject(const aerolith_host_api *api, const aerolith_call *call,
                                              aerolith_before_write_result *result, aerolith_slice code, aerolith_slice reason) {
    result->action = AEROLITH_WRITE_REJECT;
    result->reject_code = code;
    (void)aerolith_message(api, call, reason);
    return AEROLITH_OK;
}

/* Before-write hooks: store `body` (one complete JSON object) instead of the written one. */
static inline aerolith_status aerolith_transform(const aerolith_host_api *api, aerolith_before_write_result *result,
                                                 aerolith_slice body) {
    aerolith_status status = aerolith_append(api, result->body, body);
    if (status == AEROLITH_OK) result->action = AEROLITH_WRITE_TRANSFORM;
    return status;
}

/* Route hooks: answer with `http_status` and `body` (content type application/json unless
 * `content_type` is non-empty). */
static inline aerolith_status aerolith_respond(const aerolith_host_api *api, aerolith_route_response *response,
                                               uint32_t http_status, aerolith_slice body, aerolith_slice content_type) {
    response->http_status = http_status;
    aerolith_status status = aerolith_append(api, response->body, body);
    if (status == AEROLITH_OK && content_type.len > 0) status = aerolith_append(api, response->content_type, content_type);
    return status;
}

/* Metrics through the call's context; see metric_counter_add and the functions after it. */
static inline aerolith_status aerolith_counter_add(const aerolith_host_api *api, const aerolith_call *call, aerolith_slice name,
                                                   aerolith_slice labels, uint64_t amount) {
    if (api == NULL || call == NULL || !AEROLITH_HOST_API_HAS(api, metric_counter_add)) return AEROLITH_ERR_UNSUPPORTED;
    return api->metric_counter_add(call->context, name, labels, amount);
}

static inline aerolith_status aerolith_gauge_set(const aerolith_host_api *api, const aerolith_call *call, aerolith_slice name,
                                                 aerolith_slice labels, double value) {
    if (api == NULL || call == NULL || !AEROLITH_HOST_API_HAS(api, metric_gauge_set)) return AEROLITH_ERR_UNSUPPORTED;
    return api->metric_gauge_set(call->context, name, labels, value);
}

static inline aerolith_status aerolith_histogram_record(const aerolith_host_api *api, const aerolith_call *call, aerolith_slice name,
                                                        aerolith_slice labels, double value) {
    if (api == NULL || call == NULL || !AEROLITH_HOST_API_HAS(api, metric_histogram_record)) return AEROLITH_ERR_UNSUPPORTED;
    return api->metric_histogram_record(call->context, name, labels, value);
}

/* ========================================================================================
 * Frozen layouts of 1.0 (checked at compile time on 64-bit targets)
 * ======================================================================================== */

#if UINTPTR_MAX == UINT64_MAX
AEROLITH_STATIC_ASSERT(sizeof(aerolith_slice) == 16, "frozen 1.0 layout");
AEROLITH_STATIC_ASSERT(sizeof(aerolith_layout) == 8, "frozen 1.0 layout");
AEROLITH_STATIC_ASSERT(sizeof(aerolith_event) == 48, "frozen 1.0 layout");
AEROLITH_STATIC_ASSERT(sizeof(aerolith_call) == 64, "frozen 1.0 layout");
AEROLITH_STATIC_ASSERT(sizeof(aerolith_host_api) == 88, "frozen 1.0 layout");
AEROLITH_STATIC_ASSERT(sizeof(aerolith_host_init) == 96, "frozen 1.0 layout");
AEROLITH_STATIC_ASSERT(sizeof(aerolith_plugin_descriptor) == 168, "frozen 1.0 layout");
AEROLITH_STATIC_ASSERT(sizeof(aerolith_hook_registration) == 128, "frozen 1.0 layout");
AEROLITH_STATIC_ASSERT(sizeof(aerolith_function_export) == 64, "frozen 1.0 layout");
AEROLITH_STATIC_ASSERT(sizeof(aerolith_authorize_request) == 104, "frozen 1.0 layout");
AEROLITH_STATIC_ASSERT(sizeof(aerolith_authorize_result) == 8, "frozen 1.0 layout");
AEROLITH_STATIC_ASSERT(sizeof(aerolith_document_write) == 72, "frozen 1.0 layout");
AEROLITH_STATIC_ASSERT(sizeof(aerolith_before_write_result) == 32, "frozen 1.0 layout");
AEROLITH_STATIC_ASSERT(sizeof(aerolith_authenticate_request) == 88, "frozen 1.0 layout");
AEROLITH_STATIC_ASSERT(sizeof(aerolith_authenticate_result) == 16, "frozen 1.0 layout");
AEROLITH_STATIC_ASSERT(sizeof(aerolith_isolation_request) == 56, "frozen 1.0 layout");
AEROLITH_STATIC_ASSERT(sizeof(aerolith_isolation_result) == 24, "frozen 1.0 layout");
AEROLITH_STATIC_ASSERT(sizeof(aerolith_route_request) == 120, "frozen 1.0 layout");
AEROLITH_STATIC_ASSERT(sizeof(aerolith_route_response) == 24, "frozen 1.0 layout");
AEROLITH_STATIC_ASSERT(offsetof(aerolith_plugin_descriptor, name) == 24, "frozen 1.0 layout");
AEROLITH_STATIC_ASSERT(offsetof(aerolith_hook_registration, function) == 32, "frozen 1.0 layout");
#endif

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* AEROLITH_PLUGIN_H */
