/* SPDX-License-Identifier: MIT */
/*
 * The exec trampoline (x86-64): a tiny static program kbox builds that
 * execs again with its own argv and envp (see exec.c, use_trampoline).
 */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "journal.h"

#if defined(__x86_64__)
/*
 * The exec trampoline: a program that execs again with the argv and envp
 * it was given, from its own memory. A child sharing its parent's memory
 * (vfork, posix_spawn) execs it instead of its program, with nothing
 * changed but the path string (kbox's alias of the trampoline, put back
 * in the parent afterwards), and kbox serves the trampoline's exec as
 * the child's: there argv entries that pointed into the path get its old
 * bytes back and a #! script's longer argv is written, in memory nobody
 * else uses. The trampoline copies its argv and envp below its stack
 * with 11 spare slots between them (the most a script's argv grows by),
 * so that longer argv never reaches envp. Every #! script runs through
 * it: in place, the longer argv overwrote whatever followed the caller's
 * array, which is envp for env(1), nohup and dash (the script lost its
 * whole environment). Written in the parent, both broke it: make frees argv[0]
 * (the path itself) the moment the exec is done, and got a pointer below
 * the child's stack back; Python frees the argv array at once, and the
 * script's extra entries had gone past its end. kbox_proc.exec_again
 * holds what the trampoline's exec stands for.
 */
static const unsigned char tramp_code[] = {
    0x48, 0x8b, 0x0c, 0x24,                   /* mov (%rsp),%rcx: argc */
    0x48, 0x8d, 0x74, 0x24, 0x08,             /* lea 8(%rsp),%rsi: argv */
    0x48, 0x8d, 0x54, 0xce, 0x08,             /* lea 8(%rsi,%rcx,8),%rdx */
    0x45, 0x31, 0xc0,                         /* xor %r8d,%r8d: envc */
    0x4a, 0x83, 0x3c, 0xc2, 0x00,             /* 1: cmpq $0,(%rdx,%r8,8) */
    0x74, 0x05,                               /* je 2f */
    0x49, 0xff, 0xc0,                         /* inc %r8 */
    0xeb, 0xf4,                               /* jmp 1b */
    0x4a, 0x8d, 0x44, 0x01, 0x0d,             /* 2: lea 13(%rcx,%r8),%rax */
    0x48, 0xc1, 0xe0, 0x03,                   /* shl $3,%rax */
    0x48, 0x29, 0xc4,                         /* sub %rax,%rsp */
    0x48, 0x83, 0xe4, 0xf0,                   /* and $-16,%rsp */
    0x48, 0x89, 0xe7,                         /* mov %rsp,%rdi: new argv */
    0x45, 0x31, 0xc9,                         /* xor %r9d,%r9d */
    0x49, 0x39, 0xc9,                         /* 3: cmp %rcx,%r9 */
    0x74, 0x0d,                               /* je 4f */
    0x4a, 0x8b, 0x04, 0xce,                   /* mov (%rsi,%r9,8),%rax */
    0x4a, 0x89, 0x04, 0xcf,                   /* mov %rax,(%rdi,%r9,8) */
    0x49, 0xff, 0xc1,                         /* inc %r9 */
    0xeb, 0xee,                               /* jmp 3b */
    0x4c, 0x8d, 0x14, 0xcf,                   /* 4: lea (%rdi,%rcx,8),%r10 */
    0x41, 0xbb, 0x0c, 0x00, 0x00, 0x00,       /* mov $12,%r11d */
    0x49, 0xc7, 0x02, 0x00, 0x00, 0x00, 0x00, /* 5: movq $0,(%r10) */
    0x49, 0x83, 0xc2, 0x08,                   /* add $8,%r10 */
    0x49, 0xff, 0xcb,                         /* dec %r11 */
    0x75, 0xf0,                               /* jne 5b */
    0x45, 0x31, 0xc9,                         /* xor %r9d,%r9d */
    0x4a, 0x8b, 0x04, 0xca,                   /* 6: mov (%rdx,%r9,8),%rax */
    0x4b, 0x89, 0x04, 0xca,                   /* mov %rax,(%r10,%r9,8) */
    0x49, 0xff, 0xc1,                         /* inc %r9 */
    0x48, 0x85, 0xc0,                         /* test %rax,%rax */
    0x75, 0xf0,                               /* jne 6b */
    0x48, 0x89, 0xfe,                         /* mov %rdi,%rsi */
    0x4c, 0x89, 0xd2,                         /* mov %r10,%rdx: new envp */
    0x48, 0x8d, 0x3d, 0x13, 0x00, 0x00, 0x00, /* lea path(%rip),%rdi */
    0xb8, 59,   0,    0,    0,                /* mov $SYS_execve,%eax */
    0x0f, 0x05,                               /* syscall */
    0xbf, 127,  0,    0,    0,                /* mov $127,%edi */
    0xb8, 231,  0,    0,    0,                /* mov $SYS_exit_group,%eax */
    0x0f, 0x05,                               /* syscall */
};                                            /* path: right after */
#define TRAMP_PATH 4096

