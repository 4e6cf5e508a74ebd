/* SPDX-License-Identifier: MIT */
/*
 * cli.h - the subcommands of the `hark` binary.
 *
 * Each entry point gets argv with argv[0] set to the subcommand name, returns the process exit
 * status (0 ok, 1 failure, 2 usage error), and prints its own --help.
 */
#ifndef HARK_CLI_H
#define HARK_CLI_H

typedef int cli_fn(int argc, char **argv);

struct cli_command {
    const char *name;
    const char *summary;
    cli_fn *run;
};

int cli_version(int argc, char **argv);
int cli_serve(int argc, char **argv);
int cli_agent(int argc, char **argv);
int cli_token(int argc, char **argv);
int cli_channel(int argc, char **argv);
int cli_demo(int argc, char **argv);
int cli_backup(int argc, char **argv);
int cli_restore(int argc, char **argv);
int cli_migrate(int argc, char **argv);
/* `hark doctor` (doctor.c): checks a deployment; 1 when a check fails. */
int cli_doctor(int argc, char **argv);
/* `hark model ...`: retrain here (it needs the store), the rest in classify/. */
int cli_model(int argc, char **argv);
int cli_retrain(int argc, char **argv);

#endif
