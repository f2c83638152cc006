/* SPDX-License-Identifier: MIT */
/* Unit tests: ELF / PT_INTERP / #! inspection. */
#define _GNU_SOURCE
#define KTEST_IMPLEMENTATION
#include "ktest.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kbox/elf.h"

/* A synthetic dynamic ELF: header, two phdrs, interp string. */
static size_t make_elf(unsigned char *buf, size_t cap, const char *interp,
                       int type, int machine)
{
    Elf64_Ehdr eh;
    Elf64_Phdr ph[2];
    size_t off = sizeof(eh) + sizeof(ph);

    memset(buf, 0, cap);
    memset(&eh, 0, sizeof(eh));
    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_type = (Elf64_Half)type;
    eh.e_machine = (Elf64_Half)machine;
    eh.e_version = EV_CURRENT;
    eh.e_phoff = sizeof(eh);
    eh.e_phentsize = sizeof(Elf64_Phdr);
    eh.e_phnum = 2;
    memset(ph, 0, sizeof(ph));
    ph[0].p_type = PT_LOAD;
    ph[1].p_type = interp ? PT_INTERP : PT_NOTE;
    ph[1].p_offset = off;
    ph[1].p_filesz = interp ? strlen(interp) + 1 : 0;
    memcpy(buf, &eh, sizeof(eh));
    memcpy(buf + sizeof(eh), ph, sizeof(ph));
    if (interp)
        strcpy((char *)buf + off, interp);
    return off + (interp ? strlen(interp) + 1 : 0);
}

KTEST(classify)
{
    KT_EQ(kbox_exec_classify("\177ELF\2\1", 6), KBOX_EXEC_ELF);
    KT_EQ(kbox_exec_classify("#!/bin/sh\n", 10), KBOX_EXEC_SCRIPT);
    KT_EQ(kbox_exec_classify("#", 1), KBOX_EXEC_BAD);
    KT_EQ(kbox_exec_classify("hello", 5), KBOX_EXEC_BAD);
    KT_EQ(kbox_exec_classify("", 0), KBOX_EXEC_BAD);
}

KTEST(elf_dynamic_and_patch)
{
    unsigned char buf[512];
    struct kbox_elf_info info;
    size_t n = make_elf(buf, sizeof(buf), "/lib64/ld-linux-x86-64.so.2", ET_DYN,
                        EM_X86_64);

    KT_EQ(kbox_elf_inspect(buf, n, &info), 0);
    KT_EQ(info.dynamic, 1);
    KT_STREQ(info.interp, "/lib64/ld-linux-x86-64.so.2");
    KT_EQ(info.interp_size, 28);
    KT_EQ(kbox_elf_set_interp(buf, n, &info, "/proc/self/fd/12"), 0);
    KT_EQ(kbox_elf_inspect(buf, n, &info), 0);
    KT_STREQ(info.interp, "/proc/self/fd/12");
    KT_EQ(info.interp_size, 28); /* zero padded, size unchanged */
    KT_EQ(kbox_elf_set_interp(buf, n, &info,
                              "/a/very/long/path/that/does/not/fit/x"),
          -ENAMETOOLONG);
}

KTEST(elf_static)
{
    unsigned char buf[512];
    struct kbox_elf_info info;
    size_t n = make_elf(buf, sizeof(buf), NULL, ET_EXEC, EM_X86_64);

    KT_EQ(kbox_elf_inspect(buf, n, &info), 0);
    KT_EQ(info.dynamic, 0);
    KT_EQ(kbox_elf_set_interp(buf, n, &info, "/x"), -EINVAL);
}

KTEST(elf_rejects)
{
    unsigned char buf[512];
    struct kbox_elf_info info;
    size_t n;

    n = make_elf(buf, sizeof(buf), "/lib/ld.so", ET_DYN, EM_AARCH64 + 1);
    KT_EQ(kbox_elf_inspect(buf, n, &info), -ENOEXEC);
    n = make_elf(buf, sizeof(buf), "/lib/ld.so", ET_REL, EM_X86_64);
    KT_EQ(kbox_elf_inspect(buf, n, &info), -ENOEXEC);
    n = make_elf(buf, sizeof(buf), "/lib/ld.so", ET_DYN, EM_X86_64);
    /* Truncated: program headers cut off. */
    KT_EQ(kbox_elf_inspect(buf, 80, &info), -ENOEXEC);
    /* Interp string cut off. */
    KT_EQ(kbox_elf_inspect(buf, n - 3, &info), -ENOEXEC);
    /* Interp not NUL terminated. */
    buf[n - 1] = 'x';
    KT_EQ(kbox_elf_inspect(buf, n, &info), -ENOEXEC);
    /* 32-bit class. */
    n = make_elf(buf, sizeof(buf), NULL, ET_EXEC, EM_X86_64);
    buf[EI_CLASS] = ELFCLASS32;
    KT_EQ(kbox_elf_inspect(buf, n, &info), -ENOEXEC);
    KT_EQ(kbox_elf_inspect(buf, 10, &info), -ENOEXEC);
}

