/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LX_STRING_H
#define _ASM_LX_STRING_H
/* The generic lib/string.c implementations are used. */
#endif
