// SPDX-License-Identifier: GPL-2.0
/*
 * kv_server: a key-value server over ipcchan channels (lab 2).
 *
 *   kv_server -n NAME [-d DIR] [-t REPLY_TIMEOUT_MS]
 *
 * kv_proto.h has the protocol: requests on channel NAME, admin requests
 * on NAME.admin, each reply on the client's own channel NAME.cID.  The
 * state lives in DIR (default "."): kv.snap, the table as the last
 * SNAPSHOT left it, and kv.journal, every mutation applied since, one
 * record each, appended before it is applied and answered.  A server
 * killed at any point and started again on the same DIR and NAME loses no
 * acknowledged write and applies no request twice.
 *
 * Reading order: main() and serve_loop() at the bottom, then serve(),
 * then the pieces it calls, from the top of the file down.
 *
 * One thread serves one request at a time, so nothing here is locked.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ipcchan.h>

#include "kv_proto.h"

#define NBUCKETS	1024
#define MAX_KEYS	65536
#define MAX_CLIENTS	1024
#define JOURNAL		"kv.journal"
#define SNAPSHOT	"kv.snap"
#define SNAP_MAGIC	0x4b565331U	/* "KVS1" */

/* A helper the starting code of the lab does not call yet. */
#define LAB_HELPER	__attribute__((unused))

struct entry {
	struct entry *next;
	char key[KV_KEY_MAX];
	uint32_t vlen;
	char val[KV_VAL_MAX];
};

/* What the server knows of one client id. */
struct client {
	uint32_t id;
	pid_t pid;		/* the sender of its last request, 0: unknown */
	int fd;			/* its reply channel, -1: not open */
	uint64_t last_seq;	/* seq of its last mutation applied */
	struct kv_reply last;	/* the reply to it, for a retry */
};

struct server {
	const char *name;
	char admin_name[64];
	int dir_fd;
	int req_fd;
	int admin_fd;
	int journal_fd;
	int64_t reply_timeout_ns;
	struct entry *table[NBUCKETS];
	struct client clients[MAX_CLIENTS];
	unsigned int nclients;
	struct kv_stats st;
	uint64_t order;		/* requests served since the start */
	int sweep_due;		/* replies sent since the last sweep */
	int stop;
};

static void die(const char *what, int err)
{
	fprintf(stderr, "kv_server: %s: %s\n", what, strerror(err));
	exit(1);
}

/* --- The table ------------------------------------------------------------ */

static unsigned int hash(const char *key)
{
	unsigned int h = 2166136261U;

	while (*key)
		h = (h ^ (unsigned char)*key++) * 16777619U;
	return h % NBUCKETS;
}

static struct entry **lookup(struct server *s, const char *key)
{
	struct entry **pe = &s->table[hash(key)];

	while (*pe && strcmp((*pe)->key, key))
		pe = &(*pe)->next;
	return pe;
}

/* Set @key to @vlen bytes of @val.  Returns a kv_status. */
static int table_set(struct server *s, const char *key, const char *val,
		     uint32_t vlen)
{
	struct entry **pe = lookup(s, key), *e = *pe;

	if (!e) {
		if (s->st.keys >= MAX_KEYS)
			return KV_ENOSPC;
		e = calloc(1, sizeof(*e));
		if (!e)
			return KV_ENOSPC;
		snprintf(e->key, sizeof(e->key), "%s", key);
		*pe = e;
		s->st.keys++;
	}
	memcpy(e->val, val, vlen);
	e->vlen = vlen;
	return KV_OK;
}

/* --- Clients --------------------------------------------------------------- */

static struct client *client_get(struct server *s, uint32_t id)
{
	struct client *c;
	unsigned int i;

	for (i = 0; i < s->nclients; i++)
		if (s->clients[i].id == id)
			return &s->clients[i];
	if (s->nclients == MAX_CLIENTS)
		return NULL;
	c = &s->clients[s->nclients++];
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->fd = -1;
	return c;
}

static void reply_name(const struct server *s, uint32_t id, char *buf,
		       size_t len)
{
	snprintf(buf, len, "%s.c%u", s->name, id);
}

