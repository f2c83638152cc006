/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: guest memory access and the seccomp launch/notification
 * loop, with a stub dispatcher standing in for the kernel library.
 */
#define _GNU_SOURCE
#define KTEST_IMPLEMENTATION
#include "ktest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kbox/dispatch.h"
#include "kbox/seccomp.h"

struct kbox_sup kbox_sup;
static int seen_execve, seen_umask;

bool kbox_proc_sweep(void)
{
    return false;
}

/* No process table here: no pidfds to watch (poll ignores fd -1). */
int kbox_proc_exit_watch(void)
{
    return -1;
}

int kbox_proc_linger_watch(void)
{
    return -1;
}

void kbox_proc_lingering_ended(void)
{
}

/* No process table here: no killed process holds anything. */
bool kbox_exits_matter(long nr, const uint64_t *args)
{
    (void)nr;
    (void)args;
    return false;
}

bool kbox_exits_retry(long nr, const uint64_t *args, long ret)
{
    (void)nr;
    (void)args;
    (void)ret;
    return false;
}

bool kbox_exits_settle(struct kbox_req *r)
{
    (void)r;
    return false;
}

bool kbox_exits_kick_due(void)
{
    return false;
}

bool kbox_exits_take(void)
{
    return false;
}

bool kbox_exits_settled_take(void)
{
    return false;
}

unsigned long kbox_exits_freed(void)
{
    return 0;
}

/* No process table here: no process groups to look at. */
void kbox_orphan_check(bool main_alive)
{
    (void)main_alive;
}

bool kbox_orphan_all_stopped(void)
{
    return false;
}

/* No process table here: no fork preparations to hand on. */
void kbox_proc_main_exits(pid_t tgid)
{
    (void)tgid;
}

/* No process table here: nothing to signal once the main guest is gone. */
int kbox_proc_list(pid_t **out)
{
    *out = NULL;
    return 0;
}

/* No process table here: exits are answered at once, never held. */
bool kbox_proc_known(pid_t tgid)
{
    (void)tgid;
    return false;
}

int kbox_proc_status(pid_t tid, pid_t *tgid, pid_t *ppid)
{
    *tgid = tid;
    *ppid = getppid();
    return 0;
}

int kbox_proc_parent(pid_t tid, pid_t *tgid, pid_t *ppid)
{
    return kbox_proc_status(tid, tgid, ppid);
}

/* The host execs what the stub CONTINUEs (/bin/true and the like): no
 * Landlock domain, which lets only kbox's memfds be exec'd. */
int kbox_exec_landlock(void)
{
    return -1;
}

/* The engine's scan of requests in flight: nothing blocks in the stub. */
void kbox_inflight_scan(void)
{
}

void kbox_inflight_exits(void)
{
}

/* ... and no request is ever in flight there. */
bool kbox_inflight_has(pid_t tid)
{
    (void)tid;
    return false;
}

/* Stub engine: let everything run on the host, answer umask ourselves. */
struct kbox_resp kbox_dispatch(struct kbox_req *r)
{
    char path[256];

    if (r->nr == SYS_execve) {
        if (r->ops->read_str(r, r->args[0], path, sizeof(path)) == 0)
            __atomic_fetch_add(&seen_execve, 1, __ATOMIC_SEQ_CST);
        return kbox_continue();
    }
    if (r->nr == SYS_umask) {
        __atomic_fetch_add(&seen_umask, 1, __ATOMIC_SEQ_CST);
        return kbox_ret(077);
    }
    return kbox_continue();
}

KTEST(mem_read_str_page_edge)
{
    long pg = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char buf[8192];

    KT_ASSERT(m != MAP_FAILED);
    KT_EQ(munmap(m + pg, pg), 0);
    memset(m, 'x', pg);
    strcpy(m + pg - 4, "abc");
    KT_EQ(kbox_mem_read_str(getpid(), (uint64_t)(uintptr_t)(m + pg - 4), buf,
                            sizeof(buf)),
          0);
    KT_STREQ(buf, "abc");
    /* No NUL before the unmapped page: EFAULT, not a crash. */
    m[pg - 1] = 'y';
    KT_EQ(kbox_mem_read_str(getpid(), (uint64_t)(uintptr_t)(m + pg - 4), buf,
                            sizeof(buf)),
          -EFAULT);
    /* No NUL within the limit: ENAMETOOLONG. */
    KT_EQ(kbox_mem_read_str(getpid(), (uint64_t)(uintptr_t)m, buf, 16),
          -ENAMETOOLONG);
    KT_EQ(kbox_mem_read_str(getpid(), 0, buf, 16), -EFAULT);
    munmap(m, pg);
}

KTEST(mem_write_readonly_page)
{
    long pg = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, pg, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char v[8];

    KT_ASSERT(m != MAP_FAILED);
    strcpy(m, "before");
    KT_EQ(mprotect(m, pg, PROT_READ), 0);
    /* a syscall's result: EFAULT, as copy_to_user() */
    KT_EQ(kbox_mem_write(getpid(), (uint64_t)(uintptr_t)m, "after!", 7),
          -EFAULT);
    KT_STREQ(m, "before");
    /* kbox's own edit (exec's path): /proc/pid/mem pokes through */
    KT_EQ(kbox_mem_poke(getpid(), (uint64_t)(uintptr_t)m, "after!", 7), 0);
    KT_STREQ(m, "after!");
    KT_EQ(kbox_mem_read(getpid(), (uint64_t)(uintptr_t)m, v, 7), 0);
    KT_STREQ(v, "after!");
    munmap(m, pg);
}

static int run(const char *script)
{
    char *argv[] = { "/bin/sh", "-c", (char *)script, NULL };
    char *envp[] = { "PATH=/usr/bin:/bin", NULL };
    int listener, pidfd, st;
    pid_t pid =
        kbox_seccomp_launch("/bin/sh", argv, envp, "/", &listener, &pidfd);

    if (pid < 0)
        return 1000 + (int)-pid;
    kbox_sup.main_pid = pid;
    st = kbox_seccomp_serve(listener, pidfd, pid);
    close(listener);
    close(pidfd);
    return st;
}

KTEST(launch_exit_status)
{
    seen_execve = 0;
    KT_EQ(run("exit 3"), 3);
    KT_ASSERT(seen_execve >= 1);
    KT_EQ(run("true"), 0);
}

KTEST(launch_killed_by_signal)
{
    KT_EQ(run("kill -9 $$"), 128 + 9);
}

KTEST(notification_answers_reach_guest)
{
    /* umask is answered by the stub with 077. */
    seen_umask = 0;
    KT_EQ(run("test \"$(umask)\" = 0077"), 0);
    KT_ASSERT(seen_umask >= 1);
}

int main(int argc, char **argv)
{
    return ktest_main(argc, argv);
}
