/* The server's scan of a request target on the per-request hook path: is the target's path
 * what the router matches byte for byte (a leading "/", no empty segment, no percent escape),
 * and where do its path and a given segment sit? Then the authorization hooks can be lent the
 * request's own bytes.
 *
 * C, `static inline`, eight bytes at a time with bit arithmetic: the scan runs cold (once per
 * request with hooks, the rest of the request in between), where its cost is the code lines
 * and the branches it touches, not its arithmetic. This is a few hundred bytes of straight code
 * with one loop branch per word. */
#ifndef AEROLITH_TARGET_H
#define AEROLITH_TARGET_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Where a plain target's parts are, as byte offsets. */
typedef struct aerolith_target_ranges {
    size_t path_end;              /* the path is [0, path_end): the query ("?…") excluded */
    size_t segment_start;         /* the asked-for segment is [segment_start, segment_end), */
    size_t segment_end;           /* or [0, 0) when the path has no such segment */
} aerolith_target_ranges;

/* 0x80 in each byte of `word` equal to `byte`, 0 in the others (exact: no carry crosses bytes). */
static inline uint64_t aerolith_target_bytes_equal(uint64_t word, uint8_t byte) {
    const uint64_t low7 = 0x7F7F7F7F7F7F7F7FULL;
    uint64_t difference = word ^ (0x0101010101010101ULL * byte);
    return ~(((difference & low7) + low7) | difference | low7);
}

/* The eight bytes from `offset` as a word whose lowest byte is byte `offset`; zeros past `count`. */
static inline uint64_t aerolith_target_word(const uint8_t *bytes, size_t offset, size_t count) {
    uint64_t word = 0;
    size_t remaining = count - offset;
    if (remaining >= 8) {
        memcpy(&word, bytes + offset, 8);
    } else if (count >= 8) {
        /* The word ending at the last byte, shifted down past the bytes already read. */
        memcpy(&word, bytes + count - 8, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        word = __builtin_bswap64(word);
#endif
        return word >> ((8 - remaining) * 8);
    } else {
        for (size_t index = 0; index < remaining; index++) word |= (uint64_t)bytes[offset + index] << (index * 8);
        return word;
    }
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    word = __builtin_bswap64(word);
#endif
    return word;
}

/* The byte index of the `index`th (from 0) marked byte in `marks`. */
static inline size_t aerolith_target_select(uint64_t marks, size_t index) {
    for (; index > 0; index--) marks &= marks - 1;
    return (size_t)__builtin_ctzll(marks) / 8;
}

/* Returns 1 and fills `out` when `bytes` is a plain target, else 0. `segment` counts the path's
 * segments from 0 ("/v1/collections/notes": 2 is "notes"); SIZE_MAX (-1 from Swift) asks for none. Segment k
 * opens after slash k and closes at slash k + 1 or the path's end (the leading slash is 0). */
static inline int aerolith_target_scan(const uint8_t *bytes, size_t count, size_t segment, aerolith_target_ranges *out) {
    if (count == 0 || bytes[0] != '/') return 0;
    size_t opening = segment == SIZE_MAX ? SIZE_MAX - 1 : segment;
    size_t start = SIZE_MAX, end_of_segment = SIZE_MAX, slashes_before = 0, end = count, offset = 0;
    uint64_t rejected = 0, carried_slash = 0;
    for (;;) {
        uint64_t word = aerolith_target_word(bytes, offset, count);
        uint64_t question = aerolith_target_bytes_equal(word, '?');
        /* The bytes before the first "?" (all of them when there is none). */
        uint64_t in_path = question ? (((uint64_t)1 << (__builtin_ctzll(question) & ~7)) - 1) : ~(uint64_t)0;
        uint64_t slashes = aerolith_target_bytes_equal(word, '/') & in_path;
        /* A "%" in the path, or two slashes in a row (within the word, or across from the last). */
        rejected |= (aerolith_target_bytes_equal(word, '%') & in_path) | (slashes & (slashes >> 8)) | (carried_slash & slashes);
        carried_slash = slashes >> 56;
        size_t in_word = (size_t)__builtin_popcountll(slashes);
        if (start == SIZE_MAX && slashes_before + in_word > opening) {
            start = offset + aerolith_target_select(slashes, opening - slashes_before) + 1;
        }
        if (end_of_segment == SIZE_MAX && slashes_before + in_word > opening + 1) {
            end_of_segment = offset + aerolith_target_select(slashes, opening + 1 - slashes_before);
        }
        slashes_before += in_word;
        if (question) {
            end = offset + (size_t)__builtin_ctzll(question) / 8;
            break;
        }
        offset += 8;
        if (offset >= count) break;
    }
    if (__builtin_expect(rejected != 0, 0)) return 0;
    /* An empty last segment ("/v1/collections/"): only "/" itself may end in one. */
    if (__builtin_expect(end > 1 && bytes[end - 1] == '/', 0)) return 0;
    out->path_end = end;
    out->segment_start = start == SIZE_MAX ? 0 : start;
    out->segment_end = start == SIZE_MAX ? 0 : (end_of_segment == SIZE_MAX ? end : end_of_segment);
    return 1;
}

#endif
