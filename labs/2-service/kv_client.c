// SPDX-License-Identifier: GPL-2.0
/*
 * The key-value service's client library (lab 2): kv_client.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ipcchan.h>

#include "kv_client.h"

#define NSEC	1000000000LL

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC + ts.tv_nsec;
}

int kv_connect(struct kv_client *c, const char *server, uint32_t id,
	       unsigned int reply_depth)
{
	struct ipcchan_opts reply = {
		.flags = IPCCHAN_CREATE | IPCCHAN_EXCL,
		.access = IPCCHAN_ACCESS_RDWR,
		.mode = 0622,	/* the server may run as another user */
		.max_msgs = reply_depth ? reply_depth : KV_REPLY_DEPTH,
		.max_msg_size = sizeof(struct kv_reply),
	};
	struct ipcchan_opts send_only = { .access = IPCCHAN_ACCESS_SEND };
	char admin[64];
	int64_t end = now_ns() + 10 * NSEC;
	struct timespec now;
	int fd;

	memset(c, 0, sizeof(*c));
	c->req_fd = c->admin_fd = c->reply_fd = -1;
	c->id = id;
	/* Above every seq an earlier client of this id used (kv_proto.h). */
	clock_gettime(CLOCK_REALTIME, &now);
	c->seq = (uint64_t)now.tv_sec * NSEC + (uint64_t)now.tv_nsec;
	c->attempt_ns = 2 * NSEC;
	c->deadline_ns = 10 * NSEC;
	if (id == 0 || strlen(server) >= sizeof(c->server))
		return -EINVAL;
	snprintf(c->server, sizeof(c->server), "%s", server);
	snprintf(c->reply_name, sizeof(c->reply_name), "%s.c%u", server, id);
	snprintf(admin, sizeof(admin), "%s.admin", server);

	/* A reply channel left by a dead client of the same id: its replies
	 * are not ours. */
	ipcchan_unlink(c->reply_name);
	fd = ipcchan_open(c->reply_name, &reply);
	if (fd < 0)
		return fd;
	c->reply_fd = fd;
	for (;;) {
		fd = ipcchan_open(server, &send_only);
		if (fd != -ENOENT || now_ns() > end)
			break;
		usleep(10000);
	}
	if (fd < 0) {
		kv_disconnect(c);
		return fd;
	}
	c->req_fd = fd;
	/* Only the server's user may send admin requests: the others get
	 * -EACCES from kv_admin(). */
	fd = ipcchan_open(admin, &send_only);
	c->admin_fd = fd < 0 ? -1 : fd;
	return 0;
}

void kv_disconnect(struct kv_client *c)
{
	if (c->req_fd >= 0)
		ipcchan_close(c->req_fd);
	if (c->admin_fd >= 0)
		ipcchan_close(c->admin_fd);
	if (c->reply_fd >= 0) {
		ipcchan_close(c->reply_fd);
		ipcchan_unlink(c->reply_name);
	}
	c->req_fd = c->admin_fd = c->reply_fd = -1;
}

void kv_request_init(struct kv_request *q, uint32_t op, const char *key)
{
	memset(q, 0, sizeof(*q));
	q->magic = KV_MAGIC;
	q->op = op;
	if (key)
		snprintf(q->key, sizeof(q->key), "%s", key);
}

int kv_resend(struct kv_client *c, const struct kv_request *q, int admin)
{
	struct ipcchan_opts send_only = { .access = IPCCHAN_ACCESS_SEND };
	char name[64];
	int fd;
	ssize_t r;

	if (admin && c->admin_fd < 0) {
		snprintf(name, sizeof(name), "%s.admin", c->server);
		fd = ipcchan_open(name, &send_only);
		if (fd < 0)
			return fd;
		c->admin_fd = fd;
	}
	fd = admin ? c->admin_fd : c->req_fd;
	r = ipcchan_send(fd, q, sizeof(*q), 0, c->attempt_ns);
	return r < 0 ? (int)r : 0;
}

int kv_send(struct kv_client *c, struct kv_request *q, int admin)
{
	q->client = c->id;
	q->seq = ++c->seq;
	return kv_resend(c, q, admin);
}

int kv_wait(struct kv_client *c, uint64_t seq, struct kv_reply *a,
	    int64_t timeout_ns)
{
	int64_t end = now_ns() + timeout_ns, left;
	ssize_t r;

	for (;;) {
		left = end - now_ns();
		if (left <= 0)
			return -ETIMEDOUT;
		r = ipcchan_recv(c->reply_fd, a, sizeof(*a), NULL, left);
		if (r == -EINTR)
			continue;
		if (r < 0)
			return (int)r;
		if (r == sizeof(*a) && a->magic == KV_MAGIC &&
		    a->client == c->id && a->seq == seq)
			return 0;
		c->stale++;	/* a retried request's second reply, or junk */
	}
}

int kv_call(struct kv_client *c, struct kv_request *q, struct kv_reply *a,
	    int admin)
{
	int64_t end = now_ns() + c->deadline_ns;
	int r = kv_send(c, q, admin);

	for (;;) {
		if (r == 0) {
			r = kv_wait(c, q->seq, a, c->attempt_ns);
			if (r == 0)
				return (int)a->status;
		}
		if (r != -ETIMEDOUT && r != -EAGAIN)
			return r;
		if (now_ns() > end)
			return -ETIMEDOUT;
		c->retries++;
		r = kv_resend(c, q, admin);
	}
}

int kv_get(struct kv_client *c, const char *key, char *val, uint32_t *vlen)
{
	struct kv_request q;
	struct kv_reply a;
	int r;

	kv_request_init(&q, KV_GET, key);
	r = kv_call(c, &q, &a, 0);
	if (r == KV_OK) {
		*vlen = a.vlen <= KV_VAL_MAX ? a.vlen : KV_VAL_MAX;
		memcpy(val, a.val, *vlen);
	}
	return r;
}

int kv_put(struct kv_client *c, const char *key, const void *val,
	   uint32_t vlen)
{
	struct kv_request q;
	struct kv_reply a;

	if (vlen > KV_VAL_MAX)
		return -EMSGSIZE;
	kv_request_init(&q, KV_PUT, key);
	memcpy(q.val, val, vlen);
	q.vlen = vlen;
	return kv_call(c, &q, &a, 0);
}

int kv_puts(struct kv_client *c, const char *key, const char *val)
{
	return kv_put(c, key, val, (uint32_t)strlen(val));
}

int kv_del(struct kv_client *c, const char *key)
{
	struct kv_request q;
	struct kv_reply a;

	kv_request_init(&q, KV_DEL, key);
	return kv_call(c, &q, &a, 0);
}

int kv_incr(struct kv_client *c, const char *key, int64_t by, int64_t *now)
{
	struct kv_request q;
	struct kv_reply a;
	int r;

	kv_request_init(&q, KV_INCR, key);
	q.num = by;
	r = kv_call(c, &q, &a, 0);
	if (r == KV_OK && now)
		*now = a.num;
	return r;
}

int kv_admin(struct kv_client *c, uint32_t op, struct kv_reply *a)
{
	struct kv_request q;

	kv_request_init(&q, op, NULL);
	return kv_call(c, &q, a, 1);
}
