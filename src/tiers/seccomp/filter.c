/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
/* Seccomp BPF filter builder: range compression + balanced search tree. */
#include <errno.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>

#include "kbox/bpf.h"

#define X32_BIT 0x40000000u

uint32_t kbox_bpf_ret(enum kbox_bpf_act a)
{
    switch (a) {
    case KBOX_BPF_ALLOW:
        return SECCOMP_RET_ALLOW;
    case KBOX_BPF_EPERM:
        return SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA);
    case KBOX_BPF_ENOSYS:
        return SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA);
    case KBOX_BPF_KILL:
        return SECCOMP_RET_KILL_PROCESS;
    case KBOX_BPF_NOTIFY:
    default:
        return SECCOMP_RET_USER_NOTIF;
    }
}

struct range {
    uint32_t lo; /* first nr; the range ends where the next begins */
    enum kbox_bpf_act act;
    const struct kbox_bpf_rule *rule; /* single-nr range with a rule */
};

struct emitter {
    struct sock_filter *out;
    int max, n;
    int failed;
};

static int emit(struct emitter *e, struct sock_filter f)
{
    if (e->n >= e->max) {
        e->failed = 1;
        return -1;
    }
    e->out[e->n] = f;
    return e->n++;
}

static void emit_leaf(struct emitter *e, const struct range *r)
{
    const struct kbox_bpf_rule *ru = r->rule;

    if (!ru) {
        emit(e, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
                                             kbox_bpf_ret(r->act)));
        return;
    }
    /* Little-endian low word of args[arg]. */
    emit(e, (struct sock_filter)BPF_STMT(
                BPF_LD | BPF_W | BPF_ABS,
                (uint32_t)(offsetof(struct seccomp_data, args) +
                           8 * (unsigned)ru->arg)));
    emit(e, (struct sock_filter)BPF_STMT(BPF_ALU | BPF_AND | BPF_K, ru->mask));
    /* each value jumps over the rest and the nomatch return */
    for (int k = 0; k <= ru->nmore; k++)
        emit(e, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
                                             k ? ru->more[k - 1] : ru->value,
                                             (uint8_t)(ru->nmore - k + 1), 0));
    emit(e, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
                                         kbox_bpf_ret(ru->nomatch)));
    if (ru->zero_arg > 0) {
        /* and the other argument 0: low word, then high word */
        uint32_t at = (uint32_t)(offsetof(struct seccomp_data, args) +
                                 8 * (unsigned)(ru->zero_arg - 1));

        emit(e, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, at));
        emit(e,
             (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2));
        emit(e, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, at + 4));
        emit(e,
             (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0));
        emit(e, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
                                             kbox_bpf_ret(ru->nomatch)));
    }
    emit(e, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
                                         kbox_bpf_ret(ru->match)));
}

/* Ranges [i, j): the accumulator holds the syscall number. */
static void emit_tree(struct emitter *e, const struct range *r, int i, int j)
{
    int mid, ja;

    if (e->failed)
        return;
    if (j - i == 1) {
        emit_leaf(e, &r[i]);
        return;
    }
    mid = (i + j) / 2;
    /* nr >= r[mid].lo ? (next: jump to right half) : (skip the jump) */
    emit(e, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, r[mid].lo,
                                         0, 1));
    ja = emit(e, (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, 0));
    emit_tree(e, r, i, mid);
    if (e->failed)
        return;
    e->out[ja].k = (uint32_t)(e->n - ja - 1);
    emit_tree(e, r, mid, j);
}

static const struct kbox_bpf_rule *find_rule(const struct kbox_bpf_spec *s,
                                             int nr)
{
    for (int i = 0; i < s->nrules; i++)
        if (s->rules[i].nr == nr)
            return &s->rules[i];
    return NULL;
}

int kbox_bpf_build(const struct kbox_bpf_spec *s, struct sock_filter *out,
                   int max)
{
    struct emitter e = { out, max, 0, 0 };
    struct range *r;
    int nr_ranges = 0;

    if (s->nr_count < 0 || (uint32_t)s->nr_count >= X32_BIT)
        return -1;
    r = calloc((size_t)s->nr_count + 2, sizeof(*r));
    if (!r)
        return -1;
    for (int nr = 0; nr < s->nr_count; nr++) {
        const struct kbox_bpf_rule *ru = find_rule(s, nr);
        enum kbox_bpf_act a = (enum kbox_bpf_act)s->acts[nr];

        if (ru || nr_ranges == 0 || r[nr_ranges - 1].rule ||
            r[nr_ranges - 1].act != a) {
            r[nr_ranges].lo = (uint32_t)nr;
            r[nr_ranges].act = a;
            r[nr_ranges].rule = ru;
            nr_ranges++;
        }
    }
    if (nr_ranges == 0 || r[nr_ranges - 1].rule ||
        r[nr_ranges - 1].act != s->beyond) {
        r[nr_ranges].lo = (uint32_t)s->nr_count;
        r[nr_ranges].act = s->beyond;
        nr_ranges++;
    }

    /*
     * Another architecture's call (int $0x80 from a 64-bit program: the
     * i386 table, whose numbers mean other calls): ENOSYS, never run. It
     * killed the process, where Linux runs it; no ELF of another class
     * is ever exec'd here (ENOEXEC), so only such code meets it.
     */
    emit(&e, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                          offsetof(struct seccomp_data, arch)));
    emit(&e, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, s->arch, 1,
                                          0));
    emit(&e, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
                                          kbox_bpf_ret(KBOX_BPF_ENOSYS)));
    emit(&e, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                          offsetof(struct seccomp_data, nr)));
    /* x32 (and any number with bit 30 set): ENOSYS. */
    emit(&e, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_BIT, 0,
                                          1));
    emit(&e, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
                                          kbox_bpf_ret(KBOX_BPF_ENOSYS)));
    emit_tree(&e, r, 0, nr_ranges);
    free(r);
    return e.failed ? -1 : e.n;
}
