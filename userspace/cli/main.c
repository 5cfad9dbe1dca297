// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan(1): command-line front end to /dev/ipcchan channels and the
 * ipcchan module.  This file holds the command table, --help/--version and
 * the helpers every subcommand shares: message formatting with errno
 * names, safe quoting of untrusted strings, and strict number parsing.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#ifndef IPCCHAN_VERSION
#define IPCCHAN_VERSION IPCCHAN_LIB_VERSION
#endif

const char *cur_cmd;

static const struct cmd cmds[] = {
	{ "create", cmd_create, "[OPTIONS] NAME",
	  "create a channel",
	  "  -m, --mode MODE          permission bits, octal (default 0660)\n"
	  "  -M, --max-msgs N         queue depth (default: module default)\n"
	  "  -s, --max-msg-size N     largest message in bytes, K/M suffix ok\n"
	  "  -r, --ring-pages N       shared ring pages, a power of two (default 0)\n"
	  "  -x, --excl               fail if the channel already exists\n"
	  "An existing channel is left as it is (a note says so) unless --excl.\n" },
	{ "send", cmd_send, "[OPTIONS] NAME [MESSAGE...]",
	  "send messages",
	  "  -p, --prio N             priority 0..31, higher first (default 0)\n"
	  "  -t, --timeout T          wait at most T for room: 1.5, 200ms, 50us, 2s\n"
	  "                           (default: wait as long as needed)\n"
	  "  -N, --nonblock           fail at once when the queue is full\n"
	  "  -f, --file FILE          send the whole FILE as one message (- = stdin)\n"
	  "Each MESSAGE argument is one message.  With no MESSAGE and no --file,\n"
	  "each line of standard input is one message (without its newline).\n" },
	{ "recv", cmd_recv, "[OPTIONS] NAME",
	  "receive messages",
	  "  -n, --count N            receive N messages (default 1); 0 = all queued\n"
	  "                           now, without waiting\n"
	  "  -t, --timeout T          wait at most T for each message\n"
	  "  -N, --nonblock           fail at once when the queue is empty\n"
	  "  -j, --json               one JSON object per message (seq, prio, pid,\n"
	  "                           uid, len, and data or hex)\n"
	  "  -x, --hex                payload in hexadecimal\n"
	  "  -r, --raw                payload bytes only, no newline after each\n"
	  "By default each payload is written followed by a newline.\n" },
	{ "stat", cmd_stat, "[OPTIONS] NAME",
	  "show one channel's attributes and counters",
	  "  -j, --json               print one JSON object\n"
	  "attached does not count the file ipcchan stat itself attaches.\n" },
	{ "ls", cmd_ls, "[OPTIONS]",
	  "list all channels (like ipcs)",
	  "  -n, --numeric            numeric owner and group\n"
	  "  -j, --json               print a JSON array\n" },
	{ "rm", cmd_rm, "[OPTIONS] NAME...",
	  "remove channels (like ipcrm)",
	  "  -a, --all                remove every channel you may remove\n"
	  "Attached processes keep the channel until they close it.\n" },
	{ "load", cmd_load, "[PATH] [PARAM=VALUE...]",
	  "load the ipcchan module (libkmod)",
	  "PATH is a .ko file; without it the installed module 'ipcchan' is used.\n"
	  "PARAM=VALUE pairs are module parameters (see 'ipcchan status').\n" },
	{ "unload", cmd_unload, "",
	  "unload the ipcchan module (libkmod)",
	  "Fails while any process has /dev/ipcchan open (it says how many).\n" },
	{ "status", cmd_status, "",
	  "show whether the module is loaded, its parameters and limits",
	  "Exit status 1 when the module is not loaded.\n" },
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

const struct cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < NCMDS; i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

static void vmsg(const char *fmt, va_list ap)
{
	fflush(stdout);
	if (cur_cmd)
		fprintf(stderr, "ipcchan: %s: ", cur_cmd);
	else
		fputs("ipcchan: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	return EXIT_FAIL;
}

int usage_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	if (cur_cmd)
		fprintf(stderr, "Try 'ipcchan %s --help'.\n", cur_cmd);
	else
		fputs("Try 'ipcchan --help'.\n", stderr);
	return EXIT_USAGE;
}

const char *errname(int err)
{
	const char *s;

	if (err < 0)
		err = -err;
	s = strerrorname_np(err);
	return s ? s : "E?";
}

/*
 * Printable rendering of an untrusted string: non-printable bytes (and
 * bytes >= 0x80) as \xNN, quotes and backslashes escaped, long strings cut.
 * Returns one of a few rotating static buffers (enough for one message).
 */
const char *quote(const char *s)
{
	static char bufs[4][300];
	static int next;
	char *b = bufs[next++ & 3];
	size_t o = 0, i;

	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (o > sizeof(bufs[0]) - 10) {
			strcpy(b + o, "...");
			return b;
		}
		if (c == '\'' || c == '\\')
			o += (size_t)sprintf(b + o, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			o += (size_t)sprintf(b + o, "\\x%02x", c);
		else
			b[o++] = (char)c;
	}
	b[o] = '\0';
	return b;
}

/*
 * The message for a failed channel operation: names the channel and the
 * cause, then the errno name.  Returns EXIT_FAIL.
 */
int chan_fail(const char *name, int err)
{
	const char *q = quote(name);

	switch (-err) {
	case ENODEV:
		return fail("module not loaded: no %s (ENODEV)", IPCCHAN_DEVICE);
	case ENOENT:
		return fail("no channel '%s' (ENOENT)", q);
	case EEXIST:
		return fail("channel '%s' already exists (EEXIST)", q);
	case EACCES:
		return fail("permission denied on channel '%s' (EACCES)", q);
	case EPERM:
		return fail("not the owner of channel '%s' (EPERM)", q);
	case EMSGSIZE:
		return fail("message too long for channel '%s' (EMSGSIZE)", q);
	case ETIMEDOUT:
		return fail("timed out on channel '%s' (ETIMEDOUT)", q);
	case ENOSPC:
		return fail("no room for channel '%s': channel or byte limit reached (ENOSPC)",
			    q);
	case EINTR:
		return fail("interrupted on channel '%s' (EINTR)", q);
	default:
		return fail("channel '%s': %s (%s)", q, strerror(-err),
			    errname(err));
	}
}

int check_name(const char *name)
{
	if (!ipcchan_name_valid(name))
		return usage_err("invalid channel name '%s': use 1..%d characters of A-Z a-z 0-9 . _ -",
				 quote(name), IPCCHAN_NAME_MAX - 1);
	return 0;
}

/* Decimal u32, optionally with a K/M/G (binary) suffix. */
int parse_u32(const char *opt, const char *s, uint32_t *out, int allow_suffix)
{
	unsigned long long v, mul = 1;
	char *end;

	if (*s < '0' || *s > '9')
		goto bad;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		goto bad;
	if (allow_suffix && *end && !end[1]) {
		switch (*end) {
		case 'k': case 'K': mul = 1ULL << 10; end++; break;
		case 'm': case 'M': mul = 1ULL << 20; end++; break;
		case 'g': case 'G': mul = 1ULL << 30; end++; break;
		}
	}
	if (*end || v > UINT32_MAX / mul)
		goto bad;
	*out = (uint32_t)(v * mul);
	return 0;
bad:
	return usage_err("invalid %s '%s': expected a number from 0 to %u",
			 opt, quote(s), UINT32_MAX);
}

int parse_mode(const char *opt, const char *s, uint32_t *out)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '7')
		goto bad;
	errno = 0;
	v = strtoul(s, &end, 8);
	if (errno || *end || v > 0777)
		goto bad;
	*out = (uint32_t)v;
	return 0;