KTEST(elf_real_binary)
{
    /* Our own executable: a real ELF for this machine. */
    static unsigned char buf[1 << 16];
    struct kbox_elf_info info;
    int fd = open("/proc/self/exe", O_RDONLY);
    ssize_t n;

    KT_ASSERT(fd >= 0);
    n = read(fd, buf, sizeof(buf));
    close(fd);
    KT_ASSERT(n > 64);
    KT_EQ(kbox_exec_classify(buf, (size_t)n), KBOX_EXEC_ELF);
    /* The program headers are near the start; PT_INTERP too. */
    KT_EQ(kbox_elf_inspect(buf, (size_t)n, &info), 0);
    KT_EQ(info.dynamic, 1);
    KT_ASSERT(strstr(info.interp, "ld-linux") != NULL);
}

KTEST(script_parse)
{
    struct kbox_script_info si;

    KT_EQ(kbox_script_parse("#!/bin/sh\necho\n", 15, &si), 0);
    KT_STREQ(si.interp, "/bin/sh");
    KT_EQ(si.has_arg, 0);
    KT_EQ(kbox_script_parse("#! /usr/bin/env  python3 -u \t\nx", 31, &si), 0);
    KT_STREQ(si.interp, "/usr/bin/env");
    KT_STREQ(si.arg, "python3 -u");
    KT_EQ(si.has_arg, 1);
    /* a CRLF line keeps its CR, as binfmt_script does (spaces and tabs
     * only are trimmed): the exec then fails as natively */
    KT_EQ(kbox_script_parse("#!/bin/sh\r\necho\r\n", 17, &si), 0);
    KT_STREQ(si.interp, "/bin/sh\r");
    KT_EQ(kbox_script_parse("#!/usr/bin/env python3 \r\n", 26, &si), 0);
    KT_STREQ(si.arg, "python3 \r");
    KT_EQ(kbox_script_parse("#!/bin/sh", 9, &si), 0); /* no newline */
    KT_STREQ(si.interp, "/bin/sh");
    KT_EQ(kbox_script_parse("#!\n", 3, &si), -ENOEXEC);
    KT_EQ(kbox_script_parse("#!   \n", 6, &si), -ENOEXEC);
    KT_EQ(kbox_script_parse("#x", 2, &si), -ENOEXEC);
}

KTEST(script_long_line)
{
    static char buf[600];
    struct kbox_script_info si;

    /* Interpreter name longer than the buffer: ENOEXEC. */
    buf[0] = '#', buf[1] = '!';
    memset(buf + 2, 'a', 500);
    buf[502] = '\n';
    KT_EQ(kbox_script_parse(buf, 503, &si), -ENOEXEC);
    /* Short name, long argument: truncated argument is accepted. */
    memcpy(buf + 2, "/bin/sh ", 8);
    KT_EQ(kbox_script_parse(buf, 503, &si), 0);
    KT_STREQ(si.interp, "/bin/sh");
    KT_EQ(si.has_arg, 1);
    /* the line is the first 255 bytes, as Linux reads it */
    KT_EQ(strlen(si.arg), 255 - strlen("#!/bin/sh "));
    /* a blank in the last byte (255) ends the name: no argument */
    memset(buf + 2, 'a', 500);
    buf[255] = ' ';
    KT_EQ(kbox_script_parse(buf, 503, &si), 0);
    KT_EQ(strlen(si.interp), 253);
    KT_EQ(si.has_arg, 0);
    /* the name reaching byte 255: truncated, ENOEXEC */
    buf[255] = 'a';
    buf[256] = ' ';
    KT_EQ(kbox_script_parse(buf, 503, &si), -ENOEXEC);
}

int main(int argc, char **argv)
{
    return ktest_main(argc, argv);
}
