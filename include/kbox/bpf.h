/* SPDX-License-Identifier: MIT */
/*
 * Seccomp BPF filter builder (no libseccomp). The filter is a balanced
 * binary search over syscall-number ranges with the same action, so a
 * lookup costs O(log ranges) instructions; a few syscalls get argument
 * rules (e.g. anonymous mmap is allowed, file mmap is notified).
 */
#ifndef KBOX_BPF_H
#define KBOX_BPF_H

#include <linux/filter.h>
#include <stdint.h>

enum kbox_bpf_act {
    KBOX_BPF_NOTIFY = 0, /* SECCOMP_RET_USER_NOTIF (the default) */
    KBOX_BPF_ALLOW,
    KBOX_BPF_EPERM,
    KBOX_BPF_ENOSYS,
    KBOX_BPF_KILL,
};

/*
 * (args[arg] low 32 bits & mask) == value, or one of the nmore values in
 * more[], and, when zero_arg is set, args[zero_arg - 1] entirely 0 (all
 * 64 bits: a NULL pointer) ? match : nomatch.
 */
struct kbox_bpf_rule {
    int nr;
    int arg;
    uint32_t mask;
    uint32_t value;
    enum kbox_bpf_act match;
    enum kbox_bpf_act nomatch;
    const uint32_t *more;
    int nmore;
    int zero_arg; /* 1 + the argument that must be 0 too; 0: none */
};

/* Does @v (args[arg] & mask) match @ru's values? */
static inline int kbox_bpf_rule_matches(const struct kbox_bpf_rule *ru,
                                        uint32_t v)
{
    if (v == ru->value)
        return 1;
    for (int i = 0; i < ru->nmore; i++)
        if (v == ru->more[i])
            return 1;
    return 0;
}

struct kbox_bpf_spec {
    uint32_t arch;            /* AUDIT_ARCH_* ; others are killed */
    int nr_count;             /* acts[] covers 0..nr_count-1 */
    const uint8_t *acts;      /* enum kbox_bpf_act per syscall number */
    enum kbox_bpf_act beyond; /* numbers >= nr_count */
    const struct kbox_bpf_rule *rules; /* at most one per nr */
    int nrules;
};

#define KBOX_BPF_MAX_INSNS 4096

/* Seccomp return value for an action. */
uint32_t kbox_bpf_ret(enum kbox_bpf_act a);

/* Build the program into @out (capacity @max). Returns length or -1. */
int kbox_bpf_build(const struct kbox_bpf_spec *spec, struct sock_filter *out,
                   int max);

#endif
