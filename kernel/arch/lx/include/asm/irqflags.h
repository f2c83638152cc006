/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LX_IRQFLAGS_H
#define _ASM_LX_IRQFLAGS_H

/*
 * Interrupt "enable" is one global flag. Host threads raise interrupts by
 * marking them pending; the CPU owner runs them when it enables interrupts.
 */
#define ARCH_IRQ_DISABLED	0
#define ARCH_IRQ_ENABLED	1

unsigned long arch_local_save_flags(void);
void arch_local_irq_restore(unsigned long flags);

#include <asm-generic/irqflags.h>

#endif
