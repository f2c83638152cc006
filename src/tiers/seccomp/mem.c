/* SPDX-License-Identifier: MIT */
/* Guest memory access for the seccomp tier. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
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

/*
 * One process_vm_readv for @n ranges. The kernel pins and walks each
 * remote iovec on its own (~0.6 us apiece here), and an exec's argv and
 * envp strings lie close together (end to end on a stack, neighbours in
 * a shell's heap), so their ranges (256 bytes from each start) overlap:
 * overlapping ranges are read as one span and copied apart, which cut
 * checking an exec's arguments from ~19 to ~5 us. A span is only the
 * union of ranges the caller asked for: it reads no byte they do not.
 */
int kbox_mem_read_many(pid_t pid, const uint64_t *addrs, const size_t *lens,
                       size_t n, void *buf)
{
    struct iovec l, rv[128];
    uint8_t ord[128], span_of[128];
    size_t out_off[128], span_off[128], total = 0, nspan = 0, span_bytes = 0;
    uint64_t end = 0;
    char *tmp;
    ssize_t got;

    if (n > 128)
        return -EINVAL;
    /* the ranges by address (insertion sort: n is small, often sorted) */
    for (size_t i = 0; i < n; i++) {
        size_t j = i;

        out_off[i] = total;
        total += lens[i];
        while (j && addrs[ord[j - 1]] > addrs[i]) {
            ord[j] = ord[j - 1];
            j--;
        }
        ord[j] = (uint8_t)i;
    }
    for (size_t k = 0; k < n; k++) {
        size_t i = ord[k];
        uint64_t a = addrs[i];

        if (nspan && a <= end) {
            if (a + lens[i] > end) {
                span_bytes += a + lens[i] - end;
                end = a + lens[i];
                rv[nspan - 1].iov_len =
                    end - (uint64_t)(uintptr_t)rv[nspan - 1].iov_base;
            }
        } else {
            rv[nspan].iov_base = (void *)(uintptr_t)a;
            rv[nspan].iov_len = lens[i];
            span_off[nspan] = span_bytes;
            end = a + lens[i];
            span_bytes += lens[i];
            nspan++;
        }
        span_of[i] = (uint8_t)(nspan - 1);
    }
    if (nspan == n) { /* nothing shared: straight into @buf, in order */
        for (size_t i = 0; i < n; i++) {
            rv[i].iov_base = (void *)(uintptr_t)addrs[i];
            rv[i].iov_len = lens[i];
        }
        l.iov_base = buf;
        l.iov_len = total;
        got = process_vm_readv(pid, &l, 1, rv, (unsigned long)n, 0);
        if (got < 0)
            return -errno;
        return (size_t)got == total ? 0 : -EFAULT;
    }
    tmp = malloc(span_bytes ? span_bytes : 1);
    if (!tmp)
        return -ENOMEM;
    l.iov_base = tmp;
    l.iov_len = span_bytes;
    got = process_vm_readv(pid, &l, 1, rv, (unsigned long)nspan, 0);
    if (got < 0 || (size_t)got != span_bytes) {
        int e = got < 0 ? -errno : -EFAULT;

        free(tmp);
        return e;
    }
    for (size_t i = 0; i < n; i++) {
        size_t sp = span_of[i];

        memcpy((char *)buf + out_off[i],
               tmp + span_off[sp] +
                   (addrs[i] - (uint64_t)(uintptr_t)rv[sp].iov_base),
               lens[i]);
    }
    free(tmp);
    return 0;
}
