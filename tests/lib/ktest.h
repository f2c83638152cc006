/* SPDX-License-Identifier: MIT */
/*
 * ktest: a tiny unit-test runner. Tests register themselves with KTEST();
 * ktest_main() runs them (all, or those whose names contain argv[1]) and
 * ends with the line "N passed, N failed". A failing check stops its test.
 *
 * Exactly one .c file per test binary defines KTEST_IMPLEMENTATION before
 * including this header, or the binary links tests/lib/ktest.c (ktest.o),
 * which also provides a default main() that calls ktest_main().
 */
#ifndef KTEST_H
#define KTEST_H

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ktest {
    const char *name;
    void (*fn)(void);
    struct ktest *next;
};

extern struct ktest *ktest_head, **ktest_tail;
extern jmp_buf ktest_jmp;
extern int ktest_failed_now;

#define KTEST(name_)                                                    \
    static void ktest_fn_##name_(void);                                 \
    static struct ktest ktest_reg_##name_ = { #name_, ktest_fn_##name_, \
                                              NULL };                   \
    __attribute__((constructor)) static void ktest_add_##name_(void)    \
    {                                                                   \
        *ktest_tail = &ktest_reg_##name_;                               \
        ktest_tail = &ktest_reg_##name_.next;                           \
    }                                                                   \
    static void ktest_fn_##name_(void)

#define KT_FAIL(...)                                      \
    do {                                                  \
        fprintf(stderr, "  %s:%d: ", __FILE__, __LINE__); \
        fprintf(stderr, __VA_ARGS__);                     \
        fputc('\n', stderr);                              \
        longjmp(ktest_jmp, 1);                            \
    } while (0)

#define KT_ASSERT(cond)                             \
    do {                                            \
        if (!(cond))                                \
            KT_FAIL("assertion failed: %s", #cond); \
    } while (0)

#define KT_EQ(a, b)                                                       \
    do {                                                                  \
        long long ka_ = (long long)(a), kb_ = (long long)(b);             \
        if (ka_ != kb_)                                                   \
            KT_FAIL("%s == %lld, expected %s == %lld", #a, ka_, #b, kb_); \
    } while (0)

#define KT_STREQ(a, b)                                                         \
    do {                                                                       \
        const char *ka_ = (a), *kb_ = (b);                                     \
        if (!ka_ || !kb_ || strcmp(ka_, kb_) != 0)                             \
            KT_FAIL("%s == \"%s\", expected \"%s\"", #a, ka_ ? ka_ : "(null)", \
                    kb_ ? kb_ : "(null)");                                     \
    } while (0)

int ktest_main(int argc, char **argv);

#ifdef KTEST_IMPLEMENTATION
struct ktest *ktest_head, **ktest_tail = &ktest_head;
jmp_buf ktest_jmp;
int ktest_failed_now;

int ktest_main(int argc, char **argv)
{
    /* volatile: live across setjmp/longjmp (-Wclobbered) */
    volatile int passed = 0, failed = 0;
    const char *filter = argc > 1 ? argv[1] : NULL;

    setvbuf(stdout, NULL, _IOLBF, 0);
    fflush(stderr);
    for (struct ktest *t = ktest_head; t; t = t->next) {
        if (filter && !strstr(t->name, filter))
            continue;
        ktest_failed_now = 0;
        if (setjmp(ktest_jmp) == 0) {
            t->fn();
            printf("ok   %s\n", t->name);
            passed++;
        } else {
            ktest_failed_now = 1;
            printf("FAIL %s\n", t->name);
            failed++;
        }
        fflush(stdout);
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
#endif
#endif