/* Open client @id's reply channel to send on.  Returns an fd or -errno. */
static int open_reply(struct server *s, uint32_t id)
{
	struct ipcchan_opts send_only = { .access = IPCCHAN_ACCESS_SEND };
	char name[64];

	reply_name(s, id, name, sizeof(name));
	return ipcchan_open(name, &send_only);
}

/*
 * True when the process that sent @c's last request is gone.  The pid is
 * the kernel's (struct ipcchan_msginfo), not one the client claims.
 */
LAB_HELPER
static int client_dead(const struct client *c)
{
	return c->pid > 0 && kill(c->pid, 0) < 0 && errno == ESRCH;
}

/*
 * True when the channel @fd is attached to has lost its name: its client
 * left (kv_disconnect() unlinks it), or a new client of the same id
 * replaced it with a new channel.  Our file is then all that keeps it
 * alive, and replies sent there reach nobody.
 */
static int channel_unlinked(int fd)
{
	struct ipcchan_info info;

	return ipcchan_info(fd, &info) < 0 ||
	       (info.state & IPCCHAN_STATE_UNLINKED);
}

/*
 * @c's process is gone: close our end of its reply channel and remove the
 * name, unless a new client of the same id has already replaced it (our
 * channel is then unlinked: the name is the new client's).  The channel is
 * freed when its last file closes, with the replies nobody will read.
 */
LAB_HELPER
static void forget_reply_channel(struct server *s, struct client *c)
{
	char name[64];

	if (c->fd < 0)
		return;
	if (!channel_unlinked(c->fd)) {
		reply_name(s, c->id, name, sizeof(name));
		if (ipcchan_unlink(name) == 0)
			s->st.clients_gone++;
	}
	ipcchan_close(c->fd);
	c->fd = -1;
}

/* --- Applying a request ------------------------------------------------- */

/* INCR's arithmetic: the value is a decimal number, a missing key is 0. */
LAB_HELPER
static int incr_value(const struct entry *e, int64_t by, int64_t *now)
{
	char buf[KV_VAL_MAX + 1], *end;
	long long v = 0;

	if (e) {
		memcpy(buf, e->val, e->vlen);
		buf[e->vlen] = '\0';
		errno = 0;
		v = strtoll(buf, &end, 10);
		if (errno || end == buf || *end)
			return KV_ERANGE;
	}
	if (__builtin_add_overflow(v, by, now))
		return KV_ERANGE;
	return KV_OK;
}

/*
 * Apply one request to the table and fill the reply's status and data.
 * Deterministic: the same requests in the same order give the same table
 * and the same replies (journal replay relies on it).
 */
static void apply(struct server *s, const struct kv_request *q,
		  struct kv_reply *a)
{
	struct entry **pe = lookup(s, q->key), *e = *pe;

	switch (q->op) {
	case KV_GET:
		if (!e) {
			a->status = KV_NOTFOUND;
			break;
		}
		memcpy(a->val, e->val, e->vlen);
		a->vlen = e->vlen;
		a->status = KV_OK;
		break;
	case KV_PUT:
		a->status = table_set(s, q->key, q->val, q->vlen);
		break;
	/* LAB2 BEGIN dispatch: DEL removes the key (KV_NOTFOUND if missing); INCR adds q->num to a decimal value (missing = 0) and returns it in a->num (incr_value(), table_set()) */
	case KV_DEL: {
		if (!e) {
			a->status = KV_NOTFOUND;
			break;
		}
		*pe = e->next;
		free(e);
		s->st.keys--;
		a->status = KV_OK;
		break;
	}
	case KV_INCR: {
		char text[KV_VAL_MAX + 1];
		int64_t now;
		int n;

		a->status = incr_value(e, q->num, &now);
		if (a->status != KV_OK)
			break;
		n = snprintf(text, sizeof(text), "%" PRId64, now);
		a->status = table_set(s, q->key, text, (uint32_t)n);
		if (a->status == KV_OK)
			a->num = now;
		break;
	}
	/* LAB2 END dispatch */
	default:
		a->status = KV_ENOSYS;
		break;
	}
}

