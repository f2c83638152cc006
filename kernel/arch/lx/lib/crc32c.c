// SPDX-License-Identifier: GPL-2.0
/*
 * crc32c (ext4's metadata checksums) with the CRC32 instruction when the
 * host CPU has SSE4.2: the table-driven lib/crc32.c showed up at ~8% of
 * kbox's CPU in a tar xf of small files. lib/crc32.c's __crc32c_le is weak;
 * this one replaces it and falls back to the table for other CPUs.
 * Same contract: no inversion in or out.
 */
#include <linux/cache.h>
#include <linux/crc32.h>
#include <linux/init.h>
#include <linux/types.h>

#if defined(__x86_64__)
static bool lx_crc32c_hw __ro_after_init;

static int __init lx_crc32c_init(void)
{
	unsigned int a = 1, b, c = 0, d;

	/* CPUID leaf 1, ECX bit 20: SSE4.2 */
	asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	lx_crc32c_hw = c & (1U << 20);
	return 0;
}
early_initcall(lx_crc32c_init);

u32 __pure __crc32c_le(u32 crc, unsigned char const *p, size_t len)
{
	u64 c;

	if (!lx_crc32c_hw)
		return __crc32c_le_base(crc, p, len);
	for (; len && ((unsigned long)p & 7); len--, p++)
		asm("crc32b %1, %0" : "+r"(crc) : "rm"(*p));
	c = crc;
	for (; len >= 8; len -= 8, p += 8)
		asm("crc32q %1, %0" : "+r"(c) : "rm"(*(const u64 *)p));
	crc = (u32)c;
	for (; len; len--, p++)
		asm("crc32b %1, %0" : "+r"(crc) : "rm"(*p));
	return crc;
}
#endif
