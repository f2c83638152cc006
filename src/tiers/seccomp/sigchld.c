/* SPDX-License-Identifier: MIT */
/*
 * Which threads of a parent its child's SIGCHLD may reach, for
 * pool.c's held exits and settle.c. Linux gives a process's signal to
 * its main thread when that does not block it (complete_signal), else to
 * a thread that does not. Held exits looked at the main thread only,
 * and only its requests let them go: a parent whose main thread blocks
 * SIGCHLD (and waits in pthread_join, or makes calls of its own) takes
 * it in another thread, whose requests the SIGCHLD withdrew (EINTR from
 * stat, open, close: tests/guest/sigchld-thread). Now the threads that
 * may take it are the ones looked at, and their requests let it go.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbox/abi.h"
#include "kbox/bpf.h"
#include "kbox/dispatch.h"
#include "kbox/policy.h"
#include "settle.h"

#define SIGCHLD_BIT (1ull << (SIGCHLD - 1))
#define MAX_TAKERS  64

/* May the thread whose /proc status is @status take a SIGCHLD now? */
static bool takes(const char *status)
{
    const char *st = strstr(status, "\nState:");

    if (kbox_abi_status_mask(status, "SigBlk:") & SIGCHLD_BIT)
        return false;
    if (st) {
        st += 7;
        while (*st == ' ' || *st == '\t')
            st++;
        if (*st == 'Z' || *st == 'X') /* exited (a main thread's
                                         pthread_exit): not it */
            return false;
    }
    return true;
}

/*
 * The threads of @tgid a SIGCHLD may go to, in @out (room for @max > 0):
 * its main thread alone when that may take it (the usual case: one
 * status read), or when it is gone; else each other thread that does
 * not block SIGCHLD. When none does, the main thread again, as before:
 * one that blocks it around a fork (dash) unblocks it soon, and a child
 * still exiting then would land its SIGCHLD in a later request. How
 * many (at least 1).
 */
static int takers(pid_t tgid, pid_t *out, int max)
{
    char buf[4096], path[32];
    struct dirent *e;
    DIR *d;
    int n = 0;

    if (!kbox_abi_read_status(tgid, buf, sizeof(buf)) || takes(buf)) {
        out[0] = tgid;
        return 1;
    }
    snprintf(path, sizeof(path), "/proc/%d/task", (int)tgid);
    if (!(d = opendir(path))) {
        out[0] = tgid;
        return 1;
    }
    while ((e = readdir(d)) && n < max) {
        pid_t tid = (pid_t)atoi(e->d_name);

        if (tid > 0 && tid != tgid &&
            kbox_abi_read_status(tid, buf, sizeof(buf)) && takes(buf))
            out[n++] = tid;
    }
    closedir(d);
    if (!n)
        out[n++] = tgid;
    return n;
}

/*
 * Could a signal to thread @tid now cost it a request: is it running, or
 * in a supervised call (IN_CALL: waiting in seccomp, its request
 * received or not)? No (SAFE) when it sleeps in a host call (wait4, or a
 * pipe read it was let through to: the EOF it waits for may well be this
 * very exit), or is gone. Where it sleeps says which (wchan); without
 * symbol names, the call it is in decides.
 */
static enum kbox_sc_at thread_at(pid_t tid)
{
    char buf[128];

    if (kbox_abi_proc_text(tid, "wchan", buf, sizeof(buf)) < 0)
        return KBOX_SC_SAFE;
    if (!strncmp(buf, "seccomp", 7))
        return KBOX_SC_IN_CALL;
    if (buf[0] && strcmp(buf, "0"))
        return KBOX_SC_SAFE;
    if (kbox_abi_proc_text(tid, "syscall", buf, sizeof(buf)) < 0)
        return KBOX_SC_SAFE;
    if (!strncmp(buf, "running", 7))
        return KBOX_SC_RUNNING;
    return kbox_policy_act(atol(buf)) != KBOX_BPF_ALLOW ? KBOX_SC_RUNNING
                                                        : KBOX_SC_SAFE;
}

enum kbox_sc_at kbox_sc_parent_at(pid_t parent, bool *in_flight, bool *others)
{
    pid_t v[MAX_TAKERS];
    int n = takers(parent, v, MAX_TAKERS);
    enum kbox_sc_at at = KBOX_SC_SAFE;

    if (in_flight)
        *in_flight = false;
    if (others)
        *others = v[0] != parent;
    for (int i = 0; i < n; i++) {
        enum kbox_sc_at t = thread_at(v[i]);

        /* running outweighs a call in flight: held longer, never
         * withdrawn */
        if (t > at)
            at = t;
        if (t == KBOX_SC_IN_CALL && in_flight && kbox_inflight_has(v[i]))
            *in_flight = true;
    }
    return at;
}

long long kbox_sc_parent_cpu_ns(pid_t parent)
{
    pid_t v[MAX_TAKERS];
    int n = takers(parent, v, MAX_TAKERS);
    long long sum = -1;
    char buf[128];

    for (int i = 0; i < n; i++)
        if (kbox_abi_proc_text(v[i], "schedstat", buf, sizeof(buf)) >= 0)
            sum = (sum < 0 ? 0 : sum) + strtoll(buf, NULL, 10);
    return sum;
}

bool kbox_sc_releases(pid_t tid, pid_t parent)
{
    pid_t v[MAX_TAKERS];
    int n = takers(parent, v, MAX_TAKERS);

    for (int i = 0; i < n; i++)
        if (v[i] == tid)
            return true;
    return false;
}

pid_t kbox_sc_tgid_of(pid_t tid)
{
    pid_t tgid, ppid;

    return kbox_proc_parent(tid, &tgid, &ppid) ? 0 : tgid;
}
