/*
 * Tests of SDK/include/aerolith_json.h, run as a program: prints one line per failed check
 * and exits non-zero if any failed. Every input is copied into an exactly sized heap block,
 * so a read past the slice's end is caught by the sanitizer the test builds with.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aerolith_json.h"

static int failures;

#define CHECK(condition)                                                                  \
    do {                                                                                  \
        if (!(condition)) {                                                               \
            printf("FAILED line %d: %s\n", __LINE__, #condition);                        \
            failures++;                                                                   \
        }                                                                                 \
    } while (0)

/* Inputs stay allocated until the end (values borrow from them), then are freed at once. */
#define INPUTS_COUNT_MAX 1024
static char *inputs[INPUTS_COUNT_MAX];
static size_t input_count;

/* An exact copy of `text` (without its NUL) on the heap, freed by free_inputs. */
static aerolith_slice heap(const char *text, size_t len) {
    char *copy = (char *)malloc(len == 0 ? 1 : len);
    memcpy(copy, text, len);
    if (input_count == INPUTS_COUNT_MAX) abort();
    inputs[input_count++] = copy;
    return aerolith_slice_make(copy, len);
}

static void free_inputs(void) {
    for (size_t index = 0; index < input_count; index++) free(inputs[index]);
    input_count = 0;
}

#define HEAP(literal) heap((literal), sizeof(literal) - 1)

static aerolith_status find(const char *json, size_t len, const char *path, aerolith_json_value *out) {
    aerolith_slice slice = heap(json, len);
    return aerolith_json_find(slice, path, out);
}

#define FIND(literal, path, out) find((literal), sizeof(literal) - 1, (path), (out))

/* The string at `path` decoded equals `expected` (`expected_len` bytes). */
static int string_at(const char *json, size_t len, const char *path, const char *expected, size_t expected_len) {
    aerolith_slice slice = heap(json, len);
    aerolith_json_value value;
    char text[128];
    size_t length = 0;
    int ok = aerolith_json_find(slice, path, &value) == AEROLITH_OK &&
             aerolith_json_string(value, text, sizeof text, &length) == AEROLITH_OK &&
             length == expected_len && memcmp(text, expected, expected_len) == 0 && text[length] == '\0' &&
             aerolith_json_string_equals(value, expected, expected_len);
    return ok;
}

#define STRING_AT(literal, path, expected) \
    string_at((literal), sizeof(literal) - 1, (path), (expected), sizeof(expected) - 1)

static void test_paths_and_nesting(void) {
    aerolith_json_value value;
    int64_t integer = 0;
    CHECK(FIND("{\"a\":{\"b\":{\"c\":42}}}", "a.b.c", &value) == AEROLITH_OK);
    CHECK(aerolith_json_int64(value, &integer) == AEROLITH_OK && integer == 42);
    CHECK(FIND("{\"a\":{\"b\":1}}", "a.x", &value) == AEROLITH_ERR_NOT_FOUND);
    CHECK(FIND("{\"a\":1}", "a.b", &value) == AEROLITH_ERR_NOT_FOUND); /* a step into a number */
    CHECK(FIND("{\"a\":1}", "", &value) == AEROLITH_OK && value.type == AEROLITH_JSON_OBJECT);
    /* Arrays: index steps, and brackets or braces inside strings do not confuse the walk. */
    CHECK(STRING_AT("{\"items\":[{\"name\":\"x]}\"},{\"name\":\"second\"}]}", "items.1.name", "second"));
    CHECK(FIND("{\"items\":[1,2]}", "items.2", &value) == AEROLITH_ERR_NOT_FOUND);
    CHECK(FIND("{\"items\":[1,2]}", "items.x", &value) == AEROLITH_ERR_NOT_FOUND);
    CHECK(FIND("{\"items\":[]}", "items.0", &value) == AEROLITH_ERR_NOT_FOUND);
    /* A key that only occurs deeper is not a top-level member. */
    CHECK(FIND("{\"outer\":{\"forbidden\":true}}", "forbidden", &value) == AEROLITH_ERR_NOT_FOUND);
    CHECK(FIND("{\"list\":[\"forbidden\"],\"k\":\"forbidden\"}", "forbidden", &value) == AEROLITH_ERR_NOT_FOUND);
    /* The outermost value may be an array. */
    CHECK(STRING_AT("[\"zero\",{\"one\":\"1\"}]", "1.one", "1"));
}

static void test_whitespace(void) {
    aerolith_json_value value;
    bool flag = false;
    CHECK(FIND(" \t\r\n{ \"a\" \n:\t[ 1 , { \"b\" : true } ] \r} \n", "a.1.b", &value) == AEROLITH_OK);
    CHECK(aerolith_json_bool(value, &flag) == AEROLITH_OK && flag);
    CHECK(FIND("{}", "a", &value) == AEROLITH_ERR_NOT_FOUND);
    CHECK(FIND("{ }", "", &value) == AEROLITH_OK);
    CHECK(FIND("[ ]", "0", &value) == AEROLITH_ERR_NOT_FOUND);
    /* Form feed and vertical tab are not JSON whitespace. */
    CHECK(FIND("{\f\"a\":1}", "a", &value) == AEROLITH_ERR_INVALID_ARGUMENT);
}

