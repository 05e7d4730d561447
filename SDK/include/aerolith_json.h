/*
 * aerolith_json.h — a small JSON reader for plugins written in C (or C++).
 *
 * The host hands plugins JSON as slices (document bodies, settings, event payloads, header
 * maps). This header reads values out of such a slice without allocating: find a member by
 * a path, then read it as a string, number or boolean. It is a single header of static inline
 * functions; include it after aerolith_plugin.h. It is a convenience of the SDK, not part of
 * the ABI: it never calls the host.
 *
 *     aerolith_json_value greeting;
 *     if (aerolith_json_find(write->body, "meta.greeting", &greeting) == AEROLITH_OK &&
 *         greeting.type == AEROLITH_JSON_STRING) {
 *         char text[64];
 *         size_t length;
 *         if (aerolith_json_string(greeting, text, sizeof text, &length) == AEROLITH_OK) { ... }
 *     }
 *
 * What it guarantees:
 *   - It never reads outside the slice, whatever the bytes are (truncated or malformed input
 *     gives AEROLITH_ERR_INVALID_ARGUMENT, never a crash).
 *   - Keys are compared after decoding escapes: "forbidd\u0065n" is the key "forbidden".
 *   - Everything it walks over is checked against RFC 8259 (strings, escapes, numbers,
 *     literals, nesting up to AEROLITH_JSON_DEPTH_MAX levels). Raw bytes inside strings are
 *     not checked for UTF-8 validity (the host only hands over valid UTF-8).
 *   - A key that occurs twice in the object being searched is ambiguous: the lookup fails
 *     with AEROLITH_ERR_INVALID_ARGUMENT rather than pick one (the host refuses such JSON).
 *   - Values are borrowed from the input slice: valid as long as the input is.
 *
 * Status codes are the ABI's: AEROLITH_OK, AEROLITH_ERR_NOT_FOUND (no such member or element,
 * or a path step into a value that is not an object or array), AEROLITH_ERR_INVALID_ARGUMENT
 * (malformed JSON, a duplicate key, a value of the wrong type), AEROLITH_ERR_LIMIT_EXCEEDED
 * (nesting too deep, an output buffer too small, a number out of range).
 */

#ifndef AEROLITH_JSON_H
#define AEROLITH_JSON_H

#include "aerolith_plugin.h"

