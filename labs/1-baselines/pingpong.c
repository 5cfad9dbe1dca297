// SPDX-License-Identifier: GPL-2.0
/*
 * pingpong: Lab 1's request/response program (labs/1-baselines/HANDOUT.md).
 *
 * A parent (the client) and a forked child (the server) exchange N round
 * trips of SIZE bytes through one IPC method: the client builds a request
 * and sends it, the server receives it, checks every byte, builds a reply
 * of the same size and sends it back, and the client checks that.  Every
 * method is a row of methods[]: four functions that the loop calls the same
 * way, so a method that copies (pipe, socket, message queue) and one that
 * maps (shared memory) run exactly the same work around them.
 *
 *	pingpong [-m METHODS] [-s SIZES] [-n N] [-d SECONDS] [-c CPU] [-k]
 *		 [-t SECONDS] [-l]
 *	  -m  comma-separated method names, or all (the default)
 *	  -s  comma-separated sizes in bytes, K and M suffixes allowed
 *	      (default 64,4K,64K,1M)
 *	  -n  round trips per size (default: about 32 MiB of requests, between
 *	      20 and 2000 round trips)
 *	  -d  stop a size after SECONDS (and at least 10 round trips), even if
 *	      fewer than N round trips ran
 *	  -c  run both sides on CPU (default: where the scheduler puts them)
 *	  -k  keep the kernel's default buffer sizes (else a pipe is made big
 *	      enough for one message: ch->room)
 *	  -t  give up on one method and size after SECONDS (default 60)
 *	  -l  list the methods and the ipcchan-bench method each compares with
 *
 * It prints one line per method and size, after a "#" header:
 *
 *	method size n rt_per_s min_us p50_us checksum delivered [# error]
 *	pipe 4096 2000 10243.7 61.2 88.0 ok 2000
 *
 * n is the number of round trips run (N, or fewer with -d), rt_per_s the
 * round trips per second over all of them, min_us and p50_us the fastest
 * and the median round trip in microseconds, all measured by the client;
 * checksum is "ok" when every byte of every request and reply arrived as
 * sent (else "BAD"), delivered is how many replies the client received.
 * The exit status is 0 when every line says ok with all n delivered.
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <sched.h>
#include <semaphore.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_SIZES	32
#define MAX_SIZE	(64UL << 20)
#define PAGE		4096UL
/* Bytes the framework leaves free before each local buffer (sysv-msg's mtype). */
#define HEADROOM	64

/* Directions: requests go client -> server, replies server -> client. */
enum { REQ = 0, REP = 1 };

/*
 * One channel between the client (side 0, the parent) and the server (side
 * 1, the child).  setup() runs in the parent before fork(), so the child
 * inherits everything in here: file descriptors, message queue descriptors,
 * mappings.
 */
struct chan {
	size_t size;		/* bytes per message, both directions */
	size_t room;		/* a kernel buffer this big holds a message (0: -k) */
	int side;		/* 0 in the client, 1 in the server */
	/*
	 * Where the message of each direction is built by its sender and
	 * found by its receiver after recv().  The framework points them at
	 * local[] (private memory of each process, HEADROOM bytes free before
	 * it); a method may point them elsewhere in setup().
	 */
	void *msg[2];
	void *local[2];

	/* Method state: each method uses its own fields. */
	int fd[2][2];		/* pipe, socketpair: [dir][0] read, [dir][1] write */
	mqd_t mq[2];		/* posix-mq: one queue per direction */
	int msqid;		/* sysv-msg: one queue, mtype = dir + 1 */
	int memfd;		/* shm: the shared memory file */
	void *map;		/* shm: its mapping */
	size_t map_len;
	sem_t *sem;		/* shm: sem[dir] counts messages of dir */
};

/*
 * A method.  Every function returns 0 or -errno; only setup() and
 * teardown() run in the parent alone, send() and recv() run in both sides.
 */
