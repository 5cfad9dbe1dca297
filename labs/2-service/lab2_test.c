// SPDX-License-Identifier: GPL-2.0
/*
 * The grader of lab 2: runs kv_server (found next to this program) and
 * talks to it through kv_client.c.  Each test starts its own server, on a
 * channel name and a state directory of its own, and kills it at the end.
 *
 * No test depends on timing: where a test must know that the server has
 * reached some point, it asks (a STATS admin request and its counters),
 * or it stops the server (SIGSTOP, confirmed by waitpid()) while it
 * queues requests.  The only timeouts are upper bounds for a server that
 * never answers.
 *
 *   lab2_test              every test
 *   lab2_test -r service.incr   one (-l lists them)
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ipcchan.h>

#include "kselftest_harness.h"
#include "ipcchan_util.h"

#include "kv_client.h"

#define NSEC		1000000000LL
#define NCLIENTS	4
#define NOPS		50

FIXTURE(service) {
	char name[32];
	char dir[64];
	char server[PATH_MAX];
	pid_t pid;
	struct kv_client c;	/* client 1: the test's own */
};

struct server_args {
	const char *server, *name, *dir;
};

static int exec_server(void *arg)
{
	const struct server_args *a = arg;

	execl(a->server, "kv_server", "-n", a->name, "-d", a->dir, "-t", "200",
	      (char *)NULL);
	return 127;
}

/* Start kv_server; returns its pid (it dies with the test). */
static pid_t start_server(const char *server, const char *name,
			  const char *dir)
{
	struct server_args a = { server, name, dir };

	return ipcchan_spawn(exec_server, &a);
}

/* Wait for the server to answer a STATS request; returns its status. */
static int stats(struct kv_client *c, struct kv_stats *st)
{
	struct kv_reply a;
	int r = kv_admin(c, KV_STATS, &a);

	if (r == KV_OK && st)
		*st = a.stats;
	return r;
}

