/* SPDX-License-Identifier: MIT */
/*
 * Host-side syscall policy of the seccomp tier: which host syscall numbers
 * the BPF filter ALLOWs outright (host-only, never need a look), which it
 * denies with EPERM, and which it hands to the supervisor (everything
 * else, including unknown numbers, which the dispatcher answers ENOSYS
 * and counts).
 */
#ifndef KBOX_POLICY_H
#define KBOX_POLICY_H

#include "kbox/bpf.h"

#define KBOX_NR_COUNT 512

/* Fill @spec (static storage) with the guest filter policy. */
void kbox_policy_spec(struct kbox_bpf_spec *spec);

/* Disposition the filter gives @nr with no argument rule applied. */
enum kbox_bpf_act kbox_policy_act(long nr);

/* Syscall name for traces ("?" when unknown). */
const char *kbox_syscall_name(long nr);

#endif