static void test_escapes(void) {
    /* Keys are compared decoded. */
    CHECK(STRING_AT("{\"forbidd\\u0065n\":\"yes\"}", "forbidden", "yes"));
    CHECK(STRING_AT("{\"a\\\"b\":\"quote\"}", "a\"b", "quote"));
    CHECK(STRING_AT("{\"k\":\"tab\\there\\nnew \\\\ \\/ \\b\\f\\r\"}", "k", "tab\there\nnew \\ / \b\f\r"));
    /* \u escapes become UTF-8: U+00E9, U+20AC, and U+1F600 from a surrogate pair. */
    CHECK(STRING_AT("{\"k\":\"\\u00e9\\u20AC\\ud83d\\ude00\"}", "k", "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));
    /* Raw UTF-8 passes through unchanged, and matches an escaped key. */
    CHECK(STRING_AT("{\"caf\\u00e9\":\"caf\xC3\xA9\"}", "caf\xC3\xA9", "caf\xC3\xA9"));
    /* \u0000 decodes to a NUL byte inside the string. */
    CHECK(STRING_AT("{\"k\":\"a\\u0000b\"}", "k", "a\0b"));
    aerolith_json_value value;
    CHECK(FIND("{\"k\":\"\\x\"}", "k", &value) == AEROLITH_ERR_INVALID_ARGUMENT);      /* unknown escape */
    CHECK(FIND("{\"k\":\"\\u12\"}", "k", &value) == AEROLITH_ERR_INVALID_ARGUMENT);    /* short \u */
    CHECK(FIND("{\"k\":\"\\u12g4\"}", "k", &value) == AEROLITH_ERR_INVALID_ARGUMENT);  /* not hex */
    CHECK(FIND("{\"k\":\"\\ud83d\"}", "k", &value) == AEROLITH_ERR_INVALID_ARGUMENT);  /* lone high surrogate */
    CHECK(FIND("{\"k\":\"\\ude00\"}", "k", &value) == AEROLITH_ERR_INVALID_ARGUMENT);  /* lone low surrogate */
    CHECK(FIND("{\"k\":\"a\tb\"}", "k", &value) == AEROLITH_ERR_INVALID_ARGUMENT);     /* raw control character */
    /* An escaped quote does not end the string. */
    CHECK(STRING_AT("{\"k\":\"say \\\"hi\\\"\",\"n\":\"after\"}", "n", "after"));
}

static void test_truncated(void) {
    static const char whole[] = "{\"a\":[1,{\"b\":\"t\\u00e9xt\"}],\"c\":-1.5e3,\"d\":true,\"e\":null}";
    aerolith_json_value value;
    CHECK(FIND(whole, "c", &value) == AEROLITH_OK);
    /* Every proper prefix of a valid text is refused, never read past. */
    for (size_t len = 0; len < sizeof(whole) - 1; len++) {
        aerolith_status status = find(whole, len, "c", &value);
        if (status != AEROLITH_ERR_INVALID_ARGUMENT) {
            printf("FAILED: a prefix of %zu bytes gave status %d\n", len, (int)status);
            failures++;
        }
    }
    CHECK(FIND("{\"a\":1}}", "a", &value) == AEROLITH_ERR_INVALID_ARGUMENT); /* trailing text */
    CHECK(FIND("{\"a\":1,}", "a", &value) == AEROLITH_ERR_INVALID_ARGUMENT); /* trailing comma */
    CHECK(FIND("{\"a\" 1}", "a", &value) == AEROLITH_ERR_INVALID_ARGUMENT);  /* missing colon */
    CHECK(FIND("{a:1}", "a", &value) == AEROLITH_ERR_INVALID_ARGUMENT);      /* unquoted key */
    CHECK(FIND("{\"a\":tru}", "a", &value) == AEROLITH_ERR_INVALID_ARGUMENT);
    CHECK(FIND("{\"a\":[1 2]}", "a", &value) == AEROLITH_ERR_INVALID_ARGUMENT);
    CHECK(FIND("{\"a\":[1}", "a", &value) == AEROLITH_ERR_INVALID_ARGUMENT); /* mismatched bracket */
    aerolith_slice empty = { NULL, 0 };
    CHECK(aerolith_json_find(empty, "", &value) == AEROLITH_ERR_INVALID_ARGUMENT);
}

static void test_duplicates(void) {
    aerolith_json_value value;
    CHECK(FIND("{\"a\":1,\"a\":2}", "a", &value) == AEROLITH_ERR_INVALID_ARGUMENT);
    /* Also when one spelling is escaped. */
    CHECK(FIND("{\"a\":1,\"\\u0061\":2}", "a", &value) == AEROLITH_ERR_INVALID_ARGUMENT);
    /* A duplicate elsewhere does not make another key ambiguous; the same key in two objects is fine. */
    CHECK(FIND("{\"a\":1,\"b\":2,\"b\":3}", "a", &value) == AEROLITH_OK);
    CHECK(FIND("{\"x\":{\"a\":1},\"y\":{\"a\":2}}", "y.a", &value) == AEROLITH_OK);
}

static void test_numbers(void) {
    aerolith_json_value value;
    int64_t integer = 0;
    double number = 0;
    CHECK(FIND("{\"n\":-9223372036854775808}", "n", &value) == AEROLITH_OK);
    CHECK(aerolith_json_int64(value, &integer) == AEROLITH_OK && integer == INT64_MIN);
    CHECK(FIND("{\"n\":9223372036854775807}", "n", &value) == AEROLITH_OK);
    CHECK(aerolith_json_int64(value, &integer) == AEROLITH_OK && integer == INT64_MAX);
    CHECK(FIND("{\"n\":9223372036854775808}", "n", &value) == AEROLITH_OK);
    CHECK(aerolith_json_int64(value, &integer) == AEROLITH_ERR_LIMIT_EXCEEDED);
    CHECK(FIND("{\"n\":1.5}", "n", &value) == AEROLITH_OK);
    CHECK(aerolith_json_int64(value, &integer) == AEROLITH_ERR_INVALID_ARGUMENT);
    CHECK(aerolith_json_double(value, &number) == AEROLITH_OK && number == 1.5);
    CHECK(FIND("{\"n\":-2.5E-3}", "n", &value) == AEROLITH_OK);
    CHECK(aerolith_json_double(value, &number) == AEROLITH_OK && number == -0.0025);
    /* A locale with a decimal comma does not change how numbers read. */
    if (setlocale(LC_NUMERIC, "de_DE.UTF-8") != NULL || setlocale(LC_NUMERIC, "fr_FR.UTF-8") != NULL) {
        CHECK(FIND("{\"n\":0.25}", "n", &value) == AEROLITH_OK);
        CHECK(aerolith_json_double(value, &number) == AEROLITH_OK && number == 0.25);
        setlocale(LC_NUMERIC, "C");
    }
    CHECK(FIND("{\"n\":01}", "n", &value) == AEROLITH_ERR_INVALID_ARGUMENT);  /* leading zero */
    CHECK(FIND("{\"n\":1.}", "n", &value) == AEROLITH_ERR_INVALID_ARGUMENT);
    CHECK(FIND("{\"n\":.5}", "n", &value) == AEROLITH_ERR_INVALID_ARGUMENT);
    CHECK(FIND("{\"n\":+1}", "n", &value) == AEROLITH_ERR_INVALID_ARGUMENT);
    CHECK(FIND("{\"n\":1e}", "n", &value) == AEROLITH_ERR_INVALID_ARGUMENT);
    CHECK(FIND("{\"n\":-}", "n", &value) == AEROLITH_ERR_INVALID_ARGUMENT);
    /* Types are checked. */
    CHECK(FIND("{\"s\":\"1\"}", "s", &value) == AEROLITH_OK);
    CHECK(aerolith_json_int64(value, &integer) == AEROLITH_ERR_INVALID_ARGUMENT);
    bool flag;
    CHECK(aerolith_json_bool(value, &flag) == AEROLITH_ERR_INVALID_ARGUMENT);
    CHECK(FIND("{\"z\":null}", "z", &value) == AEROLITH_OK && value.type == AEROLITH_JSON_NULL);
}

static void test_limits(void) {
    aerolith_json_value value;
    /* Nesting at the limit is read; one level more is refused. */
    char deep[2 * (AEROLITH_JSON_DEPTH_MAX + 1) + 1];
    for (int levels = AEROLITH_JSON_DEPTH_MAX; levels <= AEROLITH_JSON_DEPTH_MAX + 1; levels++) {
        size_t len = 0;
        for (int i = 0; i < levels; i++) deep[len++] = '[';
        for (int i = 0; i < levels; i++) deep[len++] = ']';
        aerolith_status expected = levels <= AEROLITH_JSON_DEPTH_MAX ? AEROLITH_OK : AEROLITH_ERR_LIMIT_EXCEEDED;
        CHECK(find(deep, len, "", &value) == expected);
    }
    /* A string that does not fit the output reports its length and writes no terminator past it. */
    CHECK(FIND("{\"k\":\"abcdef\"}", "k", &value) == AEROLITH_OK);
    char small[4] = { 'x', 'x', 'x', 'x' };
    size_t length = 0;
    CHECK(aerolith_json_string(value, small, sizeof small, &length) == AEROLITH_ERR_LIMIT_EXCEEDED && length == 6);
    CHECK(aerolith_json_string(value, NULL, 0, &length) == AEROLITH_ERR_LIMIT_EXCEEDED && length == 6);
    char exact[7];
    CHECK(aerolith_json_string(value, exact, sizeof exact, &length) == AEROLITH_OK && strcmp(exact, "abcdef") == 0);
}

int main(void) {
    test_paths_and_nesting();
    test_whitespace();
    test_escapes();
    test_truncated();
    test_duplicates();
    test_numbers();
    test_limits();
    free_inputs();
    if (failures == 0) printf("all checks passed\n");
    return failures == 0 ? 0 : 1;
}
