// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * libipcchan: the system-wide channel listing, parsed from /proc/ipcchan.
 *
 * The first line names the columns; every other line is one channel with
 * whitespace-separated fields in that order.  Columns are matched by name,
 * so a kernel that adds columns (anywhere) does not break older tools.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum col {
	COL_NAME, COL_UID, COL_GID, COL_MODE, COL_MSGS, COL_BYTES,
	COL_MAX_MSGS, COL_MAX_MSG_SIZE, COL_SENT, COL_RECEIVED, COL_ATTACHED,
	COL_RING_PAGES, COL_STATE, COL_UNKNOWN,
};

static const char *const col_names[COL_UNKNOWN] = {
	[COL_NAME] = "name",		[COL_UID] = "uid",
	[COL_GID] = "gid",		[COL_MODE] = "mode",
	[COL_MSGS] = "msgs",		[COL_BYTES] = "bytes",
	[COL_MAX_MSGS] = "max_msgs",	[COL_MAX_MSG_SIZE] = "max_msg_size",
	[COL_SENT] = "sent",		[COL_RECEIVED] = "received",
	[COL_ATTACHED] = "attached",	[COL_RING_PAGES] = "ring_pages",
	[COL_STATE] = "state",
};

#define MAX_COLS 64

static enum col col_lookup(const char *tok)
{
	int i;

	for (i = 0; i < COL_UNKNOWN; i++)
		if (!strcmp(tok, col_names[i]))
			return (enum col)i;
	return COL_UNKNOWN;
}

/* Strict unsigned parse of a whole token; base 8 or 10. */
static int parse_u64(const char *s, int base, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EBADMSG;
	for (; *s; s++) {
		unsigned int d = (unsigned int)(*s - '0');

		if (d >= (unsigned int)base)
			return -EBADMSG;
		if (v > (max - d) / (uint64_t)base)
			return -EBADMSG;
		v = v * (uint64_t)base + d;
	}
	*out = v;
	return 0;
}

static int parse_field(struct ipcchan_entry *e, enum col c, const char *tok)
{
	uint64_t v;
	int ret;

	switch (c) {
	case COL_NAME:
		if (strlen(tok) >= IPCCHAN_NAME_MAX)
			return -EBADMSG;
		strcpy(e->name, tok);
		return 0;
	case COL_STATE:
		if (!strcmp(tok, "unlinked"))
			e->state |= IPCCHAN_STATE_UNLINKED;
		else if (strcmp(tok, "-"))
			return -EBADMSG;
		return 0;
	case COL_UNKNOWN:
		return 0;
	case COL_MODE:
		ret = parse_u64(tok, 8, 07777, &v);
		if (!ret)
			e->mode = (uint32_t)v;
		return ret;
	case COL_MSGS:
	case COL_BYTES:
	case COL_SENT:
	case COL_RECEIVED:
		ret = parse_u64(tok, 10, UINT64_MAX, &v);
		if (ret)
			return ret;
		if (c == COL_MSGS)
			e->msgs = v;
		else if (c == COL_BYTES)
			e->bytes = v;
		else if (c == COL_SENT)
			e->sent = v;
		else
			e->received = v;
		return 0;
	default:
		ret = parse_u64(tok, 10, UINT32_MAX, &v);
		if (ret)
			return ret;
		if (c == COL_UID)
			e->uid = (uint32_t)v;
		else if (c == COL_GID)
			e->gid = (uint32_t)v;
		else if (c == COL_MAX_MSGS)
			e->max_msgs = (uint32_t)v;
		else if (c == COL_MAX_MSG_SIZE)
			e->max_msg_size = (uint32_t)v;
		else if (c == COL_ATTACHED)
			e->attached = (uint32_t)v;
		else
			e->ring_pages = (uint32_t)v;
		return 0;
	}
}

/*
 * Read one line into @buf (IPCCHAN_LIST_LINE_MAX + 1 bytes): 1 and the
 * line, newline included when there is one, 0 at the end of the file, or
 * -errno.  Never reads more than one line buffer ahead.
 */
