/* SPDX-License-Identifier: MIT */
/*
 * What the seccomp tier's files share: notify.c (the tier's ops, the
 * launch), pool.c (the workers that receive and answer notifications,
 * held exits) and serve.c (the serve loop).
 */
#ifndef KBOX_SECCOMP_POOL_H
#define KBOX_SECCOMP_POOL_H

#include <stdbool.h>

#include "kbox/dispatch.h"

struct sc_tier {
    int listener;
};

/* notify.c: how a request reads and writes its guest, for kbox_req.ops */
extern const struct kbox_tier_ops kbox_sc_ops;

/* pool.c: a handler about to wait for another guest (ops.will_block) */
void kbox_sc_will_block(struct kbox_req *r);
/* A fresh pool for @listener with its first worker; false if no worker
 * could be started. */
bool kbox_sc_pool_start(int listener);
/* The guest is gone: let the held exits go, wait (bounded) for the
 * requests in flight. */
void kbox_sc_pool_end(void);

#endif