static int is_mutation(uint32_t op)
{
	return op == KV_PUT || op == KV_DEL || op == KV_INCR;
}

static int is_admin(uint32_t op)
{
	return op == KV_STATS || op == KV_SNAPSHOT || op == KV_SHUTDOWN;
}

/* --- The journal ---------------------------------------------------------- */

/*
 * Append @q to the journal, whole: a record is the request itself.
 * Returns 0 or -errno.  A process killed after write() returns leaves the
 * record in the page cache: it survives the process (not a power cut:
 * that would need fdatasync() here, see the questions).
 */
static int journal_append(struct server *s, const struct kv_request *q)
{
	/* LAB2 BEGIN journal: write the whole record to s->journal_fd (opened O_APPEND); a short write is an error */
	ssize_t r;

	r = write(s->journal_fd, q, sizeof(*q));
	if (r < 0)
		return -errno;
	if (r != sizeof(*q))
		return -EIO;
	return 0;
	/*
	 * LAB2 STUB journal
	 *	(void)s;
	 *	(void)q;
	 *	return 0;
	 * LAB2 END journal
	 */
}

/*
 * Apply a mutation from @c once: a retry of the last one gets the first
 * reply again.  Fills @a; returns 1 when @a is to be sent, 0 when the
 * request is to be dropped.
 */
static int mutate(struct server *s, struct client *c,
		  const struct kv_request *q, struct kv_reply *a, int replay)
{
	/* LAB2 BEGIN dedup: a request whose seq is not above c->last_seq was applied already: answer the last one from c->last, drop an older one */
	if (q->seq <= c->last_seq) {
		if (q->seq < c->last_seq)
			return 0;	/* its client has moved on */
		*a = c->last;
		if (!replay)
			s->st.duplicates++;
		return 1;
	}
	/* LAB2 END dedup */
	/* Write-ahead: on disk before it is applied, applied before it is
	 * acknowledged. */
	if (!replay && journal_append(s, q) < 0) {
		a->status = KV_EIO;
		return 1;
	}
	apply(s, q, a);
	if (replay)
		s->st.recovered++;
	else
		s->st.applied++;
	c->last_seq = q->seq;
	c->last = *a;
	return 1;
}

/*
 * Replay the journal into the table (after the snapshot), then leave the
 * file ready for appending.  Returns 0 or -errno.
 */
static int journal_replay(struct server *s)
{
	/* LAB2 BEGIN recover: read the records from the start, pass each through mutate() with replay set (its client from client_get()); cut a torn last record off (ftruncate) */
	struct kv_request q;
	struct kv_reply a;
	struct client *c;
	off_t good = 0;
	ssize_t r;

	if (lseek(s->journal_fd, 0, SEEK_SET) < 0)
		return -errno;
	for (;;) {
		r = read(s->journal_fd, &q, sizeof(q));
		if (r < 0)
			return -errno;
		if (r != sizeof(q) || q.magic != KV_MAGIC)
			break;
		c = client_get(s, q.client);
		if (!c)
			return -ENOSPC;
		memset(&a, 0, sizeof(a));
		a.magic = KV_MAGIC;
		a.client = q.client;
		a.seq = q.seq;
		mutate(s, c, &q, &a, 1);
		good += sizeof(q);
	}
	/* A record cut short (or garbage) ends the journal: appends go
	 * after the last whole record. */
	if (ftruncate(s->journal_fd, good) < 0)
		return -errno;
	return 0;
	/*
	 * LAB2 STUB recover
	 *	(void)s;
	 *	return 0;
	 * LAB2 END recover
	 */
}

/* --- The snapshot --------------------------------------------------------- */

struct snap_hdr {
	uint32_t magic;
	uint32_t nclients;
	uint64_t nkeys;
};

