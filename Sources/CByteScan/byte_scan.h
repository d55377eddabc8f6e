#ifndef CONVEYOR_CBYTESCAN_BYTE_SCAN_H
#define CONVEYOR_CBYTESCAN_BYTE_SCAN_H
/* Byte scanning with the processor's vector compares, where Swift's SIMD types are not yet
 * lowered to them. Header-only: the functions are inlined into their Swift callers. The build does
 * not track this header: after changing it, touch a Swift file of ConveyorBase. */
#include <stddef.h>
#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* The index of the first quote, backslash, control byte (below 0x20) or non-ASCII byte (0x80 and
 * up) in bytes[start..<count], read sixteen bytes at a time. It stops on such a byte (its exact
 * index) or once fewer than sixteen bytes are left (where it stopped: the caller reads the rest).
 * Without SSE2 it reads nothing and returns start. */
static inline ptrdiff_t conveyor_skip_plain_ascii16(const uint8_t *bytes, ptrdiff_t start, ptrdiff_t count) {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    ptrdiff_t index = start;
    while (count - index >= 16) {
        __m128i block = _mm_loadu_si128((const __m128i *)(const void *)(bytes + index));
        /* Signed: bytes from 0x80 are negative, so "less than a space" takes them too. */
        __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(block, quote), _mm_cmpeq_epi8(block, backslash)),
                                       _mm_cmplt_epi8(block, space));
        unsigned mask = (unsigned)_mm_movemask_epi8(special);
        if (mask != 0) return index + (ptrdiff_t)__builtin_ctz(mask);
        index += 16;
    }
    return index;
#else
    (void)bytes;
    (void)count;
    return start;
#endif
}

/* 1 when conveyor_skip_plain_ascii16 reads with vector compares here. */
static inline int conveyor_byte_scan_is_vectorised(void) {
#if defined(__SSE2__)
    return 1;
#else
    return 0;
#endif
}

#endif
