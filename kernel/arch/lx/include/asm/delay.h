/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LX_DELAY_H
#define _ASM_LX_DELAY_H

/* Delays busy-wait on host time. */
void __delay(unsigned long loops);
void __udelay(unsigned long usecs);
void __ndelay(unsigned long nsecs);
#define udelay(n)	__udelay(n)
#define ndelay(n)	__ndelay(n)

#endif