static void kill_server(pid_t pid)
{
	int status;

	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

/* SIGKILL the server at whatever it is doing, start it again, wait for it. */
static int restart_server(FIXTURE_DATA(service) *self)
{
	kill_server(self->pid);
	self->pid = start_server(self->server, self->name, self->dir);
	if (self->pid < 0)
		return -errno;
	return stats(&self->c, NULL);
}

/* Remove every channel whose name starts with @prefix. */
static void unlink_prefix(const char *prefix)
{
	struct ipcchan_entry *list;
	int i, n = ipcchan_list(&list);

	for (i = 0; i < n; i++)
		if (!strncmp(list[i].name, prefix, strlen(prefix)))
			ipcchan_unlink(list[i].name);
	if (n > 0)
		ipcchan_list_free(list);
}

/* True when a channel called @name exists (named, or unlinked but open). */
static int channel_exists(const char *name)
{
	struct ipcchan_entry *list;
	int i, n = ipcchan_list(&list), found = 0;

	for (i = 0; i < n; i++)
		if (!strcmp(list[i].name, name))
			found = 1;
	if (n > 0)
		ipcchan_list_free(list);
	return found;
}

FIXTURE_SETUP(service)
{
	char *slash;
	ssize_t n;

	self->c.req_fd = self->c.admin_fd = self->c.reply_fd = -1;
	if (!ipcchan_present())
		SKIP(return, "no " IPCCHAN_DEVICE);
	snprintf(self->name, sizeof(self->name), "kv%d", (int)getpid());
	unlink_prefix(self->name);
	snprintf(self->dir, sizeof(self->dir), "/tmp/kv-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	n = readlink("/proc/self/exe", self->server, sizeof(self->server) - 16);
	ASSERT_LT(0, n);
	self->server[n] = '\0';
	slash = strrchr(self->server, '/');
	ASSERT_NE(NULL, slash);
	strcpy(slash + 1, "kv_server");
	ASSERT_EQ(0, access(self->server, X_OK));

	self->pid = start_server(self->server, self->name, self->dir);
	ASSERT_LT(0, self->pid);
	ASSERT_EQ(0, kv_connect(&self->c, self->name, 1, 0)) {
		TH_LOG("the server did not create channel %s", self->name);
	}
	ASSERT_EQ(KV_OK, stats(&self->c, NULL)) {
		TH_LOG("the server does not answer STATS on %s.admin",
		       self->name);
	}
}

FIXTURE_TEARDOWN(service)
{
	char path[128];

	kv_disconnect(&self->c);
	kill_server(self->pid);
	if (self->name[0])
		unlink_prefix(self->name);
	if (self->dir[0] && strcmp(self->dir, "/tmp/kv-XXXXXX")) {
		snprintf(path, sizeof(path), "%s/kv.journal", self->dir);
		unlink(path);
		snprintf(path, sizeof(path), "%s/kv.snap", self->dir);
		unlink(path);
		snprintf(path, sizeof(path), "%s/kv.snap.tmp", self->dir);
		unlink(path);
		rmdir(self->dir);
	}
}

/* GET @key and compare with the string @want. */
static int get_is(struct kv_client *c, const char *key, const char *want)
{
	char val[KV_VAL_MAX + 1];
	uint32_t vlen;
	int r = kv_get(c, key, val, &vlen);

	if (r != KV_OK)
		return r;
	val[vlen] = '\0';
	if (strcmp(val, want)) {
		fprintf(stderr, "# %s is '%s', expected '%s'\n", key, val, want);
		return -EBADMSG;
	}
	return KV_OK;
}

/* --- basic ----------------------------------------------------------------- */

TEST_F(service, put_get)
{
	unsigned char bin[KV_VAL_MAX], got[KV_VAL_MAX];
	uint32_t vlen;
	int i;

	ASSERT_EQ(KV_OK, kv_puts(&self->c, "color", "red"));
	ASSERT_EQ(KV_OK, get_is(&self->c, "color", "red"));
	ASSERT_EQ(KV_OK, kv_puts(&self->c, "color", "blue"));
	ASSERT_EQ(KV_OK, get_is(&self->c, "color", "blue"));
	for (i = 0; i < KV_VAL_MAX; i++)
		bin[i] = (unsigned char)(i * 37);
	ASSERT_EQ(KV_OK, kv_put(&self->c, "bin", bin, sizeof(bin)));
	ASSERT_EQ(KV_OK, kv_get(&self->c, "bin", (char *)got, &vlen));
	ASSERT_EQ(sizeof(bin), vlen);
	ASSERT_EQ(0, memcmp(bin, got, sizeof(bin)));
	ASSERT_EQ(KV_OK, kv_put(&self->c, "empty", "", 0));
	ASSERT_EQ(KV_OK, get_is(&self->c, "empty", ""));
}

TEST_F(service, get_missing)
{
	char val[KV_VAL_MAX];
	uint32_t vlen;

	ASSERT_EQ(KV_NOTFOUND, kv_get(&self->c, "nothing", val, &vlen));
}

TEST_F(service, bad_requests)
{
	struct kv_request q;
	struct kv_reply a;

	kv_request_init(&q, KV_PUT, NULL);
	memset(q.key, 'k', sizeof(q.key));	/* no NUL */
	EXPECT_EQ(KV_EINVAL, kv_call(&self->c, &q, &a, 0));
	kv_request_init(&q, KV_PUT, "k");
	q.vlen = KV_VAL_MAX + 1;
	EXPECT_EQ(KV_EINVAL, kv_call(&self->c, &q, &a, 0));
	kv_request_init(&q, 99, "k");
	EXPECT_EQ(KV_ENOSYS, kv_call(&self->c, &q, &a, 0));
	/* Admin requests are for the admin channel only. */
	kv_request_init(&q, KV_SHUTDOWN, NULL);
	EXPECT_EQ(KV_EPERM, kv_call(&self->c, &q, &a, 0));
	ASSERT_EQ(KV_OK, kv_puts(&self->c, "still", "here"));
}

TEST_F(service, delete)
{
	char val[KV_VAL_MAX];
	uint32_t vlen;

	ASSERT_EQ(KV_OK, kv_puts(&self->c, "gone", "soon"));
	ASSERT_EQ(KV_OK, kv_puts(&self->c, "kept", "yes"));
	ASSERT_EQ(KV_OK, kv_del(&self->c, "gone"));
	ASSERT_EQ(KV_NOTFOUND, kv_get(&self->c, "gone", val, &vlen));
	ASSERT_EQ(KV_NOTFOUND, kv_del(&self->c, "gone"));
	ASSERT_EQ(KV_OK, get_is(&self->c, "kept", "yes"));
	ASSERT_EQ(KV_OK, kv_puts(&self->c, "gone", "back"));
	ASSERT_EQ(KV_OK, get_is(&self->c, "gone", "back"));
}

TEST_F(service, incr)
{
	int64_t now = 0;

	ASSERT_EQ(KV_OK, kv_incr(&self->c, "n", 5, &now));
	ASSERT_EQ(5, now);
	ASSERT_EQ(KV_OK, kv_incr(&self->c, "n", -7, &now));
	ASSERT_EQ(-2, now);
	ASSERT_EQ(KV_OK, get_is(&self->c, "n", "-2"));
	ASSERT_EQ(KV_OK, kv_puts(&self->c, "ten", "10"));
	ASSERT_EQ(KV_OK, kv_incr(&self->c, "ten", 1, &now));
	ASSERT_EQ(11, now);
	ASSERT_EQ(KV_OK, kv_puts(&self->c, "word", "abc"));
	ASSERT_EQ(KV_ERANGE, kv_incr(&self->c, "word", 1, &now));
	ASSERT_EQ(KV_OK, get_is(&self->c, "word", "abc"));
}

/* --- concurrency ------------------------------------------------------------ */

struct worker {
	const char *name;
	uint32_t id;
	int nops;
};

/* PUT NOPS keys of its own, then read them all back. */
static int put_worker(void *arg)
{
	const struct worker *w = arg;
	char key[KV_KEY_MAX], val[KV_VAL_MAX], got[KV_VAL_MAX];
	struct kv_client c;
	uint32_t vlen;
	int i, n;

	if (kv_connect(&c, w->name, w->id, 0))
		return 10;
	for (i = 0; i < w->nops; i++) {
		snprintf(key, sizeof(key), "p%u.%d", w->id, i);
		snprintf(val, sizeof(val), "v%u.%d", w->id, i);
		if (kv_puts(&c, key, val) != KV_OK)
			return 11;
	}
	for (i = 0; i < w->nops; i++) {
		snprintf(key, sizeof(key), "p%u.%d", w->id, i);
		n = snprintf(val, sizeof(val), "v%u.%d", w->id, i);
		if (kv_get(&c, key, got, &vlen) != KV_OK ||
		    vlen != (uint32_t)n || memcmp(got, val, vlen))
			return 12;
	}
	kv_disconnect(&c);
	return 0;
}

/*
 * INCR "shared" and its own key nops times each; its own key must count
 * 1, 2, 3, ... with nothing skipped or repeated.
 */
static int incr_worker(void *arg)
{
	const struct worker *w = arg;
	char key[KV_KEY_MAX];
	struct kv_client c;
	int64_t now;
	int i;

	if (kv_connect(&c, w->name, w->id, 0))
		return 10;
	snprintf(key, sizeof(key), "own%u", w->id);
	for (i = 0; i < w->nops; i++) {
		if (kv_incr(&c, "shared", 1, NULL) != KV_OK)
			return 11;
		if (kv_incr(&c, key, 1, &now) != KV_OK)
			return 12;
		if (now != i + 1)
			return 13;
	}
	kv_disconnect(&c);
	return 0;
}

static void run_workers(struct __test_metadata *_metadata,
			int (*fn)(void *), struct worker *w, pid_t *pids)
{
	int i;

	for (i = 0; i < NCLIENTS; i++) {
		pids[i] = ipcchan_spawn(fn, &w[i]);
		ASSERT_LT(0, pids[i]);
	}
}

static void reap_workers(struct __test_metadata *_metadata, pid_t *pids)
{
	int i;

	for (i = 0; i < NCLIENTS; i++)
		EXPECT_EQ(0, ipcchan_reap(pids[i], 60000)) {
			TH_LOG("client %d failed (10 connect, 11-12 a call, 13 a count)",
			       i);
		}
}

static void init_workers(struct worker *w, const char *name, uint32_t base,
			 int nops)
{
	int i;

	for (i = 0; i < NCLIENTS; i++) {
		w[i].name = name;
		w[i].id = base + (uint32_t)i;
		w[i].nops = nops;
	}
}

TEST_F(service, concurrent_puts)
{
	char key[KV_KEY_MAX], val[KV_VAL_MAX];
	struct worker w[NCLIENTS];
	pid_t pids[NCLIENTS];
	struct kv_stats st;
	int i, j;

	init_workers(w, self->name, 10, NOPS);
	run_workers(_metadata, put_worker, w, pids);
	reap_workers(_metadata, pids);
	for (i = 0; i < NCLIENTS; i++)
		for (j = 0; j < NOPS; j++) {
			snprintf(key, sizeof(key), "p%u.%d", w[i].id, j);
			snprintf(val, sizeof(val), "v%u.%d", w[i].id, j);
			ASSERT_EQ(KV_OK, get_is(&self->c, key, val));
		}
	ASSERT_EQ(KV_OK, stats(&self->c, &st));
	ASSERT_EQ(NCLIENTS * NOPS, st.keys);
}

TEST_F(service, concurrent_incr)
{
	struct worker w[NCLIENTS];
	pid_t pids[NCLIENTS];
	struct kv_stats st;
	char key[KV_KEY_MAX], want[32];
	int i;

	init_workers(w, self->name, 20, NOPS);
	run_workers(_metadata, incr_worker, w, pids);
	reap_workers(_metadata, pids);
	snprintf(want, sizeof(want), "%d", NCLIENTS * NOPS);
	ASSERT_EQ(KV_OK, get_is(&self->c, "shared", want));
	snprintf(want, sizeof(want), "%d", NOPS);
	for (i = 0; i < NCLIENTS; i++) {
		snprintf(key, sizeof(key), "own%u", w[i].id);
		ASSERT_EQ(KV_OK, get_is(&self->c, key, want));
	}
	/* Each INCR applied once, however often it was sent. */
	ASSERT_EQ(KV_OK, stats(&self->c, &st));
	ASSERT_EQ(2 * NCLIENTS * NOPS, st.applied);
}

/* --- priority -------------------------------------------------------------- */

/* Stop the server and make sure it is stopped (not merely signalled). */
static int stop_server(pid_t pid)
{
	int status;

	if (kill(pid, SIGSTOP))
		return -errno;
	if (waitpid(pid, &status, WUNTRACED) != pid)
		return -errno;
	return WIFSTOPPED(status) ? 0 : -ECHILD;
}

#define BACKLOG	40

TEST_F(service, admin_first)
{
	uint64_t order[BACKLOG], seq[BACKLOG];
	struct kv_request q, admin;
	struct kv_client bulk;
	struct kv_reply a;
	int i, before = 0;

	/* A client whose reply channel holds the whole backlog's replies. */
	ASSERT_EQ(0, kv_connect(&bulk, self->name, 2, BACKLOG + 8));
	ASSERT_EQ(0, stop_server(self->pid));
	for (i = 0; i < BACKLOG; i++) {
		kv_request_init(&q, KV_PUT, "backlog");
		q.vlen = 1;
		q.val[0] = (char)('a' + i % 26);
		ASSERT_EQ(0, kv_send(&bulk, &q, 0));
		seq[i] = q.seq;
	}
	kv_request_init(&admin, KV_STATS, NULL);
	ASSERT_EQ(0, kv_send(&self->c, &admin, 1));
	ASSERT_EQ(0, kill(self->pid, SIGCONT));

	ASSERT_EQ(0, kv_wait(&self->c, admin.seq, &a, 30 * NSEC));
	for (i = 0; i < BACKLOG; i++) {
		struct kv_reply b;

		ASSERT_EQ(0, kv_wait(&bulk, seq[i], &b, 30 * NSEC));
		order[i] = b.order;
		before += b.order < a.order;
	}
	kv_disconnect(&bulk);
	/*
	 * SIGSTOP may have caught the server between its look at the admin
	 * channel and its look at the request channel: one request may go
	 * first, not more.
	 */
	EXPECT_LE(before, 1) {
		TH_LOG("STATS was served %" PRIu64 "th, after %d of the %d waiting requests (%" PRIu64 "th to %" PRIu64 "th)",
		       a.order, before, BACKLOG, order[0], order[BACKLOG - 1]);
	}
}

/* --- failures ------------------------------------------------------------- */

struct victim {
	const char *name;
	int ready;	/* write end of a pipe */
};

/*
 * A client that sends two PUTs and never reads a reply: its reply channel
 * (depth 1) takes the first reply, the second cannot be delivered.
 */
static int victim(void *arg)
{
	const struct victim *v = arg;
	struct kv_request q;
	struct kv_client c;

	if (kv_connect(&c, v->name, 900, 1))
		return 10;
	kv_request_init(&q, KV_PUT, "victim.1");
	q.vlen = 1;
	q.val[0] = '1';
	if (kv_send(&c, &q, 0))
		return 11;
	kv_request_init(&q, KV_PUT, "victim.2");
	q.vlen = 1;
	q.val[0] = '2';
	if (kv_send(&c, &q, 0))
		return 11;
	if (write(v->ready, "x", 1) != 1)
		return 12;
	pause();
	return 0;
}

TEST_F(service, killed_client)
{
	struct victim v = { .name = self->name };
	char reply[64];
	struct kv_stats st;
	int pfd[2], status;
	pid_t pid;
	char x;

	snprintf(reply, sizeof(reply), "%s.c900", self->name);
	ASSERT_EQ(0, pipe(pfd));
	v.ready = pfd[1];
	ASSERT_EQ(0, stop_server(self->pid));
	pid = ipcchan_spawn(victim, &v);
	ASSERT_LT(0, pid);
	ASSERT_EQ(1, read(pfd[0], &x, 1));
	/* Killed while waiting for its replies: both requests are queued. */
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(1, channel_exists(reply));
	ASSERT_EQ(0, kill(self->pid, SIGCONT));

	/* The server serves the victim's requests first (FIFO), then ours. */
	self->c.deadline_ns = 5 * NSEC;
	ASSERT_EQ(KV_OK, kv_puts(&self->c, "after", "ok")) {
		TH_LOG("the server does not answer after a client died: does a reply to a full channel wait forever?");
	}
	ASSERT_EQ(KV_OK, get_is(&self->c, "victim.1", "1"));
	ASSERT_EQ(KV_OK, get_is(&self->c, "victim.2", "2"));
	ASSERT_EQ(KV_OK, stats(&self->c, &st));
	EXPECT_LE(1, st.replies_dropped);
	EXPECT_EQ(1, st.clients_gone);
	EXPECT_EQ(0, channel_exists(reply)) {
		TH_LOG("the dead client's reply channel %s is still there", reply);
	}
	close(pfd[0]);
	close(pfd[1]);
}

/*
 * A client leaves (its reply channel is unlinked) and a new one comes with
 * the same id: the replies must reach the new channel, and the server
 * must not keep the old one alive.
 */
TEST_F(service, client_reconnects)
{
	struct kv_client again;
	char reply[64];

	snprintf(reply, sizeof(reply), "%s.c50", self->name);
	ASSERT_EQ(0, kv_connect(&again, self->name, 50, 0));
	ASSERT_EQ(KV_OK, kv_puts(&again, "who", "first"));
	kv_disconnect(&again);
	ASSERT_EQ(0, kv_connect(&again, self->name, 50, 0));
	again.deadline_ns = 5 * NSEC;
	EXPECT_EQ(KV_OK, kv_puts(&again, "who", "second")) {
		TH_LOG("the reply went to the channel of the client that left");
	}
	kv_disconnect(&again);
	ASSERT_EQ(KV_OK, get_is(&self->c, "who", "second"));
	/* STATS answers after the server closed what its clients left. */
	ASSERT_EQ(KV_OK, stats(&self->c, NULL));
	EXPECT_EQ(0, channel_exists(reply)) {
		TH_LOG("the server still holds %s open after its client left",
		       reply);
	}
}

TEST_F(service, retry_applied_once)
{
	struct kv_reply a1, a2;
	struct kv_request q;
	struct kv_stats st;

	ASSERT_EQ(KV_OK, kv_incr(&self->c, "once", 1, NULL));
	/* The same request twice, as a client that timed out sends it. */
	kv_request_init(&q, KV_INCR, "once");
	q.num = 10;
	ASSERT_EQ(0, kv_send(&self->c, &q, 0));
	ASSERT_EQ(0, kv_resend(&self->c, &q, 0));
	ASSERT_EQ(0, kv_wait(&self->c, q.seq, &a1, 30 * NSEC));
	ASSERT_EQ(0, kv_wait(&self->c, q.seq, &a2, 30 * NSEC));
	ASSERT_EQ(KV_OK, a1.status);
	ASSERT_EQ(11, a1.num);
	EXPECT_EQ(KV_OK, a2.status);
	EXPECT_EQ(11, a2.num) {
		TH_LOG("a retry must get the first reply again");
	}
	ASSERT_EQ(KV_OK, get_is(&self->c, "once", "11"));
	ASSERT_EQ(KV_OK, stats(&self->c, &st));
	EXPECT_LE(1, st.duplicates);
	EXPECT_EQ(2, st.applied);
}

TEST_F(service, restart_keeps_acked_writes)
{
	char key[KV_KEY_MAX], val[KV_VAL_MAX];
	int i;

	for (i = 0; i < NOPS; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		snprintf(val, sizeof(val), "v%d", i);
		ASSERT_EQ(KV_OK, kv_puts(&self->c, key, val));
	}
	for (i = 0; i < 10; i++)
		ASSERT_EQ(KV_OK, kv_incr(&self->c, "count", 1, NULL));
	ASSERT_EQ(KV_OK, kv_del(&self->c, "k7"));

	ASSERT_EQ(KV_OK, restart_server(self));
	for (i = 0; i < NOPS; i++) {
		char got[KV_VAL_MAX];
		uint32_t vlen;

		snprintf(key, sizeof(key), "k%d", i);
		snprintf(val, sizeof(val), "v%d", i);
		if (i == 7) {
			ASSERT_EQ(KV_NOTFOUND,
				  kv_get(&self->c, key, got, &vlen));
			continue;
		}
		ASSERT_EQ(KV_OK, get_is(&self->c, key, val)) {
			TH_LOG("an acknowledged PUT of %s was lost in the restart",
			       key);
		}
	}
	ASSERT_EQ(KV_OK, get_is(&self->c, "count", "10"));
	/* The next requests go on from where the journal stopped. */
	ASSERT_EQ(KV_OK, kv_incr(&self->c, "count", 1, NULL));
	ASSERT_EQ(KV_OK, restart_server(self));
	ASSERT_EQ(KV_OK, get_is(&self->c, "count", "11"));
}

/*
 * The hard case: the server applies an INCR but its reply is lost, then
 * it dies.  The client's retry reaches the next server, which must
 * answer it from the journal instead of applying it again.
 */
TEST_F(service, restart_lost_reply)
{
	struct ipcchan_opts send_only = { .access = IPCCHAN_ACCESS_SEND };
	struct kv_request q;
	struct kv_stats st;
	struct kv_reply a;
	char junk = 'j';
	int fd, i, n = 0;

	ASSERT_EQ(KV_OK, kv_incr(&self->c, "lost", 1, NULL));
	/* Fill our own reply channel: the next reply cannot be delivered. */
	fd = ipcchan_open(self->c.reply_name, &send_only);
	ASSERT_LE(0, fd);
	while (ipcchan_send(fd, &junk, 1, 0, IPCCHAN_NOWAIT) == 1)
		n++;
	ipcchan_close(fd);
	ASSERT_EQ(KV_REPLY_DEPTH, n);
	kv_request_init(&q, KV_INCR, "lost");
	q.num = 1;
	ASSERT_EQ(0, kv_send(&self->c, &q, 0));
	/* STATS's reply needs room too: ask through another client. */
	{
		struct kv_client admin;

		ASSERT_EQ(0, kv_connect(&admin, self->name, 3, 0));
		for (i = 0; i < 1000; i++) {
			ASSERT_EQ(KV_OK, stats(&admin, &st));
			if (st.replies_dropped >= 1)
				break;
			usleep(10000);
		}
		kv_disconnect(&admin);
	}
	ASSERT_LE(1, st.replies_dropped);
	ASSERT_EQ(2, st.applied);

	ASSERT_EQ(0, kill(self->pid, SIGKILL));
	for (i = 0; i < n; i++)
		ASSERT_EQ(1, ipcchan_recv(self->c.reply_fd, &junk,
					  sizeof(junk), NULL, IPCCHAN_NOWAIT));
	ASSERT_EQ(KV_OK, restart_server(self));
	/* The retry, as kv_call() would send it after its timeout. */
	ASSERT_EQ(0, kv_resend(&self->c, &q, 0));
	ASSERT_EQ(0, kv_wait(&self->c, q.seq, &a, 30 * NSEC));
	EXPECT_EQ(KV_OK, a.status);
	EXPECT_EQ(2, a.num) {
		TH_LOG("the retried INCR must get the reply of its first application (2)");
	}
	ASSERT_EQ(KV_OK, get_is(&self->c, "lost", "2"));
}

TEST_F(service, restart_under_load)
{
	struct worker w[NCLIENTS];
	pid_t pids[NCLIENTS];
	struct kv_stats st;
	char key[KV_KEY_MAX], want[32];
	int i, j, running;

	init_workers(w, self->name, 30, NOPS);
	run_workers(_metadata, incr_worker, w, pids);
	/* Kill the server once half the work is done (or the clients gave up). */
	for (i = 0; i < 6000; i++) {
		ASSERT_EQ(KV_OK, stats(&self->c, &st));
		if (st.applied >= NCLIENTS * NOPS)
			break;
		for (running = 0, j = 0; j < NCLIENTS; j++)
			running += ipcchan_still_running(pids[j]);
		if (!running)
			break;
		usleep(5000);
	}
	ASSERT_EQ(KV_OK, restart_server(self));
	reap_workers(_metadata, pids);
	snprintf(want, sizeof(want), "%d", NCLIENTS * NOPS);
	ASSERT_EQ(KV_OK, get_is(&self->c, "shared", want));
	snprintf(want, sizeof(want), "%d", NOPS);
	for (i = 0; i < NCLIENTS; i++) {
		snprintf(key, sizeof(key), "own%u", w[i].id);
		ASSERT_EQ(KV_OK, get_is(&self->c, key, want));
	}
}

TEST_F(service, snapshot_restart)
{
	struct kv_stats st;
	struct kv_reply a;

	ASSERT_EQ(KV_OK, kv_puts(&self->c, "before", "1"));
	ASSERT_EQ(KV_OK, kv_incr(&self->c, "n", 3, NULL));
	ASSERT_EQ(KV_OK, kv_admin(&self->c, KV_SNAPSHOT, &a));
	ASSERT_EQ(KV_OK, kv_puts(&self->c, "after", "2"));
	ASSERT_EQ(KV_OK, kv_incr(&self->c, "n", 2, NULL));
	ASSERT_EQ(KV_OK, restart_server(self));
	ASSERT_EQ(KV_OK, get_is(&self->c, "before", "1"));
	ASSERT_EQ(KV_OK, get_is(&self->c, "after", "2"));
	ASSERT_EQ(KV_OK, get_is(&self->c, "n", "5"));
	ASSERT_EQ(KV_OK, stats(&self->c, &st));
	/* The snapshot emptied the journal: two records after it. */
	EXPECT_EQ(2, st.recovered);
}

IPCCHAN_HARNESS_MAIN(NULL)
