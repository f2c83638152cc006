/* SPDX-License-Identifier: MIT */
/* Guest memory access for the seccomp tier. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kbox/seccomp.h"

int kbox_mem_read(pid_t pid, uint64_t addr, void *buf, size_t len)
{
    size_t done = 0;

    while (done < len) {
        struct iovec l = { (char *)buf + done, len - done };
        struct iovec r = { (void *)(uintptr_t)(addr + done), len - done };
        ssize_t n = process_vm_readv(pid, &l, 1, &r, 1, 0);

        if (n <= 0)
            return n < 0 ? -errno : -EFAULT;
        done += (size_t)n;
    }
    return 0;
}

/* /proc/pid/mem writes go through FOLL_FORCE like a debugger's poke:
 * also into read-only mappings (string literals). */
static int mem_write_proc(pid_t pid, uint64_t addr, const void *buf, size_t len)
{
    char path[64];
    int fd, rc = 0;

    snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (pwrite(fd, buf, len, (off_t)addr) != (ssize_t)len)
        rc = -EFAULT;
    close(fd);
    return rc;
}

/*
 * A syscall's result, as the kernel's copy_to_user() would store it: a
 * page the guest cannot write (PROT_READ, .rodata) is EFAULT. With the
 * poke as a fallback, uname() into a read-only page succeeded and a
 * stat() overwrote a const array.
 */
int kbox_mem_write(pid_t pid, uint64_t addr, const void *buf, size_t len)
{
    struct iovec l = { (void *)buf, len };
    struct iovec r = { (void *)(uintptr_t)addr, len };
    ssize_t n = process_vm_writev(pid, &l, 1, &r, 1, 0);

    if (n == (ssize_t)len)
        return 0;
    return n < 0 && errno != EFAULT ? -errno : -EFAULT;
}

/* kbox's own edit (exec preparation rewrites a path that may be a string
 * literal): read-only pages too. */
int kbox_mem_poke(pid_t pid, uint64_t addr, const void *buf, size_t len)
{
    struct iovec l = { (void *)buf, len };
    struct iovec r = { (void *)(uintptr_t)addr, len };
    ssize_t n = process_vm_writev(pid, &l, 1, &r, 1, 0);

    if (n == (ssize_t)len)
        return 0;
    return mem_write_proc(pid, addr, buf, len);
}

int kbox_mem_read_str(pid_t pid, uint64_t addr, char *buf, size_t len)
{
    size_t done = 0;

    if (!addr)
        return -EFAULT;
    /* Read page by page so a string ending before an unmapped page works. */
    while (done < len) {
        size_t chunk = 4096 - ((addr + done) & 4095);
        struct iovec l, r;
        ssize_t n;
        char *nul;

        if (chunk > len - done)
            chunk = len - done;
        l.iov_base = buf + done;
        l.iov_len = chunk;
        r.iov_base = (void *)(uintptr_t)(addr + done);
        r.iov_len = chunk;
        n = process_vm_readv(pid, &l, 1, &r, 1, 0);
        if (n <= 0)
            return -EFAULT;
        nul = memchr(buf + done, '\0', (size_t)n);
        if (nul)
            return 0;
        done += (size_t)n;
    }
    return -ENAMETOOLONG;
}

int kbox_mem_read_many(pid_t pid, const uint64_t *addrs, const size_t *lens,
                       size_t n, void *buf)
{
    struct iovec l, rv[128];
    size_t total = 0;
    ssize_t got;

    if (n > 128)
        return -EINVAL;
    for (size_t i = 0; i < n; i++) {
        rv[i].iov_base = (void *)(uintptr_t)addrs[i];
        rv[i].iov_len = lens[i];
        total += lens[i];
    }
    l.iov_base = buf;
    l.iov_len = total;
    got = process_vm_readv(pid, &l, 1, rv, (unsigned long)n, 0);
    if (got < 0)
        return -errno;
    return (size_t)got == total ? 0 : -EFAULT;
}
