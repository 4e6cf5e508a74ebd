/* SPDX-License-Identifier: MIT */
/*
 * main.c - the `hark` command: dispatches subcommands; wiring only.
 *
 * Each subcommand is one row in 'commands'. Server wiring (struct app) lives in app.c.
 */
#include "base/base.h"

#include "classify/classify.h"
#include "cli.h"
#include "listen/listen.h"

static const struct cli_command commands[] = {
    /* name, summary, entry point: keep this table sorted by name. */
    { "agent", "add, disable, enable an agent or set its password", cli_agent },
    { "backup", "write a consistent copy of the database, online", cli_backup },
    { "channel", "add a channel and print its webhook URL and secret", cli_channel },
    { "demo", "run Hark with a seeded demo brand and simulated customers", cli_demo },
    { "doctor", "check a deployment and say what to fix", cli_doctor },
    { "listen", "match listening queries against a firehose or saved posts", listen_cli_main },
    { "migrate", "copy the SQLite store into an empty PostgreSQL one, verified", cli_migrate },
    { "model", "train, evaluate and run triage models", cli_model },
    { "restore", "replace the database with a backup (server stopped)", cli_restore },
    { "serve", "run the server", cli_serve },
    { "token", "create, list or revoke API tokens for integrations", cli_token },
    { "version", "print the version, git revision and build options", cli_version },
};

static void
usage(FILE *f)
{
    fprintf(f, "usage: hark <command> [options]\n\n"
               "Hark is a self-hosted social customer care server.\n\ncommands:\n");
    for (size_t i = 0; i < COUNTOF(commands); i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nRun `hark <command> --help` for a command's options.\n");
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0)
        return cli_version(argc - 1, argv + 1);
    for (size_t i = 0; i < COUNTOF(commands); i++) {
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    }
    fprintf(stderr, "hark: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
