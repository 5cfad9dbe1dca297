// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan(1): the channel commands (create, send, recv, stat, ls, rm),
 * each a short use of libipcchan.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define HELP_OPT { "help", no_argument, NULL, 'h' }

/* Handle the option loop's -h and errors; returns -1 to go on. */
static int opt_common(int c)
{
	if (c == OPT_BAD)
		return EXIT_USAGE;
	if (c == 'h') {
		print_cmd_help(find_cmd(cur_cmd));
		return EXIT_OK;
	}
	return usage_err("unhandled option");
}

/* Exactly one NAME left in argv[optind..]: check it and return it. */
static const char *one_name(int argc, char **argv, int *ret)
{
	if (optind >= argc) {
		*ret = usage_err("missing channel name");
		return NULL;
	}
	if (optind + 1 < argc) {
		*ret = usage_err("unexpected argument '%s'",
				 quote(argv[optind + 1]));
		return NULL;
	}
	*ret = check_name(argv[optind]);
	return *ret ? NULL : argv[optind];
}

/* ---- create ------------------------------------------------------------ */

/* The module limit an attribute of @o is above, named with its value. */
static int create_einval(const char *name, const struct ipcchan_opts *o,
			 const struct ipcchan_modinfo *mi)
{
	const char *q = quote(name);

	if (o->max_msgs > mi->max_msgs_limit)
		return fail("cannot create '%s': --max-msgs %u is above the module's max_msgs_limit %u (EINVAL)",
			    q, o->max_msgs, mi->max_msgs_limit);
	if (o->max_msg_size > mi->max_msg_size_limit)
		return fail("cannot create '%s': --max-msg-size %u is above the module's max_msg_size_limit %u (EINVAL)",
			    q, o->max_msg_size, mi->max_msg_size_limit);
	if (o->ring_pages > mi->ring_pages_max)
		return fail("cannot create '%s': --ring-pages %u is above the module's ring_pages_max %u (EINVAL)",
			    q, o->ring_pages, mi->ring_pages_max);
	return fail("invalid attributes for channel '%s' (EINVAL)", q);
}

/*
 * The limit a new channel hit, as far as MODINFO tells: the namespace's
 * channel count, or a byte limit below the least the channel reserves
 * (its messages' payloads and headers, its ring).  The per-user counts
 * are not in MODINFO: those are named, not measured.
 */
static int create_enospc(const char *name, const struct ipcchan_opts *o,
			 const struct ipcchan_modinfo *mi)
{
	unsigned long long msgs = o->max_msgs ? o->max_msgs : mi->default_max_msgs;
	unsigned long long size = o->max_msg_size ? o->max_msg_size :
						    mi->default_max_msg_size;
	unsigned long long need = msgs * (size + mi->msg_overhead) +
				  (o->ring_pages ? o->ring_pages + 1ULL : 0) * mi->page_size;
	const char *q = quote(name);

	if (mi->channels >= mi->max_channels)
		return fail("cannot create '%s': this IPC namespace has %llu channels, its max_channels (ENOSPC)",
			    q, (unsigned long long)mi->channels);
	if (need > mi->user_bytes_limit)
		return fail("cannot create '%s': it reserves at least %llu bytes, above the module's user_bytes_limit %llu (ENOSPC)",
			    q, need, (unsigned long long)mi->user_bytes_limit);
	if (mi->reserved_bytes + need > mi->total_bytes_limit)
		return fail("cannot create '%s': it reserves at least %llu bytes and this IPC namespace has %llu of its total_bytes_limit %llu reserved (ENOSPC)",
			    q, need, (unsigned long long)mi->reserved_bytes,
			    (unsigned long long)mi->total_bytes_limit);
	return fail("cannot create '%s': your channels reached user_channels_limit %u or user_bytes_limit %llu, or all namespaces together the module's global_bytes_limit (ENOSPC)",
		    q, mi->user_channels_limit,
		    (unsigned long long)mi->user_bytes_limit);
}

/* ATTACH refused @o with EINVAL or ENOSPC: say which limit, from MODINFO. */
static int create_refused(const char *name, const struct ipcchan_opts *o,
			  int err)
{
	struct ipcchan_modinfo mi;

	if (ipcchan_modinfo(-1, &mi))
		return chan_fail(name, err);
	if (err == -EINVAL)
		return create_einval(name, o, &mi);
	return create_enospc(name, o, &mi);
}

