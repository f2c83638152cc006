/* SPDX-License-Identifier: MIT */
/*
 * Exec gates: the parent's memory back before a vfork parent runs.
 *
 * A child sharing its parent's memory (vfork, posix_spawn) execs with its
 * path string overwritten by kbox's alias (the host reads the path from
 * the guest's memory; exec.c), and its parent wakes the moment the
 * child's exec leaves that memory. kbox used to put the string back at
 * the parent's next supervised call, and until then the parent read
 * "d4/sh" where it had "/bin/sh": GNU make copies the path right after
 * posix_spawn and reported "make: d4/sh: No such file or directory" for
 * every recipe exiting 127.
 *
 * So such a child execs its program from a private copy that kbox holds
 * a write lease on (or the trampoline, exec.c, for a big program or a
 * script). The host's exec has read the path string when it opens that
 * copy, before it reads argv, and the open waits for the lease: kbox is
 * told (a realtime signal to the gate thread, with the fd), puts the
 * string back while the parent still waits for the child, and lets the
 * lease go; the gate is then closed. argv entries that pointed into the
 * path read its own bytes again by the time the host copies them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "journal.h"
#include "kbox/dispatch.h"

#define GATES 256

static struct {
    int fd; /* ours, holding the lease; -1: free slot */
    pid_t child;
} gates[GATES];
static int ngates;
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t gate_once = PTHREAD_ONCE_INIT;
static pthread_cond_t gate_ready = PTHREAD_COND_INITIALIZER;
static pid_t gate_tid; /* the gate thread; -1: none */

static int gate_sig(void)
{
    return SIGRTMIN + 4;
}

/* gate_lock held: let go and forget gate @i */
static void drop_locked(int i)
{
    fcntl(gates[i].fd, F_SETLEASE, F_UNLCK);
    close(gates[i].fd);
    gates[i] = gates[--ngates];
}

/* gate_lock held: is the lease on @fd being broken? (a break pending
 * reports the type it breaks to) */
static bool breaking(int fd)
{
    int t = fcntl(fd, F_GETLEASE);

    return t >= 0 && t != F_WRLCK;
}

static void *gate_main(void *arg)
{
    sigset_t s;

    (void)arg;
    sigemptyset(&s);
    sigaddset(&s, gate_sig());
    sigaddset(&s, SIGIO); /* sent instead when the signal queue is full */
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    pthread_mutex_lock(&gate_lock);
    gate_tid = (pid_t)syscall(SYS_gettid);
    pthread_cond_broadcast(&gate_ready);
    pthread_mutex_unlock(&gate_lock);
    for (;;) {
        siginfo_t si;
        int sig = sigwaitinfo(&s, &si);

        if (sig < 0)
            continue;
        pthread_mutex_lock(&gate_lock);
        for (int i = 0; i < ngates;) {
            if ((sig == SIGIO || gates[i].fd == si.si_fd) &&
                breaking(gates[i].fd)) {
                /* the parent's memory back, then the exec goes on */
                kbox_exec_restore_now(gates[i].child);
                drop_locked(i);
            } else {
                i++;
            }
        }
        pthread_mutex_unlock(&gate_lock);
    }
    return NULL;
}

static void start_gate_thread(void)
{
    pthread_t t;
    pthread_attr_t a;
    sigset_t all, old;
    bool ok;

    /* born with every signal blocked: the gate signal must never reach
     * it unblocked (its default action ends kbox) */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&a, 256 << 10);
    ok = pthread_create(&t, &a, gate_main, NULL) == 0;
    pthread_attr_destroy(&a);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_mutex_lock(&gate_lock);
    if (!ok)
        gate_tid = -1;
    while (!gate_tid)
        pthread_cond_wait(&gate_ready, &gate_lock);
    pthread_mutex_unlock(&gate_lock);
}

int kbox_gate_open(int copy, pid_t child)
{
    struct f_owner_ex o = { F_OWNER_TID, 0 };
    char path[64];
    int fd;

    pthread_once(&gate_once, start_gate_thread);
    if (gate_tid < 0)
        return -1;
    /*
     * A lease needs a file kbox opened read-only itself (a memfd's own
     * file does not count as an opener, so no write lease is granted on
     * it). The owner is set after the lease, which resets it.
     */
    snprintf(path, sizeof(path), "/proc/self/fd/%d", copy);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    o.pid = gate_tid;
    pthread_mutex_lock(&gate_lock);
    if (ngates == GATES || fcntl(fd, F_SETSIG, gate_sig()) ||
        fcntl(fd, F_SETLEASE, F_WRLCK) || fcntl(fd, F_SETOWN_EX, &o)) {
        pthread_mutex_unlock(&gate_lock);
        close(fd);
        return -1;
    }
    gates[ngates].fd = fd;
    gates[ngates].child = child;
    ngates++;
    pthread_mutex_unlock(&gate_lock);
    return fd;
}

void kbox_gate_close(int fd, pid_t child)
{
    pthread_mutex_lock(&gate_lock);
    for (int i = 0; i < ngates; i++) {
        if (gates[i].fd == fd && gates[i].child == child) {
            drop_locked(i);
            break;
        }
    }
    pthread_mutex_unlock(&gate_lock);
}

void kbox_gate_forget(pid_t child)
{
    pthread_mutex_lock(&gate_lock);
    for (int i = 0; i < ngates;) {
        if (gates[i].child == child)
            drop_locked(i);
        else
            i++;
    }
    pthread_mutex_unlock(&gate_lock);
}

/*
 * A program up to this size, run by a child sharing its parent's memory,
 * goes through a gate as a private copy of itself (copying it is cheaper
 * than the trampoline's exec: 200 x `cat /dev/null` under dash went from
 * 0.44 to 0.54 s with the trampoline); a bigger one through the
 * trampoline.
 */
#define GATE_COPY_MAX (512u << 10)

/* Replace *@prog by a gated private copy for @child's exec: true, or
 * false with *@prog unchanged. */
bool kbox_gate_program(int *prog, pid_t child, const char *where)
{
    struct stat st;
    void *m;
    int copy, gate, fd;

    if (fstat(*prog, &st) || !st.st_size || st.st_size > GATE_COPY_MAX)
        return false;
    m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, *prog, 0);
    if (m == MAP_FAILED)
        return false;
    copy = kbox_exec_memfd("kbox-exec", m, (size_t)st.st_size);
    munmap(m, (size_t)st.st_size);
    if (copy < 0)
        return false;
    gate = kbox_gate_open(copy, child);
    close(copy);
    if (gate < 0)
        return false;
    fd = fcntl(gate, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
        kbox_gate_close(gate, child);
        return false;
    }
    kbox_mapname_note(fd, where);
    close(*prog);
    *prog = fd;
    return true;
}
