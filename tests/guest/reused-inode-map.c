// SPDX-License-Identifier: MIT
/*
 * A file removed and made again under the freed inode number, with the
 * same size, within one tick of the kernel's coarse clock (same mtime
 * and ctime), is a new file: a private mapping of it shows its own bytes.
 * kbox keys its content copies by inode, size, times and change counter,
 * and a new inode starts with the same counter; lx mixes the inode's
 * generation into it. The sequence is 254-shebang-edges's rewrite of a
 * #! script (unlink, create 0600, write, close, chmod 0755), whose exec
 * ran the old text when lx's tick ran late.
 * Usage: reused-inode-map DIR.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest-check.h"

#define LEN 301

int main(int argc, char **argv)
{
    static char buf[LEN];
    ino_t last = 0;
    int reused = 0, stale = 0;

    if (argc != 2 || chdir(argv[1])) {
        fprintf(stderr, "usage: reused-inode-map DIR\n");
        return 2;
    }
    for (int i = 0; i < 200; i++) {
        char want = (char)('A' + i % 26);
        struct stat st;
        char *m;
        int fd;

        unlink("f");
        fd = open("f", O_CREAT | O_TRUNC | O_WRONLY, 0600);
        memset(buf, want, sizeof(buf));
        if (fd < 0 || write(fd, buf, LEN) != LEN || close(fd) ||
            chmod("f", 0755)) {
            perror("write f");
            return 2;
        }
        fd = open("f", O_RDONLY);
        if (fd < 0 || fstat(fd, &st)) {
            perror("open f");
            return 2;
        }
        reused += i && st.st_ino == last;
        last = st.st_ino;
        m = mmap(NULL, LEN, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            perror("mmap f");
            return 2;
        }
        if (m[0] != want || m[LEN - 1] != want) {
            if (!stale)
                printf("round %d: mapped '%c', the file holds '%c'\n", i, m[0],
                       want);
            stale++;
        }
        munmap(m, LEN);
        close(fd);
    }
    unlink("f");
    printf("inode number reused %d times\n", reused);
    check(reused > 0, "the file system reused the freed inode number");
    check(stale == 0, "every mapping shows the new file's bytes (%d stale)",
          stale);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