int cmd_create(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "max-msgs", required_argument, NULL, 'M' },
		{ "max-msg-size", required_argument, NULL, 's' },
		{ "ring-pages", required_argument, NULL, 'r' },
		{ "excl", no_argument, NULL, 'x' },
		HELP_OPT, { 0 }
	};
	struct ipcchan_opts o = { .flags = IPCCHAN_CREATE, .mode = 0660 };
	const char *name;
	int c, ret, fd;

	while ((c = next_opt(argc, argv, ":m:M:s:r:xh", lo)) != -1) {
		switch (c) {
		case 'm':
			if (parse_mode("--mode", optarg, &o.mode))
				return EXIT_USAGE;
			break;
		case 'M':
			if (parse_u32("--max-msgs", optarg, &o.max_msgs, 0))
				return EXIT_USAGE;
			break;
		case 's':
			if (parse_u32("--max-msg-size", optarg, &o.max_msg_size, 1))
				return EXIT_USAGE;
			break;
		case 'r':
			if (parse_u32("--ring-pages", optarg, &o.ring_pages, 0))
				return EXIT_USAGE;
			if (o.ring_pages & (o.ring_pages - 1))
				return usage_err("invalid --ring-pages '%s': expected 0 or a power of two",
						 quote(optarg));
			break;
		case 'x':
			o.flags |= IPCCHAN_EXCL;
			break;
		default:
			return opt_common(c);
		}
	}
	name = one_name(argc, argv, &ret);
	if (!name)
		return ret;

	/* Attach with the access the owner bits grant, so a channel created
	 * read-only or write-only can still be created by a non-root owner.
	 */
	o.access = 0;
	if (o.mode & 0400)
		o.access |= IPCCHAN_ACCESS_RECV;
	if (o.mode & 0200)
		o.access |= IPCCHAN_ACCESS_SEND;
	if (!o.access)
		o.access = IPCCHAN_ACCESS_RECV;

	fd = ipcchan_open_dev(0);
	if (fd < 0)
		return chan_fail(name, fd);
	ret = ipcchan_attach(fd, name, &o);
	ipcchan_close(fd);
	if (ret == -EINVAL || ret == -ENOSPC)
		return create_refused(name, &o, ret);
	if (ret < 0)
		return chan_fail(name, ret);
	if (ret == 0)
		msg("channel '%s' already exists; left unchanged", name);
	return EXIT_OK;
}

/* ---- send -------------------------------------------------------------- */

struct sender {
	int fd;
	const char *name;
	unsigned int prio;
	int64_t timeout;
	uint32_t max;
	unsigned long count;
};

static int send_one(struct sender *s, const void *buf, size_t len)
{
	ssize_t r;

	if (len > s->max)
		return fail("message %lu of %zu bytes is longer than max_msg_size %u of channel '%s' (EMSGSIZE)",
			    s->count + 1, len, s->max, s->name);
	r = ipcchan_send(s->fd, buf, len, s->prio, s->timeout);
	if (r == -EAGAIN)
		return fail("channel '%s' is full (EAGAIN)", s->name);
	if (r < 0)
		return chan_fail(s->name, (int)r);
	s->count++;
	return EXIT_OK;
}

