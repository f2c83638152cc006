/* SPDX-License-Identifier: MIT */
/*
 * fhandle-outside DIR TYPE:HEX: open_by_handle_at with a bind's directory
 * DIR as the mount fd decodes handles of its host file system. The host
 * handle TYPE:HEX of a host file outside the bind (the test's script
 * takes it; on ext4 a guest need only guess an inode number, generation
 * 0 matching any) is ESTALE whatever the flags, and O_TRUNC must not
 * empty that file first (903's script checks it): until the thirty-third
 * session the host opened it with the guest's flags before kbox looked.
 * Handles of the bind's own files open as asked.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest-check.h"

static struct file_handle *handle_of(const char *path, int flags)
{
    struct file_handle *fh = calloc(1, sizeof(*fh) + 128);
    int mid;

    fh->handle_bytes = 128;
    if (name_to_handle_at(AT_FDCWD, path, fh, &mid, flags)) {
        free(fh);
        return NULL;
    }
    return fh;
}

int main(int argc, char **argv)
{
    char in[512], link[512], buf[64] = "";
    struct file_handle *fh, *out;
    int m, fd;
    ssize_t n;

    if (argc < 3) {
        fprintf(stderr, "usage: fhandle-outside DIR TYPE:HEX\n");
        return 2;
    }
    snprintf(in, sizeof(in), "%s/in", argv[1]);
    snprintf(link, sizeof(link), "%s/link", argv[1]);
    m = open(argv[1], O_RDONLY | O_DIRECTORY);
    check(m >= 0, "%s opens", argv[1]);
    fd = open(in, O_RDWR | O_CREAT | O_TRUNC, 0644);
    check(fd >= 0 && write(fd, "inside\n", 7) == 7, "%s written", in);
    close(fd);
    check(symlink("in", link) == 0, "%s made", link);

    fh = handle_of(in, 0);
    check(fh != NULL, "a handle of %s", in);
    if (!fh)
        return 1;
    fd = open_by_handle_at(m, fh, O_RDONLY);
    n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
    check(n == 7 && !memcmp(buf, "inside\n", 7), "its file reads (%zd)", n);
    close(fd);
    fd = open_by_handle_at(m, fh, O_RDWR | O_TRUNC);
    check(fd >= 0, "O_RDWR | O_TRUNC by handle opens it");
    {
        struct stat st;

        check(fd >= 0 && !fstat(fd, &st) && st.st_size == 0,
              "and truncates it");
        check(fd >= 0 && (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR,
              "read-write");
    }
    close(fd);
    fd = open_by_handle_at(m, fh, O_PATH);
    check(fd >= 0, "O_PATH by handle");
    close(fd);
    {
        struct file_handle *lh = handle_of(link, 0);

        check(lh != NULL, "a handle of the link itself");
        if (lh)
            WANT(open_by_handle_at(m, lh, O_RDONLY), ELOOP,
                 "the link's handle opened");
        free(lh);
    }

    /* the outside file's handle, as the host gave it */
    out = calloc(1, sizeof(*out) + 128);
    {
        const char *h = strchr(argv[2], ':');
        unsigned int b = 0;

        out->handle_type = atoi(argv[2]);
        for (h = h ? h + 1 : ""; h[0] && h[1] && b < 128; h += 2) {
            char x[3] = { h[0], h[1], 0 };

            out->f_handle[b++] = (unsigned char)strtoul(x, NULL, 16);
        }
        out->handle_bytes = b;
        check(b > 0, "the outside handle parsed (%u bytes)", b);
    }
    WANT(open_by_handle_at(m, out, O_WRONLY | O_TRUNC), ESTALE,
         "an outside inode's handle, O_WRONLY | O_TRUNC");
    WANT(open_by_handle_at(m, out, O_RDONLY), ESTALE,
         "an outside inode's handle, O_RDONLY");
    WANT(open_by_handle_at(m, out, O_PATH), ESTALE,
         "an outside inode's handle, O_PATH");
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