bad:
	return usage_err("invalid %s '%s': expected octal permission bits 0..0777",
			 opt, quote(s));
}

/* "1.5" (seconds), "200ms", "50us", "10ns", "2s", "1m" -> nanoseconds */
int parse_duration(const char *opt, const char *s, int64_t *out)
{
	static const struct { const char *sfx; double mul; } units[] = {
		{ "", 1e9 }, { "s", 1e9 }, { "ms", 1e6 }, { "us", 1e3 },
		{ "ns", 1 }, { "m", 60e9 },
	};
	double v;
	char *end;
	size_t i;

	if ((*s < '0' || *s > '9') && *s != '.')
		goto bad;
	errno = 0;
	v = strtod(s, &end);
	if (errno || !isfinite(v) || v < 0)
		goto bad;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcmp(end, units[i].sfx)) {
			v *= units[i].mul;
			if (v >= 9.2e18)
				goto bad;
			*out = (int64_t)v;
			return 0;
		}
	}
bad:
	return usage_err("invalid %s '%s': expected a duration like 1.5, 200ms, 50us",
			 opt, quote(s));
}

int next_opt(int argc, char **argv, const char *shortopts,
	     const struct option *longopts)
{
	int c = getopt_long(argc, argv, shortopts, longopts, NULL);

	if (c == '?') {
		const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";

		if (!strncmp(arg, "--", 2))
			usage_err("unknown option or unexpected value '%s'",
				  quote(arg));
		else if (optopt)
			usage_err("unknown option '-%c'", optopt);
		else
			usage_err("unknown option '%s'", quote(argv[optind - 1]));
		return OPT_BAD;
	}
	if (c == ':') {
		usage_err("option '%s' needs a value", quote(argv[optind - 1]));
		return OPT_BAD;
	}
	return c;
}

