/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The key-value service's wire protocol (lab 2): complete, shared by the
 * server (kv_server.c), the client library (kv_client.c) and the grader.
 *
 * Channels of a server called NAME (names as libipcchan takes them):
 *
 *   NAME        requests from any client (mode 0666), priority 0
 *   NAME.admin  admin requests (mode 0600: only the server's user may
 *               send), served before any waiting request of NAME
 *   NAME.cID    the reply channel of client ID, created by the client,
 *               read by it alone; the server only sends there
 *
 * Every request carries (client, seq).  A client numbers its requests
 * with growing numbers, starting above any number an earlier client of
 * the same id used (kv_client.c starts at the wall clock's nanoseconds),
 * and waits for the reply of one before sending the next;
 * when the reply does not come in time it sends the same request again,
 * with the same seq (a retry).  The server applies each (client, seq)
 * mutation at most once and answers a retry with the reply it gave the
 * first time: retries make delivery at-least-once, the table of last
 * sequence numbers makes the effect exactly-once.
 *
 * Every reply carries the request's seq (a client drops replies to older
 * requests) and "order": how many requests the server had served when it
 * served this one (1 for the first), counted from its start.
 */
#ifndef KV_PROTO_H
#define KV_PROTO_H

#include <stdint.h>

#define KV_MAGIC		0x4b563031U	/* "KV01" */
#define KV_KEY_MAX		32	/* key bytes with the NUL */
#define KV_VAL_MAX		64	/* value bytes (no NUL needed) */

/* Queue depths the server creates its channels with. */
#define KV_REQ_DEPTH		128
#define KV_ADMIN_DEPTH		16
#define KV_REPLY_DEPTH		8	/* a client's default */

/* How long the server waits for room on a reply channel (ms, default). */
#define KV_REPLY_TIMEOUT_MS	200

enum kv_op {
	KV_GET = 1,		/* key -> val */
	KV_PUT = 2,		/* key, val -> */
	KV_DEL = 3,		/* key -> (KV_NOTFOUND if missing) */
	KV_INCR = 4,		/* key, num -> num: the new value */
	/* Admin requests, on NAME.admin only */
	KV_STATS = 16,		/* -> stats */
	KV_SNAPSHOT = 17,	/* write the snapshot, empty the journal */
	KV_SHUTDOWN = 18,	/* reply, then exit 0 */
};

enum kv_status {
	KV_OK = 0,
	KV_NOTFOUND = 1,	/* no such key */
	KV_EINVAL = 2,		/* bad magic, op, key or length */
	KV_ENOSYS = 3,		/* op not implemented */
	KV_EPERM = 4,		/* admin op on the normal channel */
	KV_EIO = 5,		/* the journal could not be written */
	KV_ENOSPC = 6,		/* table full */
	KV_ERANGE = 7,		/* INCR of a value that is not a number */
};

struct kv_request {
	uint32_t magic;		/* KV_MAGIC */
	uint32_t op;		/* enum kv_op */
	uint32_t client;	/* client id, 1..UINT32_MAX */
	uint32_t vlen;		/* PUT: bytes of val used */
	uint64_t seq;		/* per client, growing; a retry keeps it */
	int64_t num;		/* INCR: the amount */
	char key[KV_KEY_MAX];	/* NUL terminated, 1..KV_KEY_MAX-1 bytes */
	char val[KV_VAL_MAX];
};

struct kv_stats {
	uint64_t received;	/* requests received, both channels */
	uint64_t applied;	/* mutations applied (a retry not counted) */
	uint64_t duplicates;	/* retries answered from the reply cache */
	uint64_t replies;	/* replies sent */
	uint64_t replies_dropped;	/* replies not delivered */
	uint64_t clients_gone;	/* reply channels of dead clients removed */
	uint64_t keys;		/* keys in the table */
	uint64_t recovered;	/* journal records replayed at start */
};

struct kv_reply {
	uint32_t magic;		/* KV_MAGIC */
	uint32_t status;	/* enum kv_status */
	uint32_t client;	/* the request's */
	uint32_t vlen;		/* GET: bytes of val */
	uint64_t seq;		/* the request's */
	uint64_t order;		/* this request was the server's order-th */
	int64_t num;		/* INCR: the new value */
	char val[KV_VAL_MAX];
	struct kv_stats stats;	/* STATS */
};

#endif /* KV_PROTO_H */