/* Read at most max + 1 bytes of @fd: never more than one message's worth. */
static int send_file(struct sender *s, const char *path)
{
	size_t cap = (size_t)s->max + 1, len = 0;
	char *buf;
	int fd, ret;

	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0)
		return fail("cannot open '%s': %s (%s)", quote(path),
			    strerror(errno), errname(errno));
	buf = malloc(cap);
	if (!buf) {
		ret = fail("out of memory (ENOMEM)");
		goto out;
	}
	while (len < cap) {
		ssize_t n = read(fd, buf + len, cap - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = fail("cannot read '%s': %s (%s)", quote(path),
				   strerror(errno), errname(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > s->max) {
		ret = fail("file '%s' is longer than max_msg_size %u of channel '%s' (EMSGSIZE)",
			   quote(path), s->max, s->name);
		goto out;
	}
	ret = send_one(s, buf, len);
out:
	free(buf);
	if (fd > 0)
		close(fd);
	return ret;
}

/* One message per line of stdin; a line longer than max fails. */
static int send_lines(struct sender *s)
{
	size_t cap = (size_t)s->max + 1, len = 0;
	char *buf = malloc(cap);
	int ch, ret = EXIT_OK;

	if (!buf)
		return fail("out of memory (ENOMEM)");
	while ((ch = getchar()) != EOF) {
		if (ch == '\n') {
			ret = send_one(s, buf, len);
			if (ret)
				goto out;
			len = 0;
			continue;
		}
		if (len == cap - 1) {
			ret = fail("line %lu is longer than max_msg_size %u of channel '%s' (EMSGSIZE)",
				   s->count + 1, s->max, s->name);
			goto out;
		}
		buf[len++] = (char)ch;
	}
	if (ferror(stdin)) {
		ret = fail("cannot read standard input: %s", strerror(errno));
		goto out;
	}
	if (len)	/* last line without a newline */
		ret = send_one(s, buf, len);
out:
	free(buf);
	return ret;
}

int cmd_send(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "prio", required_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 't' },
		{ "nonblock", no_argument, NULL, 'N' },
		{ "file", required_argument, NULL, 'f' },
		HELP_OPT, { 0 }
	};
	struct sender s = { .timeout = IPCCHAN_WAIT_FOREVER };
	struct ipcchan_opts o = { .access = IPCCHAN_ACCESS_SEND };
	struct ipcchan_info info;
	const char *file = NULL;
	int c, ret, nonblock = 0, have_timeout = 0;
	uint32_t prio = 0;

	while ((c = next_opt(argc, argv, ":p:t:Nf:h", lo)) != -1) {
		switch (c) {
		case 'p':
			if (parse_u32("--prio", optarg, &prio, 0))
				return EXIT_USAGE;
			if (prio > IPCCHAN_PRIO_MAX)
				return usage_err("invalid --prio '%s': expected 0..%d",
						 quote(optarg), IPCCHAN_PRIO_MAX);
			break;
		case 't':
			if (parse_duration("--timeout", optarg, &s.timeout))
				return EXIT_USAGE;
			have_timeout = 1;
			break;
		case 'N':
			nonblock = 1;
			break;
		case 'f':
			file = optarg;
			break;
		default:
			return opt_common(c);
		}
	}
	if (nonblock && have_timeout)
		return usage_err("--nonblock and --timeout exclude each other");
	if (nonblock)
		s.timeout = IPCCHAN_NOWAIT;
	if (optind >= argc)
		return usage_err("missing channel name");
	s.name = argv[optind++];
	if (check_name(s.name))
		return EXIT_USAGE;
	if (file && optind < argc)
		return usage_err("--file and MESSAGE arguments exclude each other");
	s.prio = prio;

	s.fd = ipcchan_open(s.name, &o);
	if (s.fd < 0)
		return chan_fail(s.name, s.fd);
	ret = ipcchan_info(s.fd, &info);
	if (ret) {
		ipcchan_close(s.fd);
		return chan_fail(s.name, ret);
	}
	s.max = info.max_msg_size;

	if (file)
		ret = send_file(&s, file);
	else if (optind < argc)
		for (ret = EXIT_OK; optind < argc && !ret; optind++)
			ret = send_one(&s, argv[optind], strlen(argv[optind]));
	else
		ret = send_lines(&s);
	ipcchan_close(s.fd);
	return ret;
}

/* ---- recv -------------------------------------------------------------- */

enum out_fmt { OUT_TEXT, OUT_RAW, OUT_HEX, OUT_JSON, OUT_JSON_HEX };

static int utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t k, need;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (n - i <= need)
			return 0;
		for (k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += need + 1;
	}
	return 1;
}

static void put_hex(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
}

