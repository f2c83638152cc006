/* SPDX-License-Identifier: MIT */
/*
 * usage: openat-read DIR NAME
 *
 * Prints what openat(fd of DIR, NAME) reads, or the errno's name: a
 * name relative to a directory fd, which a shell cannot give.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    char buf[4096];
    ssize_t n;
    int d, f;

    if (argc != 3) {
        fprintf(stderr, "usage: openat-read DIR NAME\n");
        return 2;
    }
    d = open(argv[1], O_RDONLY | O_DIRECTORY);
    if (d < 0) {
        printf("open %s: %s\n", argv[1], strerrorname_np(errno));
        return 1;
    }
    f = openat(d, argv[2], O_RDONLY);
    if (f < 0) {
        printf("openat %s: %s\n", argv[2], strerrorname_np(errno));
        return 1;
    }
    while ((n = read(f, buf, sizeof(buf))) > 0)
        fwrite(buf, 1, (size_t)n, stdout);
    return n < 0 ? 1 : 0;
}
