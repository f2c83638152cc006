/* SPDX-License-Identifier: MIT */
/*
 * The ktest implementation as an object file, plus a default main() that
 * runs every registered test. A test file that wants its own main() just
 * defines one (this one is weak).
 */
#define KTEST_IMPLEMENTATION
#include "ktest.h"

__attribute__((weak)) int main(int argc, char **argv)
{
    return ktest_main(argc, argv);
}
