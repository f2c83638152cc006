/* SPDX-License-Identifier: MIT */
/*
 * sock-hostname-perm HOSTTMP GUESTTMP (as guest root): a guest's unix socket in
 * lx is a host socket named <kbox's directory>/s-<dev>-<ino>. A guest user who
 * learned that directory (the name getsockname gives for a socket whose
 * binding 1024 newer ones displaced) connected to a root daemon's socket
 * in a 0700 directory by that host name, past lx's permission checks
 * (the node's dev and ino are guessable: small numbers on a known
 * device). That name now stands for the guest path it was bound to and
 * is checked as that path; root still connects by it. Args: kbox's
 * TMPDIR on the host and where it is bound in the guest (kbox no longer
 * tells the guest its directory: the test does).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static int listen_at(const char *path)
{
    struct sockaddr_un a = { AF_UNIX, "" };
    int s = socket(AF_UNIX, SOCK_STREAM, 0);

    unlink(path);
    snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 4))
        return -1;
    return s;
}

static int connect_to(const char *path)
{
    struct sockaddr_un a = { AF_UNIX, "" };
    int s = socket(AF_UNIX, SOCK_STREAM, 0), rc;

    snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
    rc = connect(s, (struct sockaddr *)&a, sizeof(a));
    if (rc) {
        int e = errno;

        close(s);
        errno = e;
        return -1;
    }
    return s;
}

/*
 * kbox's directory. The guest is no longer told it (getsockname of a
 * socket whose binding was displaced, accept's and recvfrom's address
 * gave it), so the test hands it over: kbox's TMPDIR @host, bound in the
 * guest at @guest, holds it as kbox-<pid>-XXXXXX.
 */
static int leak_dir(const char *host, const char *guest, char *dir, size_t len)
{
    struct dirent *e;
    DIR *d = opendir(guest);
    int found = -1;

    while (d && (e = readdir(d)))
        if (!strncmp(e->d_name, "kbox-", 5) &&
            snprintf(dir, len, "%s/%s", host, e->d_name) < (int)len)
            found = 0;
    if (d)
        closedir(d);
    return found;
}

static int line(int fd, char *buf, size_t len)
{
    return guest_read_line(fd, buf, len, 30000) > 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    struct pollfd pf[2];
    struct stat st1, st2;
    char dir[200] = "", host[300], msg[400];
    int d1, d2, up[2], down[2], c, status, r1 = -1, e1 = 0, r2 = -1, e2 = 0;
    pid_t kid;

    setvbuf(stdout, NULL, _IONBF, 0);
    mkdir("/root/sock-hostname", 0700);
    chmod("/root/sock-hostname", 0700);
    d1 = listen_at("/root/sock-hostname/d1.sock");
    check(d1 >= 0, "root's daemon listens in a 0700 directory");
    chmod("/root/sock-hostname/d1.sock", 0600);
    check(stat("/root/sock-hostname/d1.sock", &st1) == 0, "its node");
    check(pipe(up) == 0 && pipe(down) == 0, "pipes");
    kid = fork();
    if (kid == 0) {
        unsigned long long dev, ino;
        int n;

        if (setgroups(0, NULL) || setgid(1000) || setuid(1000))
            _exit(3);
        c = connect_to("/root/sock-hostname/d1.sock");
        n = snprintf(msg, sizeof(msg), "%d %d\n", c >= 0, errno);
        if (argc < 3 || leak_dir(argv[1], argv[2], dir, sizeof(dir)))
            snprintf(dir, sizeof(dir), "-");
        n += snprintf(msg + n, sizeof(msg) - (size_t)n, "%s\n", dir);
        write(up[1], msg, (size_t)n);
        /* the daemon bound before the leak (its name displaced since) */
        snprintf(host, sizeof(host), "%s/s-%llu-%llu", dir,
                 (unsigned long long)st1.st_dev,
                 (unsigned long long)st1.st_ino);
        c = connect_to(host);
        n = snprintf(msg, sizeof(msg), "%d %d\n", c >= 0, errno);
        /* and one bound after it */
        if (line(down[0], host, sizeof(host)) ||
            sscanf(host, "%llu %llu", &dev, &ino) != 2)
            _exit(4);
        snprintf(host, sizeof(host), "%s/s-%llu-%llu", dir, dev, ino);
        c = connect_to(host);
        n += snprintf(msg + n, sizeof(msg) - (size_t)n, "%d %d\n", c >= 0,
                      errno);
        write(up[1], msg, (size_t)n);
        _exit(0);
    }
    if (!line(up[0], msg, sizeof(msg))) {
        int direct = -1, de = 0;

        sscanf(msg, "%d %d", &direct, &de);
        check(direct == 0 && de == EACCES,
              "a user connecting by the path: EACCES (%d, errno %d)", direct,
              de);
    }
    if (line(up[0], dir, sizeof(dir)))
        dir[0] = '\0';
    dir[strcspn(dir, "\n")] = '\0';
    check(dir[0] == '/', "the user learned kbox's directory: %s", dir);
    d2 = listen_at("/root/sock-hostname/d2.sock");
    chmod("/root/sock-hostname/d2.sock", 0600);
    check(d2 >= 0 && stat("/root/sock-hostname/d2.sock", &st2) == 0,
          "a second daemon, bound after that");
    snprintf(msg, sizeof(msg), "%llu %llu\n", (unsigned long long)st2.st_dev,
             (unsigned long long)st2.st_ino);
    write(down[1], msg, strlen(msg));
    if (!line(up[0], msg, sizeof(msg)))
        sscanf(msg, "%d %d", &r1, &e1);
    if (!line(up[0], msg, sizeof(msg)))
        sscanf(msg, "%d %d", &r2, &e2);
    waitpid(kid, &status, 0);
    check(r1 == 0,
          "by the host name of the first: refused (connected %d, "
          "errno %d)",
          r1, e1);
    check(r2 == 0 && e2 == EACCES,
          "by the host name of the second: EACCES (connected %d, errno %d)", r2,
          e2);
    pf[0].fd = d1;
    pf[1].fd = d2;
    pf[0].events = pf[1].events = POLLIN;
    check(poll(pf, 2, 200) == 0, "neither daemon saw a connection");

    /* root, allowed the path, still connects by the host name */
    snprintf(host, sizeof(host), "%s/s-%llu-%llu", dir,
             (unsigned long long)st2.st_dev, (unsigned long long)st2.st_ino);
    c = connect_to(host);
    check(c >= 0, "root connects by the host name %s", host);
    check(c >= 0 && poll(&pf[1], 1, 2000) == 1, "and the daemon sees it");
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