static int tramp_fd = -1;
static unsigned char *tramp_img; /* its bytes, for gated copies */
static size_t tramp_len;
static pthread_once_t tramp_once = PTHREAD_ONCE_INIT;

static void tramp_build(void)
{
    size_t code = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr);
    size_t len = code + sizeof(tramp_code) + TRAMP_PATH;
    unsigned char *b = calloc(1, len);
    Elf64_Ehdr *eh = (Elf64_Ehdr *)b;
    Elf64_Phdr *ph = (Elf64_Phdr *)(b + sizeof(*eh));
    const uint64_t base = 0x400000;
    int fd;

    if (!b)
        return;
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = ET_EXEC;
    eh->e_machine = EM_X86_64;
    eh->e_version = EV_CURRENT;
    eh->e_entry = base + code;
    eh->e_phoff = sizeof(*eh);
    eh->e_ehsize = sizeof(*eh);
    eh->e_phentsize = sizeof(*ph);
    eh->e_phnum = 1;
    ph->p_type = PT_LOAD;
    ph->p_flags = PF_R | PF_W | PF_X;
    ph->p_vaddr = ph->p_paddr = base;
    ph->p_filesz = ph->p_memsz = len;
    ph->p_align = 4096;
    memcpy(b + code, tramp_code, sizeof(tramp_code));
    memset(b + code + sizeof(tramp_code), 'x', TRAMP_PATH - 1);
    fd = kbox_exec_memfd("kbox-exec-again", b, len);
    if (fd >= 0) {
        tramp_fd = fd;
        tramp_img = b;
        tramp_len = len;
    } else {
        free(b);
    }
}

/* A new fd of the trampoline program, or -1. */
int kbox_tramp_fd(void)
{
    pthread_once(&tramp_once, tramp_build);
    return tramp_fd < 0 ? -1 : fcntl(tramp_fd, F_DUPFD_CLOEXEC, 0);
}

/* A new fd of a private copy of the trampoline behind a gate (gate.c) for
 * @child's exec, its gate in *@gate; or -1. */
int kbox_tramp_gated(pid_t child, int *gate)
{
    int copy, fd;

    pthread_once(&tramp_once, tramp_build);
    if (!tramp_img)
        return -1;
    copy = kbox_exec_memfd("kbox-exec-again", tramp_img, tramp_len);
    if (copy < 0)
        return -1;
    *gate = kbox_gate_open(copy, child);
    close(copy);
    if (*gate < 0)
        return -1;
    fd = fcntl(*gate, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
        kbox_gate_close(*gate, child);
        *gate = -1;
    }
    return fd;
}
#else
int kbox_tramp_fd(void)
{
    return -1; /* scripts from vfork children rewrite argv in place */
}

int kbox_tramp_gated(pid_t child, int *gate)
{
    *gate = -1;
    return -1;
}
#endif