struct method {
	const char *name;
	const char *bench;	/* ipcchan-bench's method for the same path */
	/* Before fork(): create the channel, maybe set ch->msg[]. */
	int (*setup)(struct chan *ch);
	/* ch->msg[dir] holds ch->size bytes: deliver them to the other side. */
	int (*send)(struct chan *ch, int dir);
	/* Wait for the next message of dir: ch->msg[dir] then holds it. */
	int (*recv)(struct chan *ch, int dir);
	/* After both sides are done (the child has exited): free it all. */
	void (*teardown)(struct chan *ch);
};

/* ---- pipe: the worked example ------------------------------------------ */

/* Two pipes, one per direction. */
static int pipe_setup(struct chan *ch)
{
	if (pipe(ch->fd[REQ]))
		return -errno;
	if (pipe(ch->fd[REP])) {
		int err = -errno;

		close(ch->fd[REQ][0]);
		close(ch->fd[REQ][1]);
		return err;
	}
	/*
	 * A pipe holds 64 KiB: a bigger message would go through it in
	 * pieces, each a wake-up of the reader.  Make room for a whole one
	 * (pingpong -k keeps the default, to see the difference).
	 */
	if (ch->room > 64 * 1024) {
		fcntl(ch->fd[REQ][1], F_SETPIPE_SZ, (int)ch->room);
		fcntl(ch->fd[REP][1], F_SETPIPE_SZ, (int)ch->room);
	}
	return 0;
}

/*
 * A byte stream has no message boundaries: write() and read() may move
 * fewer bytes than asked (a pipe holds 64 KiB by default), so both loop.
 */
