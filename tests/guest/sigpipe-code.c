/* SPDX-License-Identifier: MIT */
/*
 * The SIGPIPE of a write to a FIFO whose reader is gone, and the SIGXFSZ
 * of a write past RLIMIT_FSIZE, come from the writer itself: si_code
 * SI_USER and si_pid the writer's pid (Linux's send_sig from the write).
 * The file goes on working afterwards. Usage: sigpipe-code DIR
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static volatile sig_atomic_t got_sig, got_code, got_pid;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    got_sig = sig;
    got_code = si->si_code;
    got_pid = si->si_pid;
}

static void expect_sig(int sig, const char *what)
{
    check(got_sig == sig && got_code == SI_USER && got_pid == getpid(),
          "%s: signal %d si_code %d (SI_USER %d) si_pid %d (self %d)", what,
          (int)got_sig, (int)got_code, SI_USER, (int)got_pid, (int)getpid());
    got_sig = got_code = got_pid = 0;
}

static int broken_fifo(const char *path)
{
    int rd, wr;

    unlink(path);
    if (mkfifo(path, 0600))
        return -1;
    rd = open(path, O_RDONLY | O_NONBLOCK);
    wr = open(path, O_WRONLY);
    if (rd >= 0)
        close(rd);
    return wr;
}

int main(int argc, char **argv)
{
    struct sigaction sa = { 0 };
    char fifo[4096], file[4096], buf[64] = "";
    struct iovec iov = { .iov_base = "y", .iov_len = 1 };
    struct rlimit rl = { 100, RLIM_INFINITY };
    struct stat st;
    int fd;

    if (argc != 2) {
        fprintf(stderr, "usage: sigpipe-code DIR\n");
        return 2;
    }
    snprintf(fifo, sizeof fifo, "%s/sigpipe-code.fifo", argv[1]);
    snprintf(file, sizeof file, "%s/sigpipe-code.big", argv[1]);
    sa.sa_sigaction = on_sig;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGPIPE, &sa, NULL);
    sigaction(SIGXFSZ, &sa, NULL);

    fd = broken_fifo(fifo);
    check(fd >= 0, "a FIFO with its reader gone");
    WANT(write(fd, "x", 1), EPIPE, "write to it");
    expect_sig(SIGPIPE, "write's SIGPIPE");
    WANT(writev(fd, &iov, 1), EPIPE, "writev to it");
    expect_sig(SIGPIPE, "writev's SIGPIPE");
    WANT(write(fd, "x", 1), EPIPE, "a second write");
    expect_sig(SIGPIPE, "its SIGPIPE");
    check(fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode), "fstat still says FIFO");
    {
        /* writers SIGPIPE ends, more of them than kbox keeps swaps for */
        int died = 0;

        for (int i = 0; i < 24; i++) {
            pid_t kid = fork();
            int st;

            if (kid == 0) {
                signal(SIGPIPE, SIG_DFL);
                if (write(fd, "x", 1) < 0)
                    _exit(2);
                _exit(1);
            }
            if (kid > 0 && waitpid(kid, &st, 0) == kid && WIFSIGNALED(st) &&
                WTERMSIG(st) == SIGPIPE)
                died++;
        }
        check(died == 24, "24 children's writes: ended by SIGPIPE (%d)", died);
    }
    WANT(write(fd, "x", 1), EPIPE, "a write after them");
    expect_sig(SIGPIPE, "its SIGPIPE");
    signal(SIGPIPE, SIG_IGN);
    WANT(write(fd, "x", 1), EPIPE, "write with SIGPIPE ignored");
    check(got_sig == 0, "no signal then");
    check(close(fd) == 0, "close");
    unlink(fifo);

    /* the limit binds stdout too (a file): it is set only for the calls */
    fd = open(file, O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0600);
    check(fd >= 0, "a file");
    memset(buf, 'a', sizeof buf);
    fflush(stdout);
    {
        long w1, w2, w3;
        int e3, e4, s3, c3, p3;

        setrlimit(RLIMIT_FSIZE, &rl);
        w1 = write(fd, buf, 60) + write(fd, buf, 40);
        w2 = write(fd, buf, 1);
        e3 = errno;
        s3 = got_sig, c3 = got_code, p3 = got_pid;
        got_sig = got_code = got_pid = 0;
        w3 = writev(fd, &iov, 1);
        e4 = errno;
        rl.rlim_cur = RLIM_INFINITY;
        setrlimit(RLIMIT_FSIZE, &rl);
        check(w1 == 100, "100 bytes written under RLIMIT_FSIZE 100");
        errno = e3;
        guest_want_errno(w2, e3, EFBIG, "write past the limit");
        check(s3 == SIGXFSZ && c3 == SI_USER && p3 == getpid(),
              "its SIGXFSZ: signal %d si_code %d si_pid %d (self %d)", s3, c3,
              p3, (int)getpid());
        guest_want_errno(w3, e4, EFBIG, "writev past the limit");
    }
    expect_sig(SIGXFSZ, "writev's SIGXFSZ");
    check(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 100,
          "fstat: a file of 100 bytes");
    check(lseek(fd, 0, SEEK_CUR) == 100, "its offset is 100");
    check(pread(fd, buf, 10, 0) == 10 && buf[0] == 'a', "it reads back");
    check((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0, "close-on-exec kept");
    check(close(fd) == 0, "close");
    unlink(file);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
