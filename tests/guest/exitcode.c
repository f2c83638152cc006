/* SPDX-License-Identifier: MIT */
/*
 * exitcode N      exit with status N
 * exitcode -s SIG kill itself with signal SIG (kbox must exit 128+SIG)
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "-s") == 0) {
        int sig = atoi(argv[2]);
        signal(sig, SIG_DFL);
        raise(sig);
        return 125; /* the signal did not kill us */
    }
    if (argc == 2)
        return atoi(argv[1]);
    fprintf(stderr, "usage: exitcode N | exitcode -s SIGNAL\n");
    return 2;
}
