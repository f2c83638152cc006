/* SPDX-License-Identifier: MIT */
#ifndef KBOX_GUARD_H
#define KBOX_GUARD_H

/*
 * Start the guard (src/guard/guard.c): a process that kills every guest
 * process kbox holds a pidfd of once kbox has ended, however it ended.
 * 0, or -errno when it could not be started (kbox runs on without it).
 */
int kbox_guard_start(void);

/* The guard's pid, or 0: it keeps the limits kbox was started with. */
int kbox_guard_pid(void);

/* End the guard and reap it: the guest is gone, kbox exits normally. */
void kbox_guard_stop(void);

#endif