#ifdef __cplusplus
#include <clocale>
#include <cstdlib>
#include <cstring>
extern "C" {
#else
#include <locale.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#endif

/* Deepest nesting of arrays and objects the reader walks (the outermost value is level 1). */
#define AEROLITH_JSON_DEPTH_MAX 64
/* Longest number text aerolith_json_double reads, in bytes. */
#define AEROLITH_JSON_NUMBER_BYTES_MAX 64
/* Longest path segment (one key) aerolith_json_find accepts, in bytes. */
#define AEROLITH_JSON_PATH_SEGMENT_BYTES_MAX 256

/* The type of a value. */
enum {
    AEROLITH_JSON_INVALID = 0,
    AEROLITH_JSON_OBJECT = 1,
    AEROLITH_JSON_ARRAY = 2,
    AEROLITH_JSON_STRING = 3,
    AEROLITH_JSON_NUMBER = 4,
    AEROLITH_JSON_TRUE = 5,
    AEROLITH_JSON_FALSE = 6,
    AEROLITH_JSON_NULL = 7
};

/* One value inside a JSON text: its type and its exact text (a string's text includes the
 * quotes and the escapes as written). Borrowed from the input. */
typedef struct aerolith_json_value {
    uint32_t type;                  /* AEROLITH_JSON_* */
    aerolith_slice text;
} aerolith_json_value;

/* ---- internals (names start with aerolith_json__; do not call them) ---------------------- */

typedef struct aerolith_json__cursor {
    const char *at;
    const char *end;
} aerolith_json__cursor;

static inline void aerolith_json__space(aerolith_json__cursor *c) {
    while (c->at < c->end && (*c->at == ' ' || *c->at == '\t' || *c->at == '\n' || *c->at == '\r')) c->at++;
}

static inline int aerolith_json__hex(char digit) {
    if (digit >= '0' && digit <= '9') return digit - '0';
    if (digit >= 'a' && digit <= 'f') return digit - 'a' + 10;
    if (digit >= 'A' && digit <= 'F') return digit - 'A' + 10;
    return -1;
}

/* Reads four hex digits at `at` (bounds checked by the caller). -1 if any is not hex. */
static inline long aerolith_json__hex4(const char *at) {
    long value = 0;
    for (int index = 0; index < 4; index++) {
        int digit = aerolith_json__hex(at[index]);
        if (digit < 0) return -1;
        value = value * 16 + digit;
    }
    return value;
}

/* Decodes the next character of a string's contents at c->at (which is before the closing
 * quote) into UTF-8 bytes at out[0..3]; returns their count, or 0 if the text is malformed. */
static inline size_t aerolith_json__char(aerolith_json__cursor *c, unsigned char out[4]) {
    unsigned char byte = (unsigned char)*c->at;
    if (byte < 0x20) return 0;
    if (byte != '\\') {
        out[0] = byte;
        c->at++;
        return 1;
    }
    if (c->end - c->at < 2) return 0;
    char escape = c->at[1];
    c->at += 2;
    switch (escape) {
    case '"': out[0] = '"'; return 1;
    case '\\': out[0] = '\\'; return 1;
    case '/': out[0] = '/'; return 1;
    case 'b': out[0] = '\b'; return 1;
    case 'f': out[0] = '\f'; return 1;
    case 'n': out[0] = '\n'; return 1;
    case 'r': out[0] = '\r'; return 1;
    case 't': out[0] = '\t'; return 1;
    case 'u': break;
    default: return 0;
    }
    if (c->end - c->at < 4) return 0;
    long code = aerolith_json__hex4(c->at);
    if (code < 0) return 0;
    c->at += 4;
    if (code >= 0xDC00 && code <= 0xDFFF) return 0; /* a lone low surrogate */
    if (code >= 0xD800 && code <= 0xDBFF) {         /* a high surrogate: a low one must follow */
        if (c->end - c->at < 6 || c->at[0] != '\\' || c->at[1] != 'u') return 0;
        long low = aerolith_json__hex4(c->at + 2);
        if (low < 0xDC00 || low > 0xDFFF) return 0;
        c->at += 6;
        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    }
    if (code < 0x80) {
        out[0] = (unsigned char)code;
        return 1;
    }
    if (code < 0x800) {
        out[0] = (unsigned char)(0xC0 | (code >> 6));
        out[1] = (unsigned char)(0x80 | (code & 0x3F));
        return 2;
    }
    if (code < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (code >> 12));
        out[1] = (unsigned char)(0x80 | ((code >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (code & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (code >> 18));
    out[1] = (unsigned char)(0x80 | ((code >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((code >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (code & 0x3F));
    return 4;
}

/* At an opening quote: walks to just past the closing quote, checking every escape. */
static inline bool aerolith_json__skip_string(aerolith_json__cursor *c) {
    c->at++;
    unsigned char ignored[4];
    while (c->at < c->end) {
        if (*c->at == '"') {
            c->at++;
            return true;
        }
        if (aerolith_json__char(c, ignored) == 0) return false;
    }
    return false;
}

static inline bool aerolith_json__digits(aerolith_json__cursor *c) {
    const char *start = c->at;
    while (c->at < c->end && *c->at >= '0' && *c->at <= '9') c->at++;
    return c->at > start;
}

static inline bool aerolith_json__skip_number(aerolith_json__cursor *c) {
    if (c->at < c->end && *c->at == '-') c->at++;
    if (c->at < c->end && *c->at == '0') {
        c->at++;
    } else if (!aerolith_json__digits(c)) {
        return false;
    }
    if (c->at < c->end && *c->at == '.') {
        c->at++;
        if (!aerolith_json__digits(c)) return false;
    }
    if (c->at < c->end && (*c->at == 'e' || *c->at == 'E')) {
        c->at++;
        if (c->at < c->end && (*c->at == '+' || *c->at == '-')) c->at++;
        if (!aerolith_json__digits(c)) return false;
    }
    return true;
}

static inline bool aerolith_json__skip_word(aerolith_json__cursor *c, const char *word, size_t len) {
    if ((size_t)(c->end - c->at) < len || memcmp(c->at, word, len) != 0) return false;
    c->at += len;
    return true;
}

/* Walks over one value at c->at (no leading space), checking it; fills *out. `depth` is the
 * nesting level of the value. Returns an aerolith_status. */
static inline aerolith_status aerolith_json__value(aerolith_json__cursor *c, int depth, aerolith_json_value *out) {
    const char *start = c->at;
    uint32_t type;
    if (c->at >= c->end) return AEROLITH_ERR_INVALID_ARGUMENT;
    switch (*c->at) {
    case '"':
        type = AEROLITH_JSON_STRING;
        if (!aerolith_json__skip_string(c)) return AEROLITH_ERR_INVALID_ARGUMENT;
        break;
    case 't':
        type = AEROLITH_JSON_TRUE;
        if (!aerolith_json__skip_word(c, "true", 4)) return AEROLITH_ERR_INVALID_ARGUMENT;
        break;
    case 'f':
        type = AEROLITH_JSON_FALSE;
        if (!aerolith_json__skip_word(c, "false", 5)) return AEROLITH_ERR_INVALID_ARGUMENT;
        break;
    case 'n':
        type = AEROLITH_JSON_NULL;
        if (!aerolith_json__skip_word(c, "null", 4)) return AEROLITH_ERR_INVALID_ARGUMENT;
        break;
    case '{':
    case '[': {
        const char close = *c->at == '{' ? '}' : ']';
        type = close == '}' ? AEROLITH_JSON_OBJECT : AEROLITH_JSON_ARRAY;
        if (depth > AEROLITH_JSON_DEPTH_MAX) return AEROLITH_ERR_LIMIT_EXCEEDED;
        c->at++;
        aerolith_json__space(c);
        if (c->at < c->end && *c->at == close) {
            c->at++;
            break;
        }
        for (;;) {
            aerolith_json_value ignored;
            if (type == AEROLITH_JSON_OBJECT) {
                if (c->at >= c->end || *c->at != '"' || !aerolith_json__skip_string(c)) return AEROLITH_ERR_INVALID_ARGUMENT;
                aerolith_json__space(c);
                if (c->at >= c->end || *c->at != ':') return AEROLITH_ERR_INVALID_ARGUMENT;
                c->at++;
                aerolith_json__space(c);
            }
            aerolith_status status = aerolith_json__value(c, depth + 1, &ignored);
            if (status != AEROLITH_OK) return status;
            aerolith_json__space(c);
            if (c->at < c->end && *c->at == ',') {
                c->at++;
                aerolith_json__space(c);
                continue;
            }
            if (c->at < c->end && *c->at == close) {
                c->at++;
                break;
            }
            return AEROLITH_ERR_INVALID_ARGUMENT;
        }
        break;
    }
    default:
        type = AEROLITH_JSON_NUMBER;
        if (!aerolith_json__skip_number(c)) return AEROLITH_ERR_INVALID_ARGUMENT;
        break;
    }
    out->type = type;
    out->text = aerolith_slice_make(start, (size_t)(c->at - start));
    return AEROLITH_OK;
}

/* True when the string value `raw` (with quotes, as written) decodes to exactly `key`. */
static inline bool aerolith_json__key_equals(aerolith_slice raw, const char *key, size_t key_len) {
    aerolith_json__cursor c = { raw.data + 1, raw.data + raw.len - 1 };
    size_t matched = 0;
    unsigned char bytes[4];
    while (c.at < c.end) {
        size_t count = aerolith_json__char(&c, bytes);
        if (count == 0 || key_len - matched < count || memcmp(key + matched, bytes, count) != 0) return false;
        matched += count;
    }
    return matched == key_len;
}

/* ---- the reader ------------------------------------------------------------------------ */

/* Parses `json` as one complete JSON text (whitespace around it allowed, nothing else) and
 * describes its outermost value. */
static inline aerolith_status aerolith_json_parse(aerolith_slice json, aerolith_json_value *value_out) {
    aerolith_json__cursor c = { json.data, json.data + json.len };
    if (json.data == NULL || value_out == NULL) return AEROLITH_ERR_INVALID_ARGUMENT;
    aerolith_json__space(&c);
    aerolith_json_value value;
    aerolith_status status = aerolith_json__value(&c, 1, &value);
    if (status != AEROLITH_OK) return status;
    aerolith_json__space(&c);
    if (c.at != c.end) return AEROLITH_ERR_INVALID_ARGUMENT;
    *value_out = value;
    return AEROLITH_OK;
}

/* The member `key` (`key_len` bytes, compared after decoding the JSON key's escapes) of the
 * object `object`. Walks and checks the whole object. */
static inline aerolith_status aerolith_json_member(aerolith_json_value object, const char *key, size_t key_len,
                                                   aerolith_json_value *member_out) {
    if (object.type != AEROLITH_JSON_OBJECT) return AEROLITH_ERR_NOT_FOUND;
    aerolith_json__cursor c = { object.text.data + 1, object.text.data + object.text.len };
    bool found = false;
    aerolith_json__space(&c);
    if (c.at < c.end && *c.at == '}') return AEROLITH_ERR_NOT_FOUND;
    for (;;) {
        aerolith_json_value name, value;
        if (c.at >= c.end || *c.at != '"') return AEROLITH_ERR_INVALID_ARGUMENT;
        aerolith_status status = aerolith_json__value(&c, 2, &name);
        if (status != AEROLITH_OK) return status;
        aerolith_json__space(&c);
        if (c.at >= c.end || *c.at != ':') return AEROLITH_ERR_INVALID_ARGUMENT;
        c.at++;
        aerolith_json__space(&c);
        status = aerolith_json__value(&c, 2, &value);
        if (status != AEROLITH_OK) return status;
        if (aerolith_json__key_equals(name.text, key, key_len)) {
            if (found) return AEROLITH_ERR_INVALID_ARGUMENT; /* a duplicate key: ambiguous */
            found = true;
            *member_out = value;
        }
        aerolith_json__space(&c);
        if (c.at < c.end && *c.at == ',') {
            c.at++;
            aerolith_json__space(&c);
            continue;
        }
        if (c.at < c.end && *c.at == '}') return found ? AEROLITH_OK : AEROLITH_ERR_NOT_FOUND;
        return AEROLITH_ERR_INVALID_ARGUMENT;
    }
}

/* The element at `index` (from 0) of the array `array`. */
static inline aerolith_status aerolith_json_element(aerolith_json_value array, size_t index, aerolith_json_value *element_out) {
    if (array.type != AEROLITH_JSON_ARRAY) return AEROLITH_ERR_NOT_FOUND;
    aerolith_json__cursor c = { array.text.data + 1, array.text.data + array.text.len };
    aerolith_json__space(&c);
    if (c.at < c.end && *c.at == ']') return AEROLITH_ERR_NOT_FOUND;
    for (size_t position = 0;; position++) {
        aerolith_json_value value;
        aerolith_status status = aerolith_json__value(&c, 2, &value);
        if (status != AEROLITH_OK) return status;
        if (position == index) {
            *element_out = value;
            return AEROLITH_OK;
        }
        aerolith_json__space(&c);
        if (c.at < c.end && *c.at == ',') {
            c.at++;
            aerolith_json__space(&c);
            continue;
        }
        return c.at < c.end && *c.at == ']' ? AEROLITH_ERR_NOT_FOUND : AEROLITH_ERR_INVALID_ARGUMENT;
    }
}

/* Finds a value in the JSON text `json` by `path`, a NUL-terminated list of steps separated by
 * '.': a step is a member key when the value reached is an object, an element index (decimal
 * digits) when it is an array. "" is the whole text. "tenant.id", "items.0.name". (Use
 * aerolith_json_member directly for keys that contain a '.'.) The whole text is checked. */
static inline aerolith_status aerolith_json_find(aerolith_slice json, const char *path, aerolith_json_value *value_out) {
    aerolith_json_value current;
    if (path == NULL || value_out == NULL) return AEROLITH_ERR_INVALID_ARGUMENT;
    aerolith_status status = aerolith_json_parse(json, &current);
    if (status != AEROLITH_OK) return status;
    while (*path != '\0') {
        size_t len = 0;
        while (path[len] != '\0' && path[len] != '.') len++;
        if (len > AEROLITH_JSON_PATH_SEGMENT_BYTES_MAX) return AEROLITH_ERR_LIMIT_EXCEEDED;
        if (current.type == AEROLITH_JSON_ARRAY) {
            size_t index = 0;
            if (len == 0 || len > 9) return AEROLITH_ERR_NOT_FOUND;
            for (size_t at = 0; at < len; at++) {
                if (path[at] < '0' || path[at] > '9') return AEROLITH_ERR_NOT_FOUND;
                index = index * 10 + (size_t)(path[at] - '0');
            }
            status = aerolith_json_element(current, index, &current);
        } else {
            status = aerolith_json_member(current, path, len, &current);
        }
        if (status != AEROLITH_OK) return status;
        path += len;
        if (*path == '.') path++;
    }
    *value_out = current;
    return AEROLITH_OK;
}

/* Decodes the string value `value` into `out` (room for `capacity` bytes) as UTF-8 followed by
 * a NUL, and sets *length_out to the decoded length without the NUL. If it does not fit
 * (length + 1 > capacity), nothing usable is written, *length_out tells the length and the
 * result is AEROLITH_ERR_LIMIT_EXCEEDED. A string holding "\u0000" decodes to a NUL byte:
 * trust *length_out, not strlen. */
static inline aerolith_status aerolith_json_string(aerolith_json_value value, char *out, size_t capacity, size_t *length_out) {
    if (value.type != AEROLITH_JSON_STRING || length_out == NULL) return AEROLITH_ERR_INVALID_ARGUMENT;
    aerolith_json__cursor c = { value.text.data + 1, value.text.data + value.text.len - 1 };
    size_t length = 0;
    unsigned char bytes[4];
    while (c.at < c.end) {
        size_t count = aerolith_json__char(&c, bytes);
        if (count == 0) return AEROLITH_ERR_INVALID_ARGUMENT;
        if (out != NULL && length + count < capacity) memcpy(out + length, bytes, count);
        length += count;
    }
    *length_out = length;
    if (out == NULL || length + 1 > capacity) return AEROLITH_ERR_LIMIT_EXCEEDED;
    out[length] = '\0';
    return AEROLITH_OK;
}

/* True when `value` is a string that decodes to exactly the `len` bytes at `text`. */
static inline bool aerolith_json_string_equals(aerolith_json_value value, const char *text, size_t len) {
    return value.type == AEROLITH_JSON_STRING && aerolith_json__key_equals(value.text, text, len);
}

/* Reads a number written as an integer (no fraction, no exponent) within int64_t. */
static inline aerolith_status aerolith_json_int64(aerolith_json_value value, int64_t *out) {
    if (value.type != AEROLITH_JSON_NUMBER || out == NULL) return AEROLITH_ERR_INVALID_ARGUMENT;
    const char *at = value.text.data;
    const char *end = at + value.text.len;
    bool negative = at < end && *at == '-';
    if (negative) at++;
    if (at == end) return AEROLITH_ERR_INVALID_ARGUMENT;
    uint64_t magnitude = 0;
    const uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; at < end; at++) {
        if (*at < '0' || *at > '9') return AEROLITH_ERR_INVALID_ARGUMENT; /* '.', 'e': not an integer */
        uint64_t digit = (uint64_t)(*at - '0');
        if (magnitude > (limit - digit) / 10) return AEROLITH_ERR_LIMIT_EXCEEDED;
        magnitude = magnitude * 10 + digit;
    }
    *out = negative ? (magnitude == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)magnitude) : (int64_t)magnitude;
    return AEROLITH_OK;
}

/* Reads any number as a double (nearest value; independent of the process's locale). */
static inline aerolith_status aerolith_json_double(aerolith_json_value value, double *out) {
    if (value.type != AEROLITH_JSON_NUMBER || out == NULL) return AEROLITH_ERR_INVALID_ARGUMENT;
    if (value.text.len >= AEROLITH_JSON_NUMBER_BYTES_MAX) return AEROLITH_ERR_LIMIT_EXCEEDED;
    char text[AEROLITH_JSON_NUMBER_BYTES_MAX];
    memcpy(text, value.text.data, value.text.len);
    text[value.text.len] = '\0';
    /* strtod reads the locale's decimal point: write that one instead of '.'. */
    const char *point = localeconv()->decimal_point;
    if (point != NULL && point[0] != '\0' && point[1] == '\0') {
        for (size_t at = 0; at < value.text.len; at++) {
            if (text[at] == '.') text[at] = point[0];
        }
    }
    char *end = NULL;
    double number = strtod(text, &end);
    if (end != text + value.text.len) return AEROLITH_ERR_INVALID_ARGUMENT;
    *out = number;
    return AEROLITH_OK;
}

/* Reads true or false. */
static inline aerolith_status aerolith_json_bool(aerolith_json_value value, bool *out) {
    if ((value.type != AEROLITH_JSON_TRUE && value.type != AEROLITH_JSON_FALSE) || out == NULL) return AEROLITH_ERR_INVALID_ARGUMENT;
    *out = value.type == AEROLITH_JSON_TRUE;
    return AEROLITH_OK;
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* AEROLITH_JSON_H */