static int fd_send(struct chan *ch, int dir)
{
	const char *p = ch->msg[dir];
	size_t done = 0;

	while (done < ch->size) {
		ssize_t n = write(ch->fd[dir][1], p + done, ch->size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += n;
	}
	return 0;
}

static int fd_recv(struct chan *ch, int dir)
{
	char *p = ch->msg[dir];
	size_t done = 0;

	while (done < ch->size) {
		ssize_t n = read(ch->fd[dir][0], p + done, ch->size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)	/* 0: end of file, the other side is gone */
			return n < 0 ? -errno : -EPIPE;
		done += n;
	}
	return 0;
}

/* Closing a descriptor twice is harmless here: the child has exited. */
static void fd_teardown(struct chan *ch)
{
	int d, e;

	for (d = 0; d < 2; d++)
		for (e = 0; e < 2; e++)
			if (ch->fd[d][e] >= 0)
				close(ch->fd[d][e]);
}

/* ---- socketpair --------------------------------------------------------- */

/*
 * One AF_UNIX SOCK_STREAM socketpair carries both directions: what is
 * written on one end is read on the other.  Fill ch->fd[][] so that
 * fd_send() and fd_recv() work unchanged.
 */
static int sock_setup(struct chan *ch)
{
	/* LAB1 BEGIN socketpair: one socketpair(); which end writes requests, which reads them? */
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -errno;
	ch->fd[REQ][1] = sv[0];		/* the client writes requests ... */
	ch->fd[REQ][0] = sv[1];		/* ... the server reads them */
	ch->fd[REP][1] = sv[1];		/* and the other way round */
	ch->fd[REP][0] = sv[0];
	return 0;
	/*
	 * LAB1 STUB socketpair
	 *	(void)ch;
	 *	return -ENOSYS;
	 * LAB1 END socketpair
	 */
}

/* Both directions share the two descriptors: close each once. */
static void sock_teardown(struct chan *ch)
{
	if (ch->fd[REQ][0] >= 0)
		close(ch->fd[REQ][0]);
	if (ch->fd[REQ][1] >= 0)
		close(ch->fd[REQ][1]);
}

/* ---- POSIX message queues ---------------------------------------------- */

/*
 * Two queues, one per direction, each holding one message of ch->size
 * bytes (raise_limits() has made room).  Give them names no other run
 * uses, and unlink them at once: the descriptors keep them alive, and
 * the child inherits the descriptors.
 */
static int pmq_setup(struct chan *ch)
{
	/* LAB1 BEGIN posix-mq-setup: mq_open() two queues (O_CREAT | O_EXCL, an mq_attr with mq_maxmsg 1 and mq_msgsize ch->size), then mq_unlink() */
	struct mq_attr attr = { .mq_maxmsg = 1, .mq_msgsize = (long)ch->size };
	char name[64];
	int d, err;

	for (d = 0; d < 2; d++) {
		snprintf(name, sizeof(name), "/lab1-pingpong-%d-%d", getpid(), d);
		ch->mq[d] = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
		if (ch->mq[d] == (mqd_t)-1) {
			err = -errno;
			if (d)
				mq_close(ch->mq[0]);
			return err;
		}
		mq_unlink(name);
	}
	return 0;
	/*
	 * LAB1 STUB posix-mq-setup
	 *	(void)ch;
	 *	return -ENOSYS;
	 * LAB1 END posix-mq-setup
	 */
}

static int pmq_send(struct chan *ch, int dir)
{
	/* LAB1 BEGIN posix-mq-send: mq_send() the message; retry on EINTR */
	while (mq_send(ch->mq[dir], ch->msg[dir], ch->size, 0))
		if (errno != EINTR)
			return -errno;
	return 0;
	/*
	 * LAB1 STUB posix-mq-send
	 *	(void)ch;
	 *	(void)dir;
	 *	return -ENOSYS;
	 * LAB1 END posix-mq-send
	 */
}

static int pmq_recv(struct chan *ch, int dir)
{
	/* LAB1 BEGIN posix-mq-recv: mq_receive() into ch->msg[dir]; a message is always whole, check its length */
	ssize_t n;

	do
		n = mq_receive(ch->mq[dir], ch->msg[dir], ch->size, NULL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == ch->size ? 0 : -EMSGSIZE;
	/*
	 * LAB1 STUB posix-mq-recv
	 *	(void)ch;
	 *	(void)dir;
	 *	return -ENOSYS;
	 * LAB1 END posix-mq-recv
	 */
}

static void pmq_teardown(struct chan *ch)
{
	/* LAB1 BEGIN posix-mq-teardown: close both queues */
	mq_close(ch->mq[REQ]);
	mq_close(ch->mq[REP]);
	/*
	 * LAB1 STUB posix-mq-teardown
	 *	(void)ch;
	 * LAB1 END posix-mq-teardown
	 */
}

/* ---- System V message queues ------------------------------------------- */

/*
 * One private queue carries both directions: a message's mtype says which
 * (REQ + 1 or REP + 1; mtype must be positive) and msgrcv() picks by it.
 * msgsnd() wants the long mtype right before the bytes: the framework's
 * buffers have HEADROOM free bytes in front, so no copy is needed.
 */
static int sysv_setup(struct chan *ch)
{
	/* LAB1 BEGIN sysv-msg-setup: msgget(IPC_PRIVATE, ...) */
	ch->msqid = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	return ch->msqid < 0 ? -errno : 0;
	/*
	 * LAB1 STUB sysv-msg-setup
	 *	(void)ch;
	 *	return -ENOSYS;
	 * LAB1 END sysv-msg-setup
	 */
}

static int sysv_send(struct chan *ch, int dir)
{
	/* LAB1 BEGIN sysv-msg-send: put the mtype in the long before ch->msg[dir], then msgsnd() */
	long *m = (long *)ch->msg[dir] - 1;

	*m = dir + 1;
	while (msgsnd(ch->msqid, m, ch->size, 0))
		if (errno != EINTR)
			return -errno;
	return 0;
	/*
	 * LAB1 STUB sysv-msg-send
	 *	(void)ch;
	 *	(void)dir;
	 *	return -ENOSYS;
	 * LAB1 END sysv-msg-send
	 */
}

static int sysv_recv(struct chan *ch, int dir)
{
	/* LAB1 BEGIN sysv-msg-recv: msgrcv() the next message of type dir + 1 into the same place */
	long *m = (long *)ch->msg[dir] - 1;
	ssize_t n;

	do
		n = msgrcv(ch->msqid, m, ch->size, dir + 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == ch->size ? 0 : -EMSGSIZE;
	/*
	 * LAB1 STUB sysv-msg-recv
	 *	(void)ch;
	 *	(void)dir;
	 *	return -ENOSYS;
	 * LAB1 END sysv-msg-recv
	 */
}

static void sysv_teardown(struct chan *ch)
{
	/* LAB1 BEGIN sysv-msg-teardown: remove the queue (it outlives the processes otherwise: see ipcs -q) */
	msgctl(ch->msqid, IPC_RMID, NULL);
	/*
	 * LAB1 STUB sysv-msg-teardown
	 *	(void)ch;
	 * LAB1 END sysv-msg-teardown
	 */
}

/* ---- shared memory: map instead of copy --------------------------------- */

/*
 * A memfd mapped MAP_SHARED before fork(), so parent and child see the same
 * pages: the first page holds two process-shared semaphores, then one slot
 * per direction.  ch->msg[dir] points at the slot itself: the sender builds
 * the message in place and the receiver checks it in place, so the data is
 * never copied.  sem[dir] counts the messages of dir that are ready.
 */
static int shm_setup(struct chan *ch)
{
	/* LAB1 BEGIN shm-setup: memfd_create(), ftruncate(), mmap(MAP_SHARED), sem_init(pshared = 1) twice, point ch->msg[] at the slots */
	size_t slot = (ch->size + PAGE - 1) / PAGE * PAGE;
	int d;

	ch->memfd = memfd_create("lab1-pingpong", MFD_CLOEXEC);
	if (ch->memfd < 0)
		return -errno;
	ch->map_len = PAGE + 2 * slot;
	if (ftruncate(ch->memfd, ch->map_len))
		goto fail;
	ch->map = mmap(NULL, ch->map_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		       ch->memfd, 0);
	if (ch->map == MAP_FAILED)
		goto fail;
	ch->sem = ch->map;
	for (d = 0; d < 2; d++) {
		if (sem_init(&ch->sem[d], 1, 0))
			goto fail_unmap;
		ch->msg[d] = (char *)ch->map + PAGE + d * slot;
	}
	return 0;
fail_unmap:
	d = -errno;
	munmap(ch->map, ch->map_len);
	close(ch->memfd);
	return d;
fail:
	d = -errno;
	close(ch->memfd);
	return d;
	/*
	 * LAB1 STUB shm-setup
	 *	(void)ch;
	 *	return -ENOSYS;
	 * LAB1 END shm-setup
	 */
}

static int shm_send(struct chan *ch, int dir)
{
	/* LAB1 BEGIN shm-send: the message is already in place: tell the other side */
	return sem_post(&ch->sem[dir]) ? -errno : 0;
	/*
	 * LAB1 STUB shm-send
	 *	(void)ch;
	 *	(void)dir;
	 *	return -ENOSYS;
	 * LAB1 END shm-send
	 */
}

static int shm_recv(struct chan *ch, int dir)
{
	/* LAB1 BEGIN shm-recv: sleep until a message of dir is ready (sem_wait() returns EINTR on a signal) */
	while (sem_wait(&ch->sem[dir]))
		if (errno != EINTR)
			return -errno;
	return 0;
	/*
	 * LAB1 STUB shm-recv
	 *	(void)ch;
	 *	(void)dir;
	 *	return -ENOSYS;
	 * LAB1 END shm-recv
	 */
}

static void shm_teardown(struct chan *ch)
{
	/* LAB1 BEGIN shm-teardown: sem_destroy(), munmap(), close() */
	sem_destroy(&ch->sem[REQ]);
	sem_destroy(&ch->sem[REP]);
	munmap(ch->map, ch->map_len);
	close(ch->memfd);
	/*
	 * LAB1 STUB shm-teardown
	 *	(void)ch;
	 * LAB1 END shm-teardown
	 */
}

static const struct method methods[] = {
	{ "pipe", "pipe", pipe_setup, fd_send, fd_recv, fd_teardown },
	{ "socketpair", "unix-stream", sock_setup, fd_send, fd_recv, sock_teardown },
	{ "posix-mq", "posix-mq", pmq_setup, pmq_send, pmq_recv, pmq_teardown },
	{ "sysv-msg", "sysv-msg", sysv_setup, sysv_send, sysv_recv, sysv_teardown },
	{ "shm", "shm-futex", shm_setup, shm_send, shm_recv, shm_teardown },
};

/* ---- the framework: nothing to change below ------------------------------ */

/*
 * The payload: 64-bit words, word i of message seq is seq_base(seq) + i (a
 * short tail, when the size is not a multiple of 8, takes that value's low
 * byte).  The sender writes every byte, the receiver reads every byte.
 */
static uint64_t seq_base(uint64_t seq)
{
	return (seq + 1) * 0x9e3779b97f4a7c15ULL;
}

static void fill(void *buf, size_t size, uint64_t seq)
{
	uint64_t *w = buf, b = seq_base(seq);
	unsigned char *t = (unsigned char *)buf;
	size_t i, nw = size / 8;

	for (i = 0; i < nw; i++)
		w[i] = b + i;
	for (i = nw * 8; i < size; i++)
		t[i] = (unsigned char)(b + i);
}

/* The number of wrong words or bytes (0: the message arrived intact). */
static size_t check(const void *buf, size_t size, uint64_t seq)
{
	const uint64_t *w = buf;
	const unsigned char *t = buf;
	uint64_t b = seq_base(seq);
	size_t i, nw = size / 8, bad = 0;

	for (i = 0; i < nw; i++)
		bad += w[i] != b + i;
	for (i = nw * 8; i < size; i++)
		bad += t[i] != (unsigned char)(b + i);
	return bad;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Write @val to a /proc/sys file when it holds less; quiet when not root. */
static void raise_sysctl(const char *path, long long val)
{
	long long cur;
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	if (fscanf(f, "%lld", &cur) != 1)
		cur = val;
	fclose(f);
	if (cur >= val)
		return;
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "%lld\n", val);
		fclose(f);
	}
}

/* The power of two that holds @size bytes. */
static size_t room_for(size_t size)
{
	size_t r = PAGE;

	while (r < size)
		r *= 2;
	return r;
}

/*
 * The message queues' limits are small by default: 8 KiB per message for
 * both kinds, 16 KiB per SysV queue, 800 KiB of POSIX queues per user.
 * Raise them so that one message of the largest size fits, and the largest
 * pipe a process may ask for (1 MiB by default) too (root only).
 */
static void raise_limits(size_t max)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

	raise_sysctl("/proc/sys/fs/mqueue/msgsize_max", max);
	raise_sysctl("/proc/sys/kernel/msgmax", max);
	raise_sysctl("/proc/sys/kernel/msgmnb", 2 * max);
	raise_sysctl("/proc/sys/fs/pipe-max-size", room_for(max));
	setrlimit(RLIMIT_MSGQUEUE, &rl);
}

/* Set by the watchdog and the server's alarm (SIGUSR1): abort the cell. */
static sigjmp_buf cell_abort;

static void on_abort(int sig)
{
	siglongjmp(cell_abort, sig);
}

/* What the server tells the client, in a page both share. */
struct report {
	unsigned long bad;	/* wrong words or bytes in the requests */
};

/* The server: up to n times, receive a request, check it, reply. */
static void server(const struct method *m, struct chan *ch, unsigned long n,
		   struct report *rep)
{
	unsigned long i;
	int err;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	ch->side = 1;
	for (i = 0; i < n; i++) {
		err = m->recv(ch, REQ);
		if (err)
			goto fail;
		rep->bad += check(ch->msg[REQ], ch->size, 2 * i);
		fill(ch->msg[REP], ch->size, 2 * i + 1);
		err = m->send(ch, REP);
		if (err)
			goto fail;
	}
	_exit(0);
fail:
	fprintf(stderr, "pingpong: %s server, round trip %lu: %s\n", m->name, i,
		strerror(-err));
	kill(getppid(), SIGUSR1);
	_exit(2);
}

static void *alloc_local(size_t size)
{
	char *p = mmap(NULL, size + PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	/* The buffer starts one page in: HEADROOM bytes before it are ours. */
	return p == MAP_FAILED ? NULL : p + PAGE;
}

static void free_local(void *p, size_t size)
{
	if (p)
		munmap((char *)p - PAGE, size + PAGE);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Options that apply to every cell. */
static unsigned int limit = 60;		/* -t: the watchdog, seconds */
static double duration;			/* -d: stop after this long (0: n) */
static int keep_buffers;		/* -k: the kernel's default buffer sizes */

/* One method, one size: prints its line; returns 0 when all is well. */
static int run_cell(const struct method *m, size_t size, unsigned long nreq)
{
	/* (static or volatile: the watchdog's siglongjmp() lands in here) */
	static volatile unsigned long done;
	static struct chan ch;
	static struct report *rep;
	static double *lat;
	struct sigaction sa = { .sa_handler = on_abort };
	const char *volatile why = NULL;
	volatile size_t bad = 0;
	volatile double dt = 0, lo = 0, mid = 0;
	volatile unsigned long n = nreq;
	double t0, t;
	int err, status, sig, d;
	pid_t pid;

	memset(&ch, 0, sizeof(ch));
	ch.size = size;
	ch.room = keep_buffers ? 0 : room_for(size);
	ch.side = 0;
	ch.msqid = -1;
	ch.memfd = -1;
	for (d = 0; d < 2; d++) {
		ch.fd[d][0] = ch.fd[d][1] = -1;
		ch.mq[d] = (mqd_t)-1;
		ch.local[d] = alloc_local(size);
		ch.msg[d] = ch.local[d];
	}
	done = 0;
	lat = calloc(n, sizeof(*lat));
	rep = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		   -1, 0);
	if (!ch.local[0] || !ch.local[1] || !lat || rep == MAP_FAILED) {
		printf("%s %zu %lu 0.0 0.0 0.0 - 0 # out of memory\n", m->name,
		       size, n);
		goto out_free;
	}
	err = m->setup(&ch);
	if (err) {
		printf("%s %zu %lu 0.0 0.0 0.0 - 0 # setup: %s\n", m->name, size,
		       n, strerror(-err));
		goto out_free;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		why = "fork failed";
		goto out_teardown;
	}
	if (pid == 0)
		server(m, &ch, n, rep);

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sig = sigsetjmp(cell_abort, 1);
	if (sig) {
		why = sig == SIGALRM ? "timed out" : "the server failed";
	} else {
		alarm(limit);
		t0 = now();
		while (done < n) {
			t = now();
			fill(ch.msg[REQ], size, 2 * done);
			err = m->send(&ch, REQ);
			if (!err)
				err = m->recv(&ch, REP);
			if (err) {
				why = strerror(-err);
				break;
			}
			bad += check(ch.msg[REP], size, 2 * done + 1);
			lat[done++] = now() - t;
			if (duration > 0 && done >= 10 && now() - t0 >= duration)
				break;
		}
		dt = now() - t0;
		alarm(0);
	}
	signal(SIGALRM, SIG_DFL);
	signal(SIGUSR1, SIG_IGN);
	/* Early (an error, the time box): the server waits for more. */
	if (why || done < n)
		kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	signal(SIGUSR1, SIG_DFL);
	if (!why && done == n && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		why = "the server failed";
	bad += rep->bad;
	if (!why && done < n)
		n = done;	/* time-boxed: the round trips it had time for */
	if (done) {
		qsort(lat, done, sizeof(*lat), cmp_double);
		lo = lat[0];
		mid = lat[done / 2];
	}
out_teardown:
	m->teardown(&ch);
	printf("%s %zu %lu %.1f %.1f %.1f %s %lu%s%s\n", m->name, size, n,
	       dt > 0 && !why ? done / dt : 0.0, lo * 1e6, mid * 1e6,
	       bad || why || done != n ? "BAD" : "ok", done,
	       why ? " # " : "", why ? why : "");
out_free:
	fflush(stdout);
	if (rep != MAP_FAILED)
		munmap(rep, PAGE);
	free(lat);
	free_local(ch.local[0], size);
	free_local(ch.local[1], size);
	return bad || why || done != n;
}

/* "64K" -> 65536; 0 on a malformed or too large size. */
static size_t parse_size(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (end == s)
		return 0;
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	return *end || v > MAX_SIZE ? 0 : v;
}

static void usage(void)
{
	fprintf(stderr, "usage: pingpong [-m METHODS|all] [-s SIZES] [-n N] [-d SECONDS] [-c CPU] [-k]\n"
		"                [-t SECONDS] [-l]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	char *mlist = NULL, *slist = NULL, *tok, *save;
	size_t sizes[MAX_SIZES], nsizes = 0, max = 0, i, k;
	unsigned long n = 0;
	long cpu = -1;
	int opt, fails = 0, any = 0;
	char sdefault[] = "64,4K,64K,1M";

	while ((opt = getopt(argc, argv, "m:s:n:t:d:c:kl")) != -1) {
		switch (opt) {
		case 'm': mlist = optarg; break;
		case 's': slist = optarg; break;
		case 'n': n = strtoul(optarg, NULL, 0); break;
		case 't': limit = strtoul(optarg, NULL, 0); break;
		case 'd': duration = strtod(optarg, NULL); break;
		case 'c': cpu = strtol(optarg, NULL, 0); break;
		case 'k': keep_buffers = 1; break;
		case 'l':
			for (k = 0; k < ARRAY_SIZE(methods); k++)
				printf("%-12s (ipcchan-bench: %s)\n",
				       methods[k].name, methods[k].bench);
			return 0;
		default: usage();
		}
	}
	if (optind < argc || (mlist && !*mlist) || !limit)
		usage();
	for (tok = strtok_r(slist ? slist : sdefault, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (nsizes == MAX_SIZES || !(sizes[nsizes] = parse_size(tok))) {
			fprintf(stderr, "pingpong: bad size '%s' (1 byte to 64M)\n", tok);
			return 2;
		}
		if (sizes[nsizes] > max)
			max = sizes[nsizes];
		nsizes++;
	}
	raise_limits(max);
	if (cpu >= 0) {		/* the server inherits it */
		cpu_set_t set;

		CPU_ZERO(&set);
		if (cpu < CPU_SETSIZE)
			CPU_SET(cpu, &set);
		if (cpu >= CPU_SETSIZE || sched_setaffinity(0, sizeof(set), &set)) {
			fprintf(stderr, "pingpong: cannot run on CPU %ld\n", cpu);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	printf("# method size n rt_per_s min_us p50_us checksum delivered\n");
	for (k = 0; k < ARRAY_SIZE(methods); k++) {
		const struct method *m = &methods[k];
		char copy[256];

		if (mlist && strcmp(mlist, "all")) {
			int found = 0;

			snprintf(copy, sizeof(copy), "%s", mlist);
			for (tok = strtok_r(copy, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save))
				found |= !strcmp(tok, m->name);
			if (!found)
				continue;
		}
		any = 1;
		for (i = 0; i < nsizes; i++) {
			unsigned long rt = n;

			if (!rt) {
				rt = (32UL << 20) / sizes[i];
				rt = rt < 20 ? 20 : rt > 2000 ? 2000 : rt;
			}
			fails += run_cell(m, sizes[i], rt);
		}
	}
	if (!any) {
		fprintf(stderr, "pingpong: no such method (see -l)\n");
		return 2;
	}
	return fails ? 1 : 0;
}