struct snap_client {
	uint32_t id;
	uint32_t pad;
	uint64_t last_seq;
	struct kv_reply last;
};

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t r;

	while (len) {
		r = write(fd, p, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/*
 * Write the table and the clients' last requests to kv.snap (through a
 * temporary file and rename(), so kv.snap is always whole), then empty
 * the journal.  A crash between the two replays journal records that the
 * snapshot already holds: mutate() drops them by their seq.
 */
static int snapshot_write(struct server *s)
{
	struct snap_hdr h = { SNAP_MAGIC, s->nclients, s->st.keys };
	struct snap_client sc;
	struct entry *e;
	unsigned int i;
	int fd, err;

	fd = openat(s->dir_fd, SNAPSHOT ".tmp", O_WRONLY | O_CREAT | O_TRUNC,
		    0600);
	if (fd < 0)
		return -errno;
	err = write_all(fd, &h, sizeof(h));
	for (i = 0; i < NBUCKETS && !err; i++)
		for (e = s->table[i]; e && !err; e = e->next)
			err = write_all(fd, e, sizeof(*e));
	for (i = 0; i < s->nclients && !err; i++) {
		memset(&sc, 0, sizeof(sc));
		sc.id = s->clients[i].id;
		sc.last_seq = s->clients[i].last_seq;
		sc.last = s->clients[i].last;
		err = write_all(fd, &sc, sizeof(sc));
	}
	if (!err && fsync(fd) < 0)
		err = -errno;
	close(fd);
	if (!err && renameat(s->dir_fd, SNAPSHOT ".tmp", s->dir_fd, SNAPSHOT) < 0)
		err = -errno;
	if (!err && fsync(s->dir_fd) < 0)
		err = -errno;
	if (!err && ftruncate(s->journal_fd, 0) < 0)
		err = -errno;
	return err;
}

static int snapshot_load(struct server *s)
{
	struct snap_hdr h;
	struct snap_client sc;
	struct entry e;
	struct client *c;
	uint64_t i;
	int fd, err = -EBADMSG;
	FILE *f;

	fd = openat(s->dir_fd, SNAPSHOT, O_RDONLY);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	if (fread(&h, sizeof(h), 1, f) != 1 || h.magic != SNAP_MAGIC ||
	    h.nkeys > MAX_KEYS || h.nclients > MAX_CLIENTS)
		goto out;
	for (i = 0; i < h.nkeys; i++) {
		if (fread(&e, sizeof(e), 1, f) != 1 || e.vlen > KV_VAL_MAX ||
		    !memchr(e.key, '\0', sizeof(e.key)))
			goto out;
		if (table_set(s, e.key, e.val, e.vlen) != KV_OK)
			goto out;
	}
	for (i = 0; i < h.nclients; i++) {
		if (fread(&sc, sizeof(sc), 1, f) != 1)
			goto out;
		c = client_get(s, sc.id);
		if (!c)
			goto out;
		c->last_seq = sc.last_seq;
		c->last = sc.last;
	}
	err = 0;
out:
	fclose(f);
	return err;
}

/* --- Serving -------------------------------------------------------------- */

/* Send @a to @c's reply channel; a client that does not read must not
 * block the server (s->reply_timeout_ns). */
static void send_reply(struct server *s, struct client *c,
		       const struct kv_reply *a)
{
	/* LAB2 BEGIN reply: keep the channel open in c->fd (reopen it when channel_unlinked()), send with s->reply_timeout_ns; on failure count it in replies_dropped and, if the client is dead (client_dead()), forget_reply_channel() */
	ssize_t r;

	if (c->fd >= 0 && channel_unlinked(c->fd)) {
		/* Its client left; this id may have a new channel. */
		ipcchan_close(c->fd);
		c->fd = -1;
	}
	if (c->fd < 0) {
		c->fd = open_reply(s, c->id);
		if (c->fd < 0) {
			/* No reply channel: the client left (or never
			 * made one). */
			c->fd = -1;
			s->st.replies_dropped++;
			return;
		}
	}
	r = ipcchan_send(c->fd, a, sizeof(*a), 0, s->reply_timeout_ns);
	if (r >= 0) {
		s->st.replies++;
		return;
	}
	s->st.replies_dropped++;
	if (client_dead(c)) {
		forget_reply_channel(s, c);
	} else if (r != -ETIMEDOUT) {
		/* Broken, not just full: open it again next time. */
		ipcchan_close(c->fd);
		c->fd = -1;
	}
	/*
	 * LAB2 STUB reply
	 *	int fd = open_reply(s, c->id);
	 *	ssize_t sent = fd < 0 ? fd : ipcchan_send(fd, a, sizeof(*a), 0,
	 *						  IPCCHAN_WAIT_FOREVER);
	 *
	 *	if (sent < 0)
	 *		s->st.replies_dropped += 1;
	 *	else
	 *		s->st.replies += 1;
	 *	if (fd >= 0)
	 *		ipcchan_close(fd);
	 * LAB2 END reply
	 */
}

/*
 * Close the reply channels whose clients have left (unlinked): only our
 * files keep them, and the replies in them, alive.  Run when the server
 * goes idle and before STATS answers.
 */
static void sweep_reply_channels(struct server *s)
{
	struct client *c;
	unsigned int i;

	for (i = 0; i < s->nclients; i++) {
		c = &s->clients[i];
		if (c->fd >= 0 && channel_unlinked(c->fd)) {
			ipcchan_close(c->fd);
			c->fd = -1;
		}
	}
	s->sweep_due = 0;
}

static void serve_admin(struct server *s, const struct kv_request *q,
			struct kv_reply *a)
{
	int err;

	switch (q->op) {
	case KV_STATS:
		sweep_reply_channels(s);
		a->stats = s->st;
		a->status = KV_OK;
		break;
	case KV_SNAPSHOT:
		err = snapshot_write(s);
		if (err)
			fprintf(stderr, "kv_server: snapshot: %s\n",
				strerror(-err));
		a->status = err ? KV_EIO : KV_OK;
		break;
	case KV_SHUTDOWN:
		a->status = KV_OK;
		s->stop = 1;
		break;
	default:
		a->status = KV_ENOSYS;
		break;
	}
}

/* One request of @len bytes, from the admin channel when @admin. */
static void serve(struct server *s, const struct kv_request *q, ssize_t len,
		  const struct ipcchan_msginfo *mi, int admin)
{
	struct kv_reply a;
	struct client *c;

	s->st.received++;
	s->order++;
	/* Not a request of ours, or no client to answer: nothing to do. */
	if (len != sizeof(*q) || q->magic != KV_MAGIC || q->client == 0)
		return;
	c = client_get(s, q->client);
	if (!c)
		return;		/* table of clients full */
	c->pid = (pid_t)mi->pid;

	memset(&a, 0, sizeof(a));
	a.magic = KV_MAGIC;
	a.client = q->client;
	a.seq = q->seq;
	if (admin) {
		serve_admin(s, q, &a);
	} else if (is_admin(q->op)) {
		a.status = KV_EPERM;
	} else if (!memchr(q->key, '\0', sizeof(q->key)) || !q->key[0] ||
		   q->vlen > KV_VAL_MAX) {
		a.status = KV_EINVAL;
	} else if (is_mutation(q->op)) {
		if (!mutate(s, c, q, &a, 0))
			return;
	} else {
		apply(s, q, &a);
	}
	a.order = s->order;
	send_reply(s, c, &a);
	s->sweep_due = 1;
}

/*
 * Take one message from @fd without waiting.  Returns its length, -EAGAIN
 * when there is none, or another -errno.
 */
static ssize_t take(int fd, struct kv_request *q, struct ipcchan_msginfo *mi)
{
	ssize_t r = ipcchan_recv(fd, q, sizeof(*q), mi, IPCCHAN_NOWAIT);
	char *big;

	if (r != -EMSGSIZE)
		return r;
	/* Too long to be a request (the channel was made by someone
	 * else): take it off the queue all the same. */
	big = malloc(mi->len);
	if (!big)
		return -ENOMEM;
	r = ipcchan_recv(fd, big, mi->len, mi, IPCCHAN_NOWAIT);
	free(big);
	return r < 0 ? r : 0;
}

/*
 * The next request to serve, without waiting: sets *@admin to the channel
 * it came from.  Returns its length, -EAGAIN when both channels are
 * empty, or another -errno.
 */
static ssize_t next_request(struct server *s, struct kv_request *q,
			    struct ipcchan_msginfo *mi, int *admin)
{
	ssize_t r;

	/* LAB2 BEGIN admin: an admin request waiting on s->admin_fd goes before any request of s->req_fd */
	*admin = 1;
	r = take(s->admin_fd, q, mi);
	if (r != -EAGAIN)
		return r;
	*admin = 0;
	return take(s->req_fd, q, mi);
	/*
	 * LAB2 STUB admin
	 *	r = take(s->req_fd, q, mi);
	 *	*admin = r == -EAGAIN;
	 *	return *admin ? take(s->admin_fd, q, mi) : r;
	 * LAB2 END admin
	 */
}

static void serve_loop(struct server *s)
{
	struct pollfd pfd[2] = {
		{ .fd = s->admin_fd, .events = POLLIN },
		{ .fd = s->req_fd, .events = POLLIN },
	};
	struct ipcchan_msginfo mi;
	struct kv_request q;
	ssize_t r;
	int admin;

	while (!s->stop) {
		r = next_request(s, &q, &mi, &admin);
		if (r == -EAGAIN) {
			if (s->sweep_due)
				sweep_reply_channels(s);
			if (poll(pfd, 2, -1) < 0 && errno != EINTR)
				die("poll", errno);
			continue;
		}
		if (r == -EINTR)
			continue;
		if (r < 0)
			die("recv", (int)-r);
		serve(s, &q, r, &mi, admin);
	}
}

static int open_channel(const char *name, unsigned int mode,
			unsigned int depth)
{
	struct ipcchan_opts o = {
		.flags = IPCCHAN_CREATE,	/* a restart keeps the queue */
		.access = IPCCHAN_ACCESS_RECV,
		.mode = mode,
		.max_msgs = depth,
		.max_msg_size = sizeof(struct kv_request),
	};
	int fd = ipcchan_open(name, &o);

	if (fd < 0) {
		fprintf(stderr, "kv_server: channel %s: %s\n", name,
			ipcchan_strerror(fd));
		exit(1);
	}
	return fd;
}

static void usage(void)
{
	fprintf(stderr, "usage: kv_server -n NAME [-d DIR] [-t REPLY_TIMEOUT_MS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct server srv;
	struct server *s = &srv;
	const char *dir = ".";
	unsigned int i;
	int opt, err;

	s->reply_timeout_ns = KV_REPLY_TIMEOUT_MS * 1000000LL;
	while ((opt = getopt(argc, argv, "n:d:t:")) != -1) {
		switch (opt) {
		case 'n':
			s->name = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 't':
			s->reply_timeout_ns = atoll(optarg) * 1000000LL;
			break;
		default:
			usage();
		}
	}
	if (!s->name || optind != argc || strlen(s->name) > 40 ||
	    !ipcchan_name_valid(s->name))
		usage();
	snprintf(s->admin_name, sizeof(s->admin_name), "%s.admin", s->name);

	s->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dir_fd < 0)
		die(dir, errno);
	s->journal_fd = openat(s->dir_fd, JOURNAL,
			       O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (s->journal_fd < 0)
		die(JOURNAL, errno);
	err = snapshot_load(s);
	if (err)
		die(SNAPSHOT, -err);
	err = journal_replay(s);
	if (err)
		die("journal replay", -err);

	/* Requests that arrived while no server ran wait in the channels.
	 * Clients wait for NAME to appear: NAME.admin must exist by then. */
	s->admin_fd = open_channel(s->admin_name, 0600, KV_ADMIN_DEPTH);
	s->req_fd = open_channel(s->name, 0666, KV_REQ_DEPTH);
	fprintf(stderr, "kv_server: %s ready: %" PRIu64 " keys, %" PRIu64
		" journal records replayed\n", s->name, s->st.keys,
		s->st.recovered);

	serve_loop(s);

	for (i = 0; i < s->nclients; i++)
		if (s->clients[i].fd >= 0)
			ipcchan_close(s->clients[i].fd);
	ipcchan_close(s->req_fd);
	ipcchan_close(s->admin_fd);
	close(s->journal_fd);
	close(s->dir_fd);
	return 0;
}
