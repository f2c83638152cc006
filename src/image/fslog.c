/* SPDX-License-Identifier: MIT */
/*
 * What the image's file system logged that its user must hear: lx's log
 * is shown only with --verbose, so an image mounted with errors recorded
 * in its superblock, or an error ext4 found during the run (after which,
 * with errors=remount-ro, Linux 6.12 shuts the file system down and every
 * later file call of the guest fails with EIO), went unsaid.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/image.h"

/* syslog(2) actions (linux/syslog.h is not a uapi header) */
#define KLOG_READ_ALL    3
#define KLOG_SIZE_BUFFER 10

static long klog(long action, char *buf, long len)
{
    long args[6] = { action, (long)buf, len, 0, 0, 0 };

    /* the root task's: a thread's own task would be forked before the
     * chroot (see kernel_log_size in image.c) */
    return lx_task_syscall(lx_task_root(), LX__NR_syslog, args);
}

/*
 * Calls @fn for each line of lx's log past byte @from that the kernel
 * itself logged (not a guest's /dev/kmsg: facility 0) at @maxlevel or
 * more urgent, without its "<level>[time] " prefix; @fn returns false
 * to stop. Returns the number of lines passed.
 */
static int klog_scan(long from, int maxlevel,
                     bool (*fn)(const char *line, void *arg), void *arg)
{
    long size = klog(KLOG_SIZE_BUFFER, NULL, 0), n;
    char *buf, *line, *next;
    int count = 0;

    if (size <= 0 || !(buf = malloc((size_t)size + 1)))
        return 0;
    n = klog(KLOG_READ_ALL, buf, size);
    if (n < 0 || from < 0 || from > n) {
        free(buf);
        return 0;
    }
    buf[n] = '\0';
    for (line = buf + from; *line; line = next) {
        char *text = line, *end;
        long prio;

        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        else
            next = line + strlen(line);
        if (*text != '<')
            continue;
        prio = strtol(text + 1, &end, 10);
        if (*end != '>' || prio < 0 || prio > maxlevel)
            continue;
        text = end + 1;
        if (*text == '[' && strchr(text, ']'))
            text = strchr(text, ']') + 1;
        while (isspace((unsigned char)*text))
            text++;
        if (!*text)
            continue;
        count++;
        if (!fn(text, arg))
            break;
    }
    free(buf);
    return count;
}

struct found {
    const char *want; /* a substring, or NULL for any line */
    char first[256];
    int n;
    bool shut_down;
};

/*
 * @line into @out with each byte outside printable ASCII as \xHH, as
 * dmesg shows it: ext4's error lines name the guest's comm, which the
 * guest sets (a program's name, PR_SET_NAME), and its escape sequences
 * reached kbox's terminal.
 */
static void printable(char *out, size_t len, const char *line)
{
    size_t o = 0;

    for (const unsigned char *c = (const unsigned char *)line;
         *c && o + 5 < len; c++) {
        if (*c >= 0x20 && *c < 0x7f)
            out[o++] = (char)*c;
        else
            o += (size_t)snprintf(out + o, len - o, "\\x%02x", *c);
    }
    out[o] = '\0';
}

static bool note_line(const char *line, void *arg)
{
    struct found *f = arg;

    if (f->want && !strstr(line, f->want))
        return true;
    /* the error's consequence, not another error */
    if (strstr(line, "Remounting filesystem read-only")) {
        f->shut_down = true;
        return true;
    }
    if (!f->n++)
        printable(f->first, sizeof(f->first), line);
    return true;
}

void kbox_fslog_mounted(const char *image, long from)
{
    /*
     * ext4's KERN_WARNINGs at mount for a damaged image: errors
     * recorded, or not cleanly unmounted without a journal (an ext2
     * image whose kbox was killed). The mount goes on, as Linux's does.
     * Not the reminders of a periodic check (mount count, interval).
     */
    struct found f = { .want = "warning: mounting " };
    const char *w;

    klog_scan(from, 4, note_line, &f);
    if (!f.n)
        return;
    w = strstr(f.first, "warning: ");
    fprintf(stderr, "kbox: warning: image '%s': %s\n", image,
            w ? w + strlen("warning: ") : f.first);
}

void kbox_fslog_errors(const char *image)
{
    /* ext4_error() and its "Remounting filesystem read-only" are
     * KERN_CRIT; not another subsystem's line at that level */
    struct found f = { .want = "EXT4-fs " };
    char more[64] = "";

    klog_scan(0, 2, note_line, &f);
    if (!f.n)
        return;
    if (f.n > 1)
        snprintf(more, sizeof(more), " (and %d more)", f.n - 1);
    fprintf(stderr,
            "kbox: warning: the file system of image '%s' had an error: "
            "%s%s%s; check it with e2fsck -f\n",
            image, f.first, more,
            f.shut_down ? "; it was shut down, later file calls failed "
                          "with EIO"
                        : "");
}
