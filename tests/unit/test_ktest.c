/* SPDX-License-Identifier: MIT */
/*
 * Tests of the ktest harness itself. Failing tests are run by ktest_main()
 * in a forked child with its own test list, and the parent checks what the
 * child printed and how it exited.
 */
#include "ktest.h"

#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

static int after_failure;

static void t_pass_one(void)
{
    KT_EQ(1 + 1, 2);
}

static void t_fail_eq(void)
{
    KT_EQ(6 * 7, 41);
    after_failure = 1; /* must not be reached */
}

static void t_pass_two(void)
{
    KT_STREQ("two", "two");
}

static void t_fail_streq(void)
{
    KT_STREQ("abc", "abd");
}

static void t_fail_null(void)
{
    KT_STREQ(NULL, "x");
}

static void t_fail_assert(void)
{
    KT_ASSERT(sizeof(int) == 3);
}

/* Run ktest_main() over tests[] in a child; collect stdout+stderr. */
static int run_child(struct ktest *tests, int n, const char *filter, char *out,
                     size_t outsz)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        for (int i = 0; i < n; i++)
            tests[i].next = i + 1 < n ? &tests[i + 1] : NULL;
        ktest_head = n ? &tests[0] : NULL;
        ktest_tail = n ? &tests[n - 1].next : &ktest_head;
        char *argv[] = { "child", (char *)filter, NULL };
        int rc = ktest_main(filter ? 2 : 1, argv);
        fflush(NULL);
        /* report whether the code after the failing check ran */
        _exit(after_failure ? 99 : rc);
    }
    close(fds[1]);
    size_t len = 0;
    ssize_t r;
    while (len + 1 < outsz &&
           (r = read(fds[0], out + len, outsz - 1 - len)) > 0)
        len += (size_t)r;
    out[len] = '\0';
    close(fds[0]);
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

static const char *last_line(char *buf)
{
    size_t len = strlen(buf);
    while (len && buf[len - 1] == '\n')
        buf[--len] = '\0';
    char *nl = strrchr(buf, '\n');
    return nl ? nl + 1 : buf;
}

KTEST(checks_that_hold_pass)
{
    KT_ASSERT(1);
    KT_EQ(-1, -1);
    KT_EQ((uint64_t)1 << 40, 1LL << 40);
    KT_STREQ("kbox", "kbox");
}

KTEST(failing_check_is_reported_and_run_continues)
{
    struct ktest tests[] = {
        { "pass_one", t_pass_one, NULL },
        { "fail_eq", t_fail_eq, NULL },
        { "pass_two", t_pass_two, NULL },
        { "fail_streq", t_fail_streq, NULL },
    };
    char out[4096];
    int rc = run_child(tests, 4, NULL, out, sizeof(out));
    KT_EQ(rc, 1); /* failed, and the code after the failure did not run */
    KT_ASSERT(strstr(out, "ok   pass_one\n"));
    KT_ASSERT(strstr(out, "FAIL fail_eq\n"));
    KT_ASSERT(strstr(out, "ok   pass_two\n"));
    KT_ASSERT(strstr(out, "FAIL fail_streq\n"));
    KT_ASSERT(strstr(out, "test_ktest.c:"));
    KT_ASSERT(strstr(out, "6 * 7 == 42, expected 41 == 41"));
    KT_ASSERT(strstr(out, "\"abc\", expected \"abd\""));
    KT_STREQ(last_line(out), "2 passed, 2 failed");
}

KTEST(null_string_and_assert_failures)
{
    struct ktest tests[] = {
        { "fail_null", t_fail_null, NULL },
        { "fail_assert", t_fail_assert, NULL },
    };
    char out[4096];
    KT_EQ(run_child(tests, 2, NULL, out, sizeof(out)), 1);
    KT_ASSERT(strstr(out, "(null)"));
    KT_ASSERT(strstr(out, "assertion failed: sizeof(int) == 3"));
    KT_STREQ(last_line(out), "0 passed, 2 failed");
}

KTEST(filter_selects_by_substring)
{
    struct ktest tests[] = {
        { "pass_one", t_pass_one, NULL },
        { "fail_eq", t_fail_eq, NULL },
        { "pass_two", t_pass_two, NULL },
    };
    char out[4096];
    KT_EQ(run_child(tests, 3, "two", out, sizeof(out)), 0);
    KT_ASSERT(!strstr(out, "pass_one"));
    KT_ASSERT(strstr(out, "ok   pass_two\n"));
    KT_STREQ(last_line(out), "1 passed, 0 failed");
}

KTEST(empty_run_passes)
{
    char out[256];
    KT_EQ(run_child(NULL, 0, NULL, out, sizeof(out)), 0);
    KT_STREQ(last_line(out), "0 passed, 0 failed");
}

KTEST(registration_keeps_source_order)
{
    /* This binary's own tests were registered by constructors, in order. */
    const char *want[] = { "checks_that_hold_pass",
                           "failing_check_is_reported_and_run_continues",
                           "null_string_and_assert_failures",
                           "filter_selects_by_substring",
                           "empty_run_passes",
                           "registration_keeps_source_order" };
    struct ktest *t = ktest_head;
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++, t = t->next) {
        KT_ASSERT(t);
        KT_STREQ(t->name, want[i]);
    }
    KT_ASSERT(t == NULL);
}
