/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
/* ELF / #! parsing for exec from the image. */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "kbox/elf.h"

#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#else
#error "unsupported host architecture"
#endif

enum kbox_exec_kind kbox_exec_classify(const void *buf, size_t len)
{
    const unsigned char *b = buf;

    if (len >= SELFMAG && memcmp(b, ELFMAG, SELFMAG) == 0)
        return KBOX_EXEC_ELF;
    if (len >= 2 && b[0] == '#' && b[1] == '!')
        return KBOX_EXEC_SCRIPT;
    return KBOX_EXEC_BAD;
}

int kbox_elf_inspect(const void *buf, size_t len, struct kbox_elf_info *info)
{
    Elf64_Ehdr eh;
    int ninterp = 0;

    memset(info, 0, sizeof(*info));
    if (len < sizeof(eh))
        return -ENOEXEC;
    memcpy(&eh, buf, sizeof(eh));
    if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
        eh.e_ident[EI_CLASS] != ELFCLASS64 ||
        eh.e_ident[EI_DATA] != ELFDATA2LSB ||
        eh.e_ident[EI_VERSION] != EV_CURRENT)
        return -ENOEXEC;
    if (eh.e_machine != HOST_MACHINE)
        return -ENOEXEC;
    if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
        return -ENOEXEC;
    if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 ||
        eh.e_phnum > 65536 / sizeof(Elf64_Phdr))
        return -ENOEXEC;
    if (eh.e_phoff > len ||
        (size_t)eh.e_phnum * sizeof(Elf64_Phdr) > len - eh.e_phoff)
        return -ENOEXEC;

    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;

        memcpy(&ph, (const char *)buf + eh.e_phoff + i * sizeof(ph),
               sizeof(ph));
        if (ph.p_type != PT_INTERP)
            continue;
        if (++ninterp > 1)
            return -ENOEXEC;
        if (ph.p_filesz < 2 || ph.p_filesz > sizeof(info->interp) ||
            ph.p_offset > len || ph.p_filesz > len - ph.p_offset)
            return -ENOEXEC;
        memcpy(info->interp, (const char *)buf + ph.p_offset, ph.p_filesz);
        /* The kernel requires the string to end at p_filesz - 1. */
        if (info->interp[ph.p_filesz - 1] != '\0')
            return -ENOEXEC;
        info->interp_size = ph.p_filesz;
        info->interp_off = ph.p_offset;
        info->dynamic = true;
    }
    return 0;
}

int kbox_elf_set_interp(void *buf, size_t len, const struct kbox_elf_info *info,
                        const char *path)
{
    size_t n = strlen(path);

    if (!info->dynamic || info->interp_off + info->interp_size > len)
        return -EINVAL;
    if (n + 1 > info->interp_size)
        return -ENAMETOOLONG;
    memset((char *)buf + info->interp_off, 0, info->interp_size);
    memcpy((char *)buf + info->interp_off, path, n);
    return 0;
}

int kbox_script_parse(const void *buf, size_t len, struct kbox_script_info *si)
{
    char line[KBOX_SHEBANG_MAX + 1];
    size_t n = len < KBOX_SHEBANG_MAX ? len : KBOX_SHEBANG_MAX;
    char *p, *end, *nl, *ie;

    memset(si, 0, sizeof(*si));
    if (n < 2 || memcmp(buf, "#!", 2) != 0)
        return -ENOEXEC;
    memcpy(line, buf, n);
    line[n] = '\0';
    nl = memchr(line, '\n', n);
    if (nl)
        *nl = '\0';
    else if (len >= KBOX_SHEBANG_MAX) {
        /*
         * Like the kernel: a truncated interpreter name is an error, but
         * a truncated argument is fine as long as the name ended. The
         * line is the buffer's first 255 bytes (binfmt_script's buf_end).
         */
        char *last = line + KBOX_SHEBANG_MAX - 1;

        /* a blank or NUL in the last byte ends the name too */
        p = line + 2;
        while (p <= last && (*p == ' ' || *p == '\t'))
            p++;
        while (p <= last && *p && *p != ' ' && *p != '\t')
            p++;
        if (p > last)
            return -ENOEXEC;
        *last = '\0';
    }
    p = line + 2;
    end = p + strlen(p);
    /* spaces and tabs only: a CR of a CRLF line stays in the name (or
     * argument), and the exec fails as in Linux ("/bin/sh^M": ENOENT) */
    while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
        *--end = '\0';
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p)
        return -ENOEXEC;
    ie = p;
    while (*ie && *ie != ' ' && *ie != '\t')
        ie++;
    memcpy(si->interp, p, (size_t)(ie - p));
    si->interp[ie - p] = '\0';
    while (*ie == ' ' || *ie == '\t')
        ie++;
    if (*ie) {
        strcpy(si->arg, ie); /* the rest, as one argument */
        si->has_arg = true;
    }
    return 0;
}
