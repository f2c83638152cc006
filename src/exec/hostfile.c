/* SPDX-License-Identifier: MIT */
/*
 * Exec of host files (binds, the guest's memfds): opening one for exec,
 * its guest name, whether it is open for writing (ETXTBSY), and the fd
 * an fexecve of one swaps for kbox's copy.
 *
 * execveat(fd, "", AT_EMPTY_PATH) of a host file runs kbox's copy, which
 * the host's exec can only find at that same fd number: the copy takes
 * the guest's fd's place. Natively the fd still holds the program file
 * after the exec (when not close-on-exec; and after a failed exec in
 * any case), at its own offset and access mode: the guest's file is put
 * back at the process's next supervised call, if the copy is still
 * there. Until then it saw the copy (read-write, offset at its end).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kbox/dispatch.h"
#include "kbox/exec.h"
#include "kbox/path.h"

/*
 * A bind file's O_PATH fd @op (closed), opened for reading for exec, with
 * the guest's fs ids in force: a regular file it may execute (EACCES
 * else, as Linux, which opens nothing else for exec), read as kbox when
 * the guest may execute it but not read it (mode 0111).
 */
int kbox_exec_host_open(int op)
{
    char self[64];
    struct stat st = { 0 };
    int fd;

    if (fstat(op, &st) || !S_ISREG(st.st_mode) ||
        faccessat(op, "", X_OK, AT_EMPTY_PATH | AT_EACCESS)) {
        close(op);
        /* AT_SYMLINK_NOFOLLOW's link: Linux's open for exec says ELOOP */
        return S_ISLNK(st.st_mode) ? -ELOOP : -EACCES;
    }
    snprintf(self, sizeof(self), "/proc/self/fd/%d", op);
    fd = open(self, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == EACCES) {
        uid_t fu = (uid_t)syscall(SYS_setfsuid, -1);
        gid_t fg = (gid_t)syscall(SYS_setfsgid, -1);

        syscall(SYS_setfsuid, geteuid());
        syscall(SYS_setfsgid, getegid());
        fd = open(self, O_RDONLY | O_CLOEXEC);
        syscall(SYS_setfsgid, fg);
        syscall(SYS_setfsuid, fu);
    }
    if (fd < 0)
        fd = -errno;
    close(op);
    return fd;
}

bool kbox_host_fd_cloexec(pid_t pid, int gfd)
{
    char p[64], buf[256], *f;
    int fd;
    ssize_t n;

    snprintf(p, sizeof(p), "/proc/%d/fdinfo/%d", (int)pid, gfd);
    fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    f = strstr(buf, "flags:");
    return f && (strtoul(f + 6, NULL, 8) & O_CLOEXEC);
}

void kbox_exec_host_where(int hfd, char *where, size_t size)
{
    char link[64], hp[KBOX_PATH_MAX], g[KBOX_PATH_MAX];
    ssize_t n;

    snprintf(link, sizeof(link), "/proc/self/fd/%d", hfd);
    n = readlink(link, hp, sizeof(hp) - 1);
    if (n <= 0)
        return;
    hp[n] = '\0';
    memcpy(g, hp, (size_t)n + 1);
    /* in a bind: its guest path (the host's elsewhere stays unnamed) */
    if (kbox_host_link_to_guest(g, n, sizeof(g)) > 0 && strcmp(g, hp))
        snprintf(where, size, "%s", g);
}

static void swap_drop(struct kbox_proc *p)
{
    if (p->exec_swap_orig > 0)
        close(p->exec_swap_orig - 1);
    if (p->exec_swap_copy > 0)
        close(p->exec_swap_copy - 1);
    p->exec_swap_orig = p->exec_swap_copy = 0;
}

void kbox_exec_swap_note(struct kbox_req *r, int gfd, int copy)
{
    struct kbox_proc *p = r->proc;
    int orig, c;

    if (__atomic_exchange_n(&p->exec_swap, false, __ATOMIC_ACQ_REL))
        swap_drop(p); /* an earlier one never settled */
    orig = p->pidfd >= 0 ? (int)syscall(SYS_pidfd_getfd, p->pidfd, gfd, 0) : -1;
    c = fcntl(copy, F_DUPFD_CLOEXEC, 0);
    if (orig < 0 || c < 0) {
        if (orig >= 0)
            close(orig);
        if (c >= 0)
            close(c);
        return;
    }
    p->exec_swap_gfd = gfd;
    p->exec_swap_orig = orig + 1;
    p->exec_swap_copy = c + 1;
    __atomic_store_n(&p->exec_swap, true, __ATOMIC_RELEASE);
}

void kbox_exec_swap_settle(struct kbox_req *r)
{
    struct kbox_proc *p = r->proc;
    int gfd = p->exec_swap_gfd;

    if (!__atomic_exchange_n(&p->exec_swap, false, __ATOMIC_ACQ_REL))
        return;
    /* still the copy (not closed by the exec, nor replaced since) */
    if (syscall(SYS_kcmp, r->pid, getpid(), KCMP_FILE, gfd,
                p->exec_swap_copy - 1) == 0)
        r->ops->addfd(r, p->exec_swap_orig - 1, gfd,
                      kbox_host_fd_cloexec(r->pid, gfd), false);
    swap_drop(p);
}

void kbox_exec_swap_forget(struct kbox_proc *p)
{
    if (__atomic_exchange_n(&p->exec_swap, false, __ATOMIC_ACQ_REL))
        swap_drop(p);
}

bool kbox_host_file_busy(int fd)
{
    /*
     * Linux refuses to exec a file open for writing (ETXTBSY); kbox runs
     * a copy, so it asks the host: a read lease is refused (EAGAIN) while
     * the file has a writer. Without the right to a lease (a rootless
     * kbox, another owner's file) nothing is known: not busy. A writer's
     * open in the moment the lease exists waits for the F_UNLCK, and the
     * break signal is SIGPIPE, which kbox ignores (SIGIO would end it).
     */
    if (fcntl(fd, F_SETSIG, SIGPIPE))
        return false;
    if (fcntl(fd, F_SETLEASE, F_RDLCK))
        return errno == EAGAIN;
    fcntl(fd, F_SETLEASE, F_UNLCK);
    return false;
}