static void put_json_string(const unsigned char *p, size_t n)
{
	size_t i;

	putchar('"');
	for (i = 0; i < n; i++) {
		unsigned char c = p[i];

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void print_msg(enum out_fmt f, const unsigned char *p, size_t n,
		      const struct ipcchan_msginfo *mi)
{
	switch (f) {
	case OUT_TEXT:
		fwrite(p, 1, n, stdout);
		putchar('\n');
		break;
	case OUT_RAW:
		fwrite(p, 1, n, stdout);
		break;
	case OUT_HEX:
		put_hex(p, n);
		putchar('\n');
		break;
	case OUT_JSON:
	case OUT_JSON_HEX:
		printf("{\"seq\":%llu,\"prio\":%u,\"pid\":%u,\"uid\":%u,\"len\":%zu,",
		       (unsigned long long)mi->seq, mi->prio, mi->pid, mi->uid, n);
		if (f == OUT_JSON && utf8_valid(p, n)) {
			fputs("\"data\":", stdout);
			put_json_string(p, n);
		} else {
			fputs("\"hex\":\"", stdout);
			put_hex(p, n);
			putchar('"');
		}
		puts("}");
		break;
	}
}

struct recv_args {
	uint32_t count;		/* messages to print, 0: until empty */
	int64_t timeout;
	enum out_fmt fmt;
};

/* recv's options into *a; returns -1 to go on, else the exit status. */
static int recv_options(int argc, char **argv, struct recv_args *a)
{
	static const struct option lo[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "nonblock", no_argument, NULL, 'N' },
		{ "json", no_argument, NULL, 'j' },
		{ "hex", no_argument, NULL, 'x' },
		{ "raw", no_argument, NULL, 'r' },
		HELP_OPT, { 0 }
	};
	int c, json = 0, hex = 0, raw = 0, nonblock = 0, have_t = 0;

	a->count = 1;
	a->timeout = IPCCHAN_WAIT_FOREVER;
	while ((c = next_opt(argc, argv, ":n:t:Njxrh", lo)) != -1) {
		switch (c) {
		case 'n':
			if (parse_u32("--count", optarg, &a->count, 0))
				return EXIT_USAGE;
			break;
		case 't':
			if (parse_duration("--timeout", optarg, &a->timeout))
				return EXIT_USAGE;
			have_t = 1;
			break;
		case 'N':
			nonblock = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 'x':
			hex = 1;
			break;
		case 'r':
			raw = 1;
			break;
		default:
			return opt_common(c);
		}
	}
	if (nonblock && have_t)
		return usage_err("--nonblock and --timeout exclude each other");
	if (raw && (json || hex))
		return usage_err("--raw excludes --json and --hex");
	if (nonblock || a->count == 0)
		a->timeout = IPCCHAN_NOWAIT;
	a->fmt = json ? (hex ? OUT_JSON_HEX : OUT_JSON) :
		 hex ? OUT_HEX : raw ? OUT_RAW : OUT_TEXT;
	return -1;
}

/* Receive and print a->count messages (0: until empty) of at most cap. */
static int recv_messages(int fd, const char *name, const struct recv_args *a,
			 size_t cap)
{
	struct ipcchan_msginfo mi;
	unsigned char *buf = malloc(cap);
	int ret = EXIT_OK;
	uint32_t i;

	if (!buf)
		return fail("out of memory (ENOMEM)");
	for (i = 0; a->count == 0 || i < a->count; i++) {
		ssize_t n = ipcchan_recv(fd, buf, cap, &mi, a->timeout);

		if (n == -EMSGSIZE && mi.len > cap) {
			/* Cannot happen with cap = max_msg_size; be safe. */
			unsigned char *nb = realloc(buf, mi.len);

			if (!nb) {
				ret = fail("out of memory (ENOMEM)");
				break;
			}
			buf = nb;
			cap = mi.len;
			i--;
			continue;
		}
		if (n == -EAGAIN && a->count == 0)
			break;
		if (n == -EAGAIN) {
			ret = fail("channel '%s' is empty (EAGAIN)", name);
			break;
		}
		if (n == -ETIMEDOUT) {
			ret = fail("timed out waiting for message %u on channel '%s' (ETIMEDOUT)",
				   i + 1, name);
			break;
		}
		if (n < 0) {
			ret = chan_fail(name, (int)n);
			break;
		}
		print_msg(a->fmt, buf, (size_t)n, &mi);
	}
	free(buf);
	return ret;
}

int cmd_recv(int argc, char **argv)
{
	struct ipcchan_opts o = { .access = IPCCHAN_ACCESS_RECV };
	struct ipcchan_info info;
	struct recv_args a;
	const char *name;
	int ret, fd;

	ret = recv_options(argc, argv, &a);
	if (ret >= 0)
		return ret;
	name = one_name(argc, argv, &ret);
	if (!name)
		return ret;
	fd = ipcchan_open(name, &o);
	if (fd < 0)
		return chan_fail(name, fd);
	ret = ipcchan_info(fd, &info);
	if (ret) {
		ipcchan_close(fd);
		return chan_fail(name, ret);
	}
	ret = recv_messages(fd, name, &a,
			    info.max_msg_size ? info.max_msg_size : 1);
	ipcchan_close(fd);
	if (fflush(stdout) || ferror(stdout))
		return fail("write error on standard output: %s", strerror(errno));
	return ret;
}

/* ---- stat -------------------------------------------------------------- */

int cmd_stat(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' }, HELP_OPT, { 0 }
	};
	struct ipcchan_opts o = { .access = IPCCHAN_ACCESS_RECV };
	struct ipcchan_info in;
	const char *name;
	int c, ret, fd, json = 0;
	uint32_t attached;

	while ((c = next_opt(argc, argv, ":jh", lo)) != -1) {
		if (c == 'j')
			json = 1;
		else
			return opt_common(c);
	}
	name = one_name(argc, argv, &ret);
	if (!name)
		return ret;
	fd = ipcchan_open(name, &o);
	if (fd == -EACCES) {
		o.access = IPCCHAN_ACCESS_SEND;
		fd = ipcchan_open(name, &o);
	}
	if (fd < 0)
		return chan_fail(name, fd);
	ret = ipcchan_info(fd, &in);
	ipcchan_close(fd);
	if (ret)
		return chan_fail(name, ret);
	attached = in.attached ? in.attached - 1 : 0;	/* not our own */

	if (json) {
		printf("{\"name\":\"%s\",\"uid\":%u,\"gid\":%u,\"mode\":\"%04o\","
		       "\"max_msgs\":%u,\"max_msg_size\":%u,\"ring_pages\":%u,"
		       "\"msgs\":%llu,\"bytes\":%llu,\"sent\":%llu,\"received\":%llu,"
		       "\"blocked_senders\":%u,\"blocked_receivers\":%u,"
		       "\"attached\":%u,\"mappings\":%u,\"unlinked\":%s}\n",
		       name, in.uid, in.gid, in.mode, in.max_msgs,
		       in.max_msg_size, in.ring_pages,
		       (unsigned long long)in.cur_msgs,
		       (unsigned long long)in.cur_bytes,
		       (unsigned long long)in.sent,
		       (unsigned long long)in.received, in.blocked_senders,
		       in.blocked_receivers, attached, in.mappings,
		       in.state & IPCCHAN_STATE_UNLINKED ? "true" : "false");
	} else {
		printf("name: %s\nuid: %u\ngid: %u\nmode: %04o\n"
		       "max_msgs: %u\nmax_msg_size: %u\nring_pages: %u\n"
		       "msgs: %llu\nbytes: %llu\nsent: %llu\nreceived: %llu\n"
		       "blocked_senders: %u\nblocked_receivers: %u\n"
		       "attached: %u\nmappings: %u\nstate: %s\n",
		       name, in.uid, in.gid, in.mode, in.max_msgs,
		       in.max_msg_size, in.ring_pages,
		       (unsigned long long)in.cur_msgs,
		       (unsigned long long)in.cur_bytes,
		       (unsigned long long)in.sent,
		       (unsigned long long)in.received, in.blocked_senders,
		       in.blocked_receivers, attached, in.mappings,
		       in.state & IPCCHAN_STATE_UNLINKED ? "unlinked" : "-");
	}
	return EXIT_OK;
}

