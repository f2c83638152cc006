/* SPDX-License-Identifier: MIT */
/* ELF and #! inspection for exec from the image (pure, buffer based). */
#ifndef KBOX_ELF_H
#define KBOX_ELF_H

#include <stdbool.h>
#include <stddef.h>

enum kbox_exec_kind {
    KBOX_EXEC_BAD = 0, /* neither ELF nor #!: ENOEXEC */
    KBOX_EXEC_ELF,
    KBOX_EXEC_SCRIPT,
};

struct kbox_elf_info {
    bool dynamic;       /* has PT_INTERP */
    size_t interp_off;  /* file offset of the PT_INTERP string */
    size_t interp_size; /* p_filesz (includes the NUL) */
    char interp[256];   /* the interpreter path */
};

/* Same limit as the kernel's BINPRM_BUF_SIZE. */
#define KBOX_SHEBANG_MAX 256

struct kbox_script_info {
    char interp[KBOX_SHEBANG_MAX];
    char arg[KBOX_SHEBANG_MAX]; /* optional single argument, "" if none */
    bool has_arg;
};

/* Classify by the first bytes of the file. */
enum kbox_exec_kind kbox_exec_classify(const void *buf, size_t len);

/*
 * Validate a whole ELF image for the host machine (64-bit, host e_machine,
 * ET_EXEC or ET_DYN, program headers in bounds) and find PT_INTERP.
 * Returns 0, or -ENOEXEC / -ELIBBAD style negative errno.
 */
int kbox_elf_inspect(const void *buf, size_t len, struct kbox_elf_info *info);

/*
 * Rewrite the PT_INTERP string in @buf to @path (zero padded). Fails with
 * -ENAMETOOLONG when it does not fit in the original segment.
 */
int kbox_elf_set_interp(void *buf, size_t len, const struct kbox_elf_info *info,
                        const char *path);

/* Parse a "#!" line like the kernel's binfmt_script. 0 or -ENOEXEC. */
int kbox_script_parse(const void *buf, size_t len, struct kbox_script_info *si);

#endif
