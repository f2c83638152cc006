/* SPDX-License-Identifier: MIT */
/*
 * lock-turns: N processes take turns on an fcntl write lock of one file,
 * as tdb and gdbm do: take the lock (F_SETLK retried after 1 ms sleeps,
 * or F_SETLKW), write a few blocks, optionally fsync or msync, unlock.
 * Prints the time per phase so a slow kbox run shows where it waits.
 *
 * Each round also adds one to a counter at the file's end under the
 * lock (read, then write back): the final count says whether the lock
 * excluded the others (exit 1 if not NPROC * ROUNDS).
 *
 * usage: lock-turns PATH NPROC ROUNDS MODE   MODE: letters of
 *   w  F_SETLKW (else F_SETLK + 1 ms sleep)   f  fsync each round
 *   m  msync a shared map each round          s  sleep 1 ms each round
 *   l  flock(LOCK_EX) instead of fcntl (blocking with w, else LOCK_NB)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int use_flock;

static int lk(int fd, int cmd, short type)
{
    struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_len = 1 };

    if (use_flock)
        return flock(fd, type == F_UNLCK   ? LOCK_UN
                         : cmd == F_SETLKW ? LOCK_EX
                                           : LOCK_EX | LOCK_NB);
    return fcntl(fd, cmd, &fl);
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s PATH NPROC ROUNDS MODE\n", argv[0]);
        return 2;
    }
    const char *path = argv[1], *mode = argv[4];
    int n = atoi(argv[2]), rounds = atoi(argv[3]);
    int wait_mode = !!strchr(mode, 'w'), do_fsync = !!strchr(mode, 'f');
    int do_msync = !!strchr(mode, 'm'), do_sleep = !!strchr(mode, 's');
    size_t sz = 1 << 20;
    long count = 0;

    use_flock = !!strchr(mode, 'l');
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

    if (fd < 0 || ftruncate(fd, sz) < 0) {
        perror("open");
        return 1;
    }
    close(fd);
    double t0 = now();
    for (int w = 0; w < n; w++) {
        if (fork() == 0) {
            char buf[4096];
            long fails = 0;
            double tl = 0, tw = 0, ts = 0, tu = 0, t;
            int f = open(path, O_RDWR);
            char *map = do_msync ? mmap(NULL, sz, PROT_READ | PROT_WRITE,
                                        MAP_SHARED, f, 0)
                                 : NULL;

            if (f < 0 || map == MAP_FAILED)
                _exit(1);
            memset(buf, 'a' + w, sizeof(buf));
            for (int r = 0; r < rounds; r++) {
                t = now();
                if (wait_mode) {
                    if (lk(f, F_SETLKW, F_WRLCK) < 0)
                        _exit(1);
                } else {
                    while (lk(f, F_SETLK, F_WRLCK) < 0) {
                        struct timespec d = { 0, 1000000 };
                        fails++;
                        nanosleep(&d, NULL);
                    }
                }
                tl += now() - t;
                t = now();
                for (int i = 0; i < 8; i++) {
                    off_t off = (off_t)((r * 8 + i) % 256) * 4096;
                    if (map)
                        memcpy(map + off, buf, sizeof(buf));
                    else if (pwrite(f, buf, sizeof(buf), off) < 0)
                        _exit(1);
                }
                if (pread(f, &count, sizeof(count), sz) < 0)
                    count = 0;
                count++;
                if (pwrite(f, &count, sizeof(count), sz) != sizeof(count))
                    _exit(1);
                tw += now() - t;
                t = now();
                if (do_fsync && fsync(f) < 0)
                    _exit(1);
                if (do_msync && msync(map, sz, MS_SYNC) < 0)
                    _exit(1);
                ts += now() - t;
                t = now();
                lk(f, F_SETLK, F_UNLCK);
                tu += now() - t;
                if (do_sleep) {
                    struct timespec d = { 0, 1000000 };
                    nanosleep(&d, NULL);
                }
            }
            printf("w%d: lock %.3f write %.3f sync %.3f unlock %.3f "
                   "fails %ld\n",
                   w, tl, tw, ts, tu, fails);
            fflush(stdout);
            _exit(0);
        }
    }
    int bad = 0, st;
    while (wait(&st) > 0)
        bad |= !WIFEXITED(st) || WEXITSTATUS(st);
    double dt = now() - t0;
    fd = open(path, O_RDONLY);
    count = 0;
    if (fd < 0 || pread(fd, &count, sizeof(count), sz) != sizeof(count))
        bad = 1;
    printf("procs=%d rounds=%d mode=%s: %.3f s, %.0f rounds/s, count %ld\n", n,
           rounds, mode, dt, n * rounds / dt, count);
    if (bad || count != (long)n * rounds) {
        printf("FAIL count %ld, want %ld (lock not exclusive)\n", count,
               (long)n * rounds);
        return 1;
    }
    printf("ok lock excluded the others: count %ld\n", count);
    return 0;
}
