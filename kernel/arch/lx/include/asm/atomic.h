/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LX_ATOMIC_H
#define _ASM_LX_ATOMIC_H

/*
 * 32-bit atomics come from asm-generic (interrupt-disabling on one CPU);
 * the 64-bit ones use the compiler's atomic builtins.
 */
#include <asm-generic/atomic.h>

#define ATOMIC64_INIT(i)	{ (i) }

#define arch_atomic64_read(v)		READ_ONCE((v)->counter)
#define arch_atomic64_set(v, i)		WRITE_ONCE(((v)->counter), (i))

#define LX_ATOMIC64_OP(op, builtin)					\
static inline void arch_atomic64_##op(s64 i, atomic64_t *v)		\
{									\
	(void)builtin(&v->counter, i, __ATOMIC_RELAXED);		\
}									\
static inline s64 arch_atomic64_fetch_##op(s64 i, atomic64_t *v)	\
{									\
	return builtin(&v->counter, i, __ATOMIC_SEQ_CST);		\
}

LX_ATOMIC64_OP(add, __atomic_fetch_add)
LX_ATOMIC64_OP(sub, __atomic_fetch_sub)
LX_ATOMIC64_OP(and, __atomic_fetch_and)
LX_ATOMIC64_OP(or, __atomic_fetch_or)
LX_ATOMIC64_OP(xor, __atomic_fetch_xor)

#define arch_atomic64_add arch_atomic64_add
#define arch_atomic64_sub arch_atomic64_sub
#define arch_atomic64_and arch_atomic64_and
#define arch_atomic64_or arch_atomic64_or
#define arch_atomic64_xor arch_atomic64_xor
#define arch_atomic64_fetch_add arch_atomic64_fetch_add
#define arch_atomic64_fetch_sub arch_atomic64_fetch_sub
#define arch_atomic64_fetch_and arch_atomic64_fetch_and
#define arch_atomic64_fetch_or arch_atomic64_fetch_or
#define arch_atomic64_fetch_xor arch_atomic64_fetch_xor

static inline s64 arch_atomic64_add_return(s64 i, atomic64_t *v)
{
	return __atomic_add_fetch(&v->counter, i, __ATOMIC_SEQ_CST);
}
#define arch_atomic64_add_return arch_atomic64_add_return

static inline s64 arch_atomic64_sub_return(s64 i, atomic64_t *v)
{
	return __atomic_sub_fetch(&v->counter, i, __ATOMIC_SEQ_CST);
}
#define arch_atomic64_sub_return arch_atomic64_sub_return

static inline s64 arch_atomic64_xchg(atomic64_t *v, s64 n)
{
	return __atomic_exchange_n(&v->counter, n, __ATOMIC_SEQ_CST);
}
#define arch_atomic64_xchg arch_atomic64_xchg

static inline s64 arch_atomic64_cmpxchg(atomic64_t *v, s64 o, s64 n)
{
	__atomic_compare_exchange_n(&v->counter, &o, n, 0, __ATOMIC_SEQ_CST,
				    __ATOMIC_SEQ_CST);
	return o;
}
#define arch_atomic64_cmpxchg arch_atomic64_cmpxchg

#endif
