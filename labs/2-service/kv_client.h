/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The key-value service's client library (lab 2): complete, used by the
 * `kv` command and by the grader.  kv_proto.h describes the protocol.
 *
 * One struct kv_client per client id; one request at a time per client.
 * Every call returns a kv_status (>= 0) or -errno (the client's channels
 * failed, or no reply came before the deadline: -ETIMEDOUT).
 */
#ifndef KV_CLIENT_H
#define KV_CLIENT_H

#include <stdint.h>

#include "kv_proto.h"

struct kv_client {
	char server[48];
	char reply_name[64];
	uint32_t id;
	uint64_t seq;		/* of the last request sent */
	int req_fd;		/* NAME, send access */
	int admin_fd;		/* NAME.admin, send access (-1: not opened) */
	int reply_fd;		/* NAME.cID, receive access */
	int64_t attempt_ns;	/* wait for a reply this long, then retry */
	int64_t deadline_ns;	/* give up after this long in all */
	uint64_t retries;	/* requests sent again, over the client's life */
	uint64_t stale;		/* replies dropped: an older request's */
};

/*
 * Create the reply channel NAME.cID (depth @reply_depth, 0: KV_REPLY_DEPTH;
 * an old one of the same name is removed first) and open the server's
 * channels.  Waits up to 10 s for the server to create NAME.
 * Returns 0 or -errno.
 */
int kv_connect(struct kv_client *c, const char *server, uint32_t id,
	       unsigned int reply_depth);
/* Close everything and remove the reply channel. */
void kv_disconnect(struct kv_client *c);

/* The calls: the request gets the next seq, is retried until answered. */
int kv_get(struct kv_client *c, const char *key, char *val, uint32_t *vlen);
int kv_put(struct kv_client *c, const char *key, const void *val,
	   uint32_t vlen);
int kv_puts(struct kv_client *c, const char *key, const char *val);
int kv_del(struct kv_client *c, const char *key);
int kv_incr(struct kv_client *c, const char *key, int64_t by, int64_t *now);
/* An admin request (KV_STATS, KV_SNAPSHOT, KV_SHUTDOWN) on NAME.admin. */
int kv_admin(struct kv_client *c, uint32_t op, struct kv_reply *a);

/* The pieces, for tests that send without waiting. */
void kv_request_init(struct kv_request *q, uint32_t op, const char *key);
/* Give @q the client's id and next seq and send it once (@admin: on
 * NAME.admin).  Returns 0 or -errno. */
int kv_send(struct kv_client *c, struct kv_request *q, int admin);
/* Send @q again as it is (same seq).  Returns 0 or -errno. */
int kv_resend(struct kv_client *c, const struct kv_request *q, int admin);
/* Wait up to @timeout_ns for the reply to (c->id, @seq), dropping older
 * ones.  Returns 0 or -errno (-ETIMEDOUT). */
int kv_wait(struct kv_client *c, uint64_t seq, struct kv_reply *a,
	    int64_t timeout_ns);
/* kv_send, then kv_wait and kv_resend until answered or the deadline. */
int kv_call(struct kv_client *c, struct kv_request *q, struct kv_reply *a,
	    int admin);

#endif /* KV_CLIENT_H */