/* ---- ls ---------------------------------------------------------------- */

static const char *user_name(uint32_t uid, int numeric, char *buf, size_t n)
{
	struct passwd *pw = numeric ? NULL : getpwuid(uid);

	if (pw && strlen(pw->pw_name) < n)
		return strcpy(buf, pw->pw_name);
	snprintf(buf, n, "%u", uid);
	return buf;
}

static const char *group_name(uint32_t gid, int numeric, char *buf, size_t n)
{
	struct group *gr = numeric ? NULL : getgrgid(gid);

	if (gr && strlen(gr->gr_name) < n)
		return strcpy(buf, gr->gr_name);
	snprintf(buf, n, "%u", gid);
	return buf;
}

int cmd_ls(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "numeric", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' }, HELP_OPT, { 0 }
	};
	struct ipcchan_entry *list;
	char ub[33], gb[33];
	int c, i, n, json = 0, numeric = 0;

	while ((c = next_opt(argc, argv, ":njh", lo)) != -1) {
		if (c == 'j')
			json = 1;
		else if (c == 'n')
			numeric = 1;
		else
			return opt_common(c);
	}
	if (optind < argc)
		return usage_err("unexpected argument '%s'", quote(argv[optind]));
	n = ipcchan_list(&list);
	if (n == -ENODEV)
		return fail("module not loaded: no %s (ENODEV)", IPCCHAN_PROC_LIST);
	if (n < 0)
		return fail("cannot read %s: %s (%s)", IPCCHAN_PROC_LIST,
			    strerror(-n), errname(n));
	if (json)
		putchar('[');
	else
		printf("%-24s %-10s %-10s %-5s %8s %10s %8s %8s %5s %8s %s\n",
		       "NAME", "OWNER", "GROUP", "MODE", "MSGS", "BYTES",
		       "MAX_MSGS", "MAX_SIZE", "RING", "ATTACHED", "STATE");
	for (i = 0; i < n; i++) {
		const struct ipcchan_entry *e = &list[i];
		const char *st = e->state & IPCCHAN_STATE_UNLINKED ?
				 "unlinked" : "-";

		if (json) {
			printf("%s{\"name\":\"%s\",\"uid\":%u,\"gid\":%u,"
			       "\"mode\":\"%04o\",\"msgs\":%llu,\"bytes\":%llu,"
			       "\"max_msgs\":%u,\"max_msg_size\":%u,"
			       "\"sent\":%llu,\"received\":%llu,\"attached\":%u,"
			       "\"ring_pages\":%u,\"unlinked\":%s}",
			       i ? "," : "", quote(e->name), e->uid, e->gid,
			       e->mode, (unsigned long long)e->msgs,
			       (unsigned long long)e->bytes, e->max_msgs,
			       e->max_msg_size, (unsigned long long)e->sent,
			       (unsigned long long)e->received, e->attached,
			       e->ring_pages,
			       e->state & IPCCHAN_STATE_UNLINKED ? "true" : "false");
			continue;
		}
		printf("%-24s %-10s %-10s %04o %8llu %10llu %8u %8u %5u %8u %s\n",
		       quote(e->name), user_name(e->uid, numeric, ub, sizeof(ub)),
		       group_name(e->gid, numeric, gb, sizeof(gb)), e->mode,
		       (unsigned long long)e->msgs,
		       (unsigned long long)e->bytes, e->max_msgs,
		       e->max_msg_size, e->ring_pages, e->attached, st);
	}
	if (json)
		puts("]");
	ipcchan_list_free(list);
	return EXIT_OK;
}

