/* SPDX-License-Identifier: MIT */
/* The seccomp user-notification tier. */
#ifndef KBOX_SECCOMP_H
#define KBOX_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Guest memory (process_vm_readv/writev; /proc/pid/mem for read-only). */
int kbox_mem_read(pid_t pid, uint64_t addr, void *buf, size_t len);
int kbox_mem_write(pid_t pid, uint64_t addr, const void *buf, size_t len);
int kbox_mem_poke(pid_t pid, uint64_t addr, const void *buf, size_t len);
int kbox_mem_read_str(pid_t pid, uint64_t addr, char *buf, size_t len);
/* @n (<= 128) pieces in one process_vm_readv, one after another in @buf. */
int kbox_mem_read_many(pid_t pid, const uint64_t *addrs, const size_t *lens,
                       size_t n, void *buf);

/*
 * Fork the guest: the child installs the filter (listener returned to the
 * parent through shared memory + pidfd_getfd), then calls
 * execve(path, argv, envp), which the supervisor serves.
 * Returns the child pid and sets *listener and *pidfd, or -errno.
 */
pid_t kbox_seccomp_launch(const char *path, char *const argv[],
                          char *const envp[], const char *host_cwd,
                          int *listener, int *pidfd);

/* Serve notifications until the last guest process has exited (orphans
 * are adopted and reaped); returns the main guest process's status. */
int kbox_seccomp_serve(int listener, int pidfd, pid_t main_pid);
/* From a signal handler: once the main process is gone, send @sig to
 * every guest process left (kbox_seccomp_serve serves them to the end). */
void kbox_seccomp_forward(int sig);

#endif
