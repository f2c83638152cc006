// SPDX-License-Identifier: GPL-2.0
/*
 * memset, memcpy, memmove, memcmp and strlen for lx. lib/string.c's go a
 * byte per loop turn: at boot that was ~0.3 ms of memset alone (slab
 * objects zeroed by kzalloc and __GFP_ZERO), and every page clear, page
 * copy and user copy (UACCESS_MEMCPY: each read and write) went the same
 * way; path walks compare names with memcmp.
 *
 * Eight bytes per step in C, unaligned access being cheap on the hosts lx
 * runs on; on x86-64 long runs use the string instructions, which fast-
 * string CPUs (ERMS) run a cache line at a time. Built -ffreestanding so
 * that gcc does not turn these loops back into calls to themselves.
 */
#include <linux/export.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/unaligned.h>
#include <asm/word-at-a-time.h>

/* Below this the string instructions' start-up costs more than a loop. */
#define LX_STRING_INSN_MIN 256

void *memset(void *s, int c, size_t n)
{
	unsigned char *p = s;
	u64 v = (u8)c * 0x0101010101010101ULL;

#if defined(__x86_64__)
	if (n >= LX_STRING_INSN_MIN) {
		asm volatile("rep stosb"
			     : "+D"(p), "+c"(n)
			     : "a"(c)
			     : "memory");
		return s;
	}
#endif
	for (; n >= 8; n -= 8, p += 8)
		put_unaligned(v, (u64 *)p);
	while (n--)
		*p++ = c;
	return s;
}
EXPORT_SYMBOL(memset);

/* Forward, 8 bytes at a time: also right for an overlap with dest < src. */
static __always_inline void lx_copy_fwd(unsigned char *d,
					const unsigned char *s, size_t n)
{
	for (; n >= 8; n -= 8, d += 8, s += 8)
		put_unaligned(get_unaligned((const u64 *)s), (u64 *)d);
	while (n--)
		*d++ = *s++;
}

void *memcpy(void *dest, const void *src, size_t n)
{
#if defined(__x86_64__)
	if (n >= LX_STRING_INSN_MIN) {
		void *d = dest;

		asm volatile("rep movsb"
			     : "+D"(d), "+S"(src), "+c"(n)
			     :
			     : "memory");
		return dest;
	}
#endif
	lx_copy_fwd(dest, src, n);
	return dest;
}
EXPORT_SYMBOL(memcpy);

void *memmove(void *dest, const void *src, size_t n)
{
	unsigned char *d = dest;
	const unsigned char *s = src;

	if (d == s || !n)
		return dest;
	/*
	 * A forward copy reads every source byte before a store can reach
	 * it when dest is below src (rep movsb is defined byte by byte, in
	 * order, so that holds for it too).
	 */
	if (d < s || d >= s + n)
		return memcpy(dest, src, n);
	/* dest above src, overlapping: from the end down. */
	d += n;
	s += n;
	for (; n >= 8; n -= 8) {
		d -= 8;
		s -= 8;
		put_unaligned(get_unaligned((const u64 *)s), (u64 *)d);
	}
	while (n--)
		*--d = *--s;
	return dest;
}
EXPORT_SYMBOL(memmove);

/*
 * Eight bytes per compare; the bytes of the first differing word are then
 * compared one by one, so the result is lib/string.c's (the difference of
 * the first differing bytes). Reads only the n bytes of each buffer.
 */
int memcmp(const void *cs, const void *ct, size_t n)
{
	const unsigned char *a = cs, *b = ct;

	for (; n >= 8; n -= 8, a += 8, b += 8)
		if (get_unaligned((const u64 *)a) !=
		    get_unaligned((const u64 *)b))
			break;
	for (; n; n--, a++, b++)
		if (*a != *b)
			return *a - *b;
	return 0;
}
EXPORT_SYMBOL(memcmp);

/*
 * Byte by byte up to an 8-byte boundary, then aligned words: an aligned
 * word never crosses a page, so the bytes read past the NUL are in a page
 * that holds part of the string, and the read cannot fault.
 */
size_t strlen(const char *s)
{
	const struct word_at_a_time c = WORD_AT_A_TIME_CONSTANTS;
	const char *p = s;
	unsigned long w, data;

	for (; (unsigned long)p & (sizeof(long) - 1); p++)
		if (!*p)
			return p - s;
	for (;; p += sizeof(long)) {
		w = *(const unsigned long *)p;
		if (has_zero(w, &data, &c)) {
			data = prep_zero_mask(w, data, &c);
			data = create_zero_mask(data);
			return p - s + find_zero(data);
		}
	}
}
EXPORT_SYMBOL(strlen);
