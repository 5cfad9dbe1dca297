/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipcchan(1): shared helpers of the command-line tool.
 */
#ifndef IPCCHAN_CLI_H
#define IPCCHAN_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "ipcchan.h"

/* Exit statuses, documented in --help. */
#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_USAGE	2

#define MODULE_NAME	"ipcchan"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;	/* one-line synopsis after the name */
	const char *summary;	/* one line for the command list */
	const char *help;	/* options and details */
};

/* The command being run, for messages ("ipcchan: <cmd>: ..."). */
extern const char *cur_cmd;

void msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int chan_fail(const char *name, int err);
const char *errname(int err);
const char *quote(const char *s);
void print_cmd_help(const struct cmd *c);
const struct cmd *find_cmd(const char *name);

int parse_u32(const char *opt, const char *s, uint32_t *out, int allow_suffix);
int parse_mode(const char *opt, const char *s, uint32_t *out);
int parse_duration(const char *opt, const char *s, int64_t *out);
int check_name(const char *name);

/* getopt_long wrapper: reports unknown options and missing values. */
struct option;
int next_opt(int argc, char **argv, const char *shortopts,
	     const struct option *longopts);

int cmd_create(int argc, char **argv);
int cmd_send(int argc, char **argv);
int cmd_recv(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_unload(int argc, char **argv);
int cmd_status(int argc, char **argv);

/* next_opt() results besides option characters */
#define OPT_HELP	'h'
#define OPT_BAD		-2

#endif /* IPCCHAN_CLI_H */
