/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LX_STRING_H
#define _ASM_LX_STRING_H
/*
 * lib/string.c's memset/memcpy/memmove/memcmp/strlen go a byte at a time
 * (memcmp a word at a time only with HAVE_EFFICIENT_UNALIGNED_ACCESS, which
 * lx does not select); these (arch/lx/lib/string.c) go a word or a string
 * instruction at a time. The rest of lib/string.c is used as it is.
 */
#include <linux/types.h>

#define __HAVE_ARCH_MEMSET
void *memset(void *s, int c, size_t n);
#define __HAVE_ARCH_MEMCPY
void *memcpy(void *dest, const void *src, size_t n);
#define __HAVE_ARCH_MEMMOVE
void *memmove(void *dest, const void *src, size_t n);
#define __HAVE_ARCH_MEMCMP
int memcmp(const void *cs, const void *ct, size_t n);
#define __HAVE_ARCH_STRLEN
size_t strlen(const char *s);

#endif