void print_cmd_help(const struct cmd *c)
{
	printf("Usage: ipcchan %s %s\n%c%s.\n\n", c->name, c->args,
	       toupper((unsigned char)c->summary[0]), c->summary + 1);
	printf("Options:\n  -h, --help               show this help\n%s",
	       c->help);
	printf("\nExit status: 0 success, 1 operation failed, 2 usage error.\n");
}

static void print_help(void)
{
	size_t i;

	printf("Usage: ipcchan [--help | --version] COMMAND [ARGS...]\n"
	       "Named IPC channels on %s: create, send, receive, inspect, and\n"
	       "load the kernel module.\n\nCommands:\n", IPCCHAN_DEVICE);
	for (i = 0; i < NCMDS; i++)
		printf("  %-8s %s\n", cmds[i].name, cmds[i].summary);
	printf("  %-8s %s\n", "help", "show the help of a command");
	printf("\n'ipcchan COMMAND --help' shows a command's options.\n\n"
	       "Exit status:\n"
	       "  0  success\n"
	       "  1  the operation failed (the message names the cause and errno)\n"
	       "  2  usage error (bad command, option or argument)\n");
}

int main(int argc, char **argv)
{
	const struct cmd *c;

	opterr = 0;
	if (argc < 2)
		return usage_err("missing command");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		print_help();
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("ipcchan %s (libipcchan %s, ABI %d)\n", IPCCHAN_VERSION,
		       ipcchan_lib_version(), IPCCHAN_ABI_VERSION);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "help")) {
		if (argc < 3) {
			print_help();
			return EXIT_OK;
		}
		c = find_cmd(argv[2]);
		if (!c)
			return usage_err("unknown command '%s'", quote(argv[2]));
		print_cmd_help(c);
		return EXIT_OK;
	}
	if (argv[1][0] == '-')
		return usage_err("unknown option '%s'", quote(argv[1]));
	c = find_cmd(argv[1]);
	if (!c)
		return usage_err("unknown command '%s'", quote(argv[1]));
	cur_cmd = c->name;
	optind = 0;	/* full getopt reinitialisation for the subcommand */
	return c->fn(argc - 1, argv + 1);
}