static int read_line(FILE *f, char *buf)
{
	size_t len;
	int c;

	if (!fgets(buf, IPCCHAN_LIST_LINE_MAX + 1, f))
		return ferror(f) ? -EIO : 0;
	len = strlen(buf);
	if (len && buf[len - 1] == '\n')
		return 1;
	if (len == IPCCHAN_LIST_LINE_MAX) {
		/* Buffer full, no newline: fine only at the end of the file. */
		c = getc(f);
		if (c == EOF)
			return ferror(f) ? -EIO : 1;
		return -EOVERFLOW;
	}
	/* Short and no newline: the last line, or a NUL byte in the line. */
	return feof(f) ? 1 : -EBADMSG;
}

/* The header line: the column of every field; -EBADMSG without NAME. */
static int parse_header(char *line, enum col cols[MAX_COLS])
{
	int ncols = 0, have_name = 0;
	char *tok, *save;

	for (tok = strtok_r(line, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		if (ncols == MAX_COLS)
			return -EBADMSG;
		cols[ncols] = col_lookup(tok);
		if (cols[ncols] == COL_NAME)
			have_name = 1;
		ncols++;
	}
	return have_name ? ncols : -EBADMSG;
}

/* Room for one more entry in *list (*cap entries, n used). */
static int grow(struct ipcchan_entry **list, size_t *cap, size_t n)
{
	size_t ncap = *cap ? *cap * 2 : 16;
	void *p;

	if (n < *cap)
		return 0;
	if (ncap > IPCCHAN_LIST_MAX)
		ncap = IPCCHAN_LIST_MAX;
	p = realloc(*list, ncap * sizeof(**list));
	if (!p)
		return -ENOMEM;
	*list = p;
	*cap = ncap;
	return 0;
}

/* The fields of one line, tok its first, into e. */
static int parse_row(struct ipcchan_entry *e, const enum col *cols, int ncols,
		     char *tok, char **save)
{
	int i = 0, ret;

	memset(e, 0, sizeof(*e));
	for (; tok && i < ncols; tok = strtok_r(NULL, " \t\n", save))
		if ((ret = parse_field(e, cols[i++], tok)))
			return ret;
	/* Fewer fields than the header names: a torn or bad line. */
	return i < ncols ? -EBADMSG : 0;
}

static int parse(FILE *f, struct ipcchan_entry **out)
{
	enum col cols[MAX_COLS];
	struct ipcchan_entry *list = NULL;
	size_t cap = 0, n = 0, lines = 0;
	char *line, *tok, *save;
	int ncols, ret;

	line = malloc(IPCCHAN_LIST_LINE_MAX + 1);
	if (!line)
		return -ENOMEM;
	ret = read_line(f, line);
	if (ret <= 0) {
		ret = ret ? ret : -EBADMSG;
		goto out;
	}
	ncols = ret = parse_header(line, cols);
	if (ret < 0)
		goto out;
	while ((ret = read_line(f, line)) > 0) {
		/* Blank lines count too: no file keeps us reading forever. */
		if (++lines > IPCCHAN_LIST_MAX) {
			ret = -E2BIG;
			goto out;
		}
		tok = strtok_r(line, " \t\n", &save);
		if (!tok)
			continue;	/* blank line */
		ret = grow(&list, &cap, n);
		if (!ret)
			ret = parse_row(&list[n], cols, ncols, tok, &save);
		if (ret)
			goto out;
		n++;
	}
out:
	free(line);
	if (ret) {
		free(list);
		*out = NULL;
		return ret;
	}
	if (!n) {
		free(list);
		list = NULL;
	}
	*out = list;
	return (int)n;
}

__ipc_export int ipcchan_list_path(const char *path, struct ipcchan_entry **out)
{
	FILE *f;
	int ret;

	if (!out)
		return -EFAULT;
	*out = NULL;
	f = fopen(path ? path : IPCCHAN_PROC_LIST, "re");
	if (!f)
		return -errno;
	ret = parse(f, out);
	fclose(f);
	return ret;
}

__ipc_export int ipcchan_list(struct ipcchan_entry **out)
{
	int ret = ipcchan_list_path(NULL, out);

	return ret == -ENOENT ? -ENODEV : ret;
}

__ipc_export void ipcchan_list_free(struct ipcchan_entry *list)
{
	free(list);
}