/* ---- rm ---------------------------------------------------------------- */

static int rm_one(const char *name)
{
	int ret = ipcchan_unlink(name);

	return ret ? chan_fail(name, ret) : EXIT_OK;
}

int cmd_rm(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "all", no_argument, NULL, 'a' }, HELP_OPT, { 0 }
	};
	int c, i, n, all = 0, ret = EXIT_OK;
	struct ipcchan_entry *list;

	while ((c = next_opt(argc, argv, ":ah", lo)) != -1) {
		if (c == 'a')
			all = 1;
		else
			return opt_common(c);
	}
	if (all && optind < argc)
		return usage_err("--all and NAME arguments exclude each other");
	if (!all && optind >= argc)
		return usage_err("missing channel name");
	for (i = optind; i < argc; i++)
		if (check_name(argv[i]))
			return EXIT_USAGE;
	if (!all) {
		for (i = optind; i < argc; i++)
			if (rm_one(argv[i]))
				ret = EXIT_FAIL;
		return ret;
	}
	n = ipcchan_list(&list);
	if (n == -ENODEV)
		return fail("module not loaded: no %s (ENODEV)", IPCCHAN_PROC_LIST);
	if (n < 0)
		return fail("cannot read %s: %s (%s)", IPCCHAN_PROC_LIST,
			    strerror(-n), errname(n));
	for (i = 0; i < n; i++) {
		if (list[i].state & IPCCHAN_STATE_UNLINKED)
			continue;
		if (rm_one(list[i].name))
			ret = EXIT_FAIL;
	}
	ipcchan_list_free(list);
	return ret;
}
