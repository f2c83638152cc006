/* SPDX-License-Identifier: MIT */
/*
 * PR_GET_PDEATHSIG of the first guest process says what Linux would:
 * 0 unless it set one (kbox's own SIGKILL there showed), its own value
 * after setting one, also after exec; 0 in its children and threads;
 * cleared when its ids change (run as root). Usage: pdeathsig
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static int get(void)
{
    int s = -1;

    if (prctl(PR_GET_PDEATHSIG, &s, 0, 0, 0))
        return -2;
    return s;
}

static void *thread_get(void *arg)
{
    *(int *)arg = get();
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t t;
    int s = -1, status = 0;
    pid_t pid;

    if (argc > 1 && !strcmp(argv[1], "after-exec")) {
        check(get() == SIGUSR1, "after exec: PR_GET_PDEATHSIG %d (want %d)",
              get(), SIGUSR1);
        if (getuid() == 0) {
            check(setresgid(65534, 65534, 65534) == 0 &&
                      setresuid(65534, 65534, 65534) == 0,
                  "setresuid to 65534");
            check(get() == 0, "after setresuid: PR_GET_PDEATHSIG %d (want 0)",
                  get());
        }
        printf("%d passed, %d failed\n", n_ok, n_fail);
        return n_fail != 0;
    }
    check(get() == 0, "first process: PR_GET_PDEATHSIG %d (want 0)", get());
    errno = 0;
    check(prctl(PR_SET_PDEATHSIG, 99, 0, 0, 0) == -1 && errno == EINVAL,
          "PR_SET_PDEATHSIG 99 is EINVAL");
    errno = 0;
    check(prctl(PR_GET_PDEATHSIG, (void *)8, 0, 0, 0) == -1 && errno == EFAULT,
          "PR_GET_PDEATHSIG to a bad address is EFAULT");
    check(prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0) == 0,
          "PR_SET_PDEATHSIG SIGUSR1");
    check(get() == SIGUSR1, "PR_GET_PDEATHSIG %d (want %d)", get(), SIGUSR1);
    if (pthread_create(&t, NULL, thread_get, &s) == 0)
        pthread_join(t, NULL);
    check(s == 0, "a thread: PR_GET_PDEATHSIG %d (want 0)", s);
    pid = fork();
    if (pid == 0)
        _exit(get() == 0 ? 0 : 1);
    check(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
              WEXITSTATUS(status) == 0,
          "a child: PR_GET_PDEATHSIG 0");
    fflush(stdout);
    execl("/proc/self/exe", argv[0], "after-exec", (char *)NULL);
    check(0, "exec");
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return 1;
}
