/* SPDX-License-Identifier: MIT */
/*
 * cli.c - small subcommands that need no server wiring.
 */
#include "base/base.h"
#include "cli.h"

#ifndef HARK_VERSION
#define HARK_VERSION "0.1.0"
#endif

int
cli_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("hark %s\n", HARK_VERSION);
    return 0;
}
