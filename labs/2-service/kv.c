// SPDX-License-Identifier: GPL-2.0
/*
 * kv: one request to a kv_server, from the shell (lab 2).
 *
 *   kv -n NAME [-i ID] get KEY | put KEY VALUE | del KEY | incr KEY [N]
 *   kv -n NAME [-i ID] stats | snapshot | shutdown
 *   kv -n NAME [-i ID] stuck
 *
 * "stuck" plays a client that stops reading: its reply channel holds one
 * reply, it sends two PUTs (keys stuck.1, stuck.2), prints its pid and
 * waits to be killed, leaving its channel behind.
 *
 * ID is the client id (default: the pid).  Exit status: 0 the server
 * answered KV_OK, 1 it answered something else or did not answer, 2 usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ipcchan.h>

#include "kv_client.h"

static const char *const status_name[] = {
	[KV_OK] = "ok", [KV_NOTFOUND] = "not found", [KV_EINVAL] = "invalid",
	[KV_ENOSYS] = "not implemented", [KV_EPERM] = "not permitted",
	[KV_EIO] = "journal error", [KV_ENOSPC] = "table full",
	[KV_ERANGE] = "not a number",
};

static void usage(void)
{
	fprintf(stderr,
		"usage: kv -n NAME [-i ID] get KEY | put KEY VALUE | del KEY | incr KEY [N]\n"
		"       kv -n NAME [-i ID] stats | snapshot | shutdown | stuck\n");
	exit(2);
}

/* Two PUTs, no reading: the second reply finds the channel full. */
static int stuck(const char *name, uint32_t id)
{
	struct kv_request q;
	struct kv_client c;
	int i, r;

	r = kv_connect(&c, name, id, 1);
	if (r < 0)
		return r;
	for (i = 1; i <= 2; i++) {
		kv_request_init(&q, KV_PUT, i == 1 ? "stuck.1" : "stuck.2");
		q.vlen = 1;
		q.val[0] = (char)('0' + i);
		r = kv_send(&c, &q, 0);
		if (r < 0)
			return r;
	}
	printf("kv: client %u (pid %d) sent 2 requests and reads nothing; kill -9 %d\n",
	       id, (int)getpid(), (int)getpid());
	fflush(stdout);
	for (;;)
		pause();
}

static int report(const char *what, int r)
{
	if (r < 0)
		fprintf(stderr, "kv: %s: %s\n", what, ipcchan_strerror(r));
	else if (r != KV_OK)
		fprintf(stderr, "kv: %s: %s\n", what,
			r < (int)(sizeof(status_name) / sizeof(status_name[0])) &&
			status_name[r] ? status_name[r] : "unknown status");
	return r == KV_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *name = NULL, *cmd;
	uint32_t id = (uint32_t)getpid(), vlen;
	struct kv_client c;
	struct kv_reply a;
	char val[KV_VAL_MAX];
	int64_t now;
	int opt, r, n;

	while ((opt = getopt(argc, argv, "n:i:")) != -1) {
		switch (opt) {
		case 'n':
			name = optarg;
			break;
		case 'i':
			id = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		default:
			usage();
		}
	}
	if (!name || optind >= argc)
		usage();
	cmd = argv[optind];
	n = argc - optind - 1;
	if (!strcmp(cmd, "stuck") && n == 0)
		return report(cmd, stuck(name, id));
	r = kv_connect(&c, name, id, 0);
	if (r < 0) {
		fprintf(stderr, "kv: connect to %s: %s\n", name,
			ipcchan_strerror(r));
		return 1;
	}
	if (!strcmp(cmd, "get") && n == 1) {
		r = kv_get(&c, argv[optind + 1], val, &vlen);
		if (r == KV_OK)
			printf("%.*s\n", (int)vlen, val);
	} else if (!strcmp(cmd, "put") && n == 2) {
		r = kv_puts(&c, argv[optind + 1], argv[optind + 2]);
	} else if (!strcmp(cmd, "del") && n == 1) {
		r = kv_del(&c, argv[optind + 1]);
	} else if (!strcmp(cmd, "incr") && (n == 1 || n == 2)) {
		r = kv_incr(&c, argv[optind + 1],
			    n == 2 ? strtoll(argv[optind + 2], NULL, 0) : 1, &now);
		if (r == KV_OK)
			printf("%" PRId64 "\n", now);
	} else if (!strcmp(cmd, "stats") && n == 0) {
		r = kv_admin(&c, KV_STATS, &a);
		if (r == KV_OK)
			printf("received %" PRIu64 "\napplied %" PRIu64
			       "\nduplicates %" PRIu64 "\nreplies %" PRIu64
			       "\nreplies_dropped %" PRIu64
			       "\nclients_gone %" PRIu64 "\nkeys %" PRIu64
			       "\nrecovered %" PRIu64 "\n",
			       a.stats.received, a.stats.applied,
			       a.stats.duplicates, a.stats.replies,
			       a.stats.replies_dropped, a.stats.clients_gone,
			       a.stats.keys, a.stats.recovered);
	} else if (!strcmp(cmd, "snapshot") && n == 0) {
		r = kv_admin(&c, KV_SNAPSHOT, &a);
	} else if (!strcmp(cmd, "shutdown") && n == 0) {
		r = kv_admin(&c, KV_SHUTDOWN, &a);
	} else {
		kv_disconnect(&c);
		usage();
	}
	kv_disconnect(&c);
	return report(cmd, r);
}
