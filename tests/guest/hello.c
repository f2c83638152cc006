/* SPDX-License-Identifier: MIT */
/* The smallest guest: prints a line and its arguments, exits 0. */
#include <stdio.h>

int main(int argc, char **argv)
{
    printf("hello from kbox guest");
    for (int i = 1; i < argc; i++)
        printf(" %s", argv[i]);
    putchar('\n');
    return 0;
}
