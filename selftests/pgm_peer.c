// SPDX-License-Identifier: GPL-2.0
/*
 * pgm_peer: an OpenPGM (libpgm 5.3) sender or receiver of rmcast-send's
 * self-verifying test messages (userspace/tools/testmsg.h), so that
 * pgm_interop.sh can run each implementation against the other.
 *
 *   pgm_peer send -i ADDR -g GROUP [-p PORT] -n COUNT [-S MIN:MAX]
 *                 [-r BYTES_PER_SEC] [-e SEED] [--linger SECS]
 *   pgm_peer recv -i ADDR -g GROUP [-p PORT] -n COUNT [-e SEED]
 *                 [-t SECS]
 *
 * ADDR is the interface's IPv4 address (numeric: the test VM has no name
 * service, and a static binary cannot use NSS).  UDP encapsulation on
 * OpenPGM's default ports 3055 (unicast) and 3056 (multicast), PGM data
 * port PORT (default 7500).  OpenPGM has no defaults: every option it
 * needs is set here; its times are in microseconds.
 *
 * The sender sends COUNT messages with pgm_send() while a second thread
 * runs pgm_recv() on the same socket: that is where an OpenPGM source
 * reads NAKs and sends NCFs and repairs.  Messages must fit one TPDU
 * (SEND_MAX): libpgm 5.3.128 crashes fragmenting a larger one.  Its SSE2
 * checksum-and-copy (do_csumcpy_sse2) aligns the source and then uses
 * an aligned 16-byte store on the destination, which is not aligned
 * where a fragment's payload starts after OPT_FRAGMENT: SIGSEGV in
 * send_apdu() (seen with a 5660-byte message).  Whole-TPDU payloads land
 * 16-byte aligned, so the buffer handed over is kept aligned too.  It keeps serving repairs for --linger seconds after the last
 * message, then closes (OpenPGM sends no OPT_FIN).
 *
 * The receiver checks every message: the next index, in order, no gap,
 * no duplicate, every byte as generated; an unrecoverable loss (OpenPGM
 * reports a session reset) fails.  It exits 0 once COUNT messages have
 * been verified.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>
#include <time.h>

#include <pgm/pgm.h>

#include "testmsg.h"

#define UCAST_PORT	3055
#define MCAST_PORT	3056
#define MSG_MAX		65536
#define SEND_MAX	1400	/* fits one TPDU at MTU 1500; see above */

struct opts {
	bool		send;
	const char	*addr;
	const char	*group;
	int		port;
	uint64_t	count;
	size_t		min, max;
	int		rate;
	uint16_t	seed;
	int		linger;
	int		timeout;
};

struct nak_thread {
	pgm_sock_t	*sock;
	int		stop;		/* __atomic */
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void die_pgm(const char *what, pgm_error_t *err)
{
	fprintf(stderr, "pgm_peer: %s: %s\n", what,
		err && err->message ? err->message : "failed");
	exit(1);
}

static void set_int(pgm_sock_t *sock, int opt, int val, const char *name)
{
	if (!pgm_setsockopt(sock, IPPROTO_PGM, opt, &val, sizeof(val))) {
		fprintf(stderr, "pgm_peer: setsockopt %s failed\n", name);
		exit(1);
	}
}

#define SET(sock, opt, val)	set_int(sock, opt, val, #opt)

/*
 * Wait as OpenPGM asks after a non-blocking call: for its timer, its
 * rate limit or its sockets, at most @max_ms.
 */
static void pgm_wait(pgm_sock_t *sock, int status, int max_ms)
{
	struct timeval tv = { .tv_sec = max_ms / 1000,
			      .tv_usec = (max_ms % 1000) * 1000 };
	struct timeval t;
	socklen_t len = sizeof(t);
	fd_set readfds;
	int n = 0;

	if (status == PGM_IO_STATUS_TIMER_PENDING &&
	    pgm_getsockopt(sock, IPPROTO_PGM, PGM_TIME_REMAIN, &t, &len) &&
	    timercmp(&t, &tv, <))
		tv = t;
	if (status == PGM_IO_STATUS_RATE_LIMITED &&
	    pgm_getsockopt(sock, IPPROTO_PGM, PGM_RATE_REMAIN, &t, &len) &&
	    timercmp(&t, &tv, <))
		tv = t;
	FD_ZERO(&readfds);
	pgm_select_info(sock, &readfds, NULL, &n);
	select(n, &readfds, NULL, NULL, &tv);
}

static pgm_sock_t *open_sock(const struct opts *o)
{
	struct pgm_interface_req_t ifr;
	struct pgm_addrinfo_t *res = NULL;
	struct pgm_sockaddr_t addr;
	pgm_error_t *err = NULL;
	pgm_sock_t *sock = NULL;
	char net[128];
	unsigned int i;

	snprintf(net, sizeof(net), "%s;%s", o->addr, o->group);
	if (!pgm_getaddrinfo(net, NULL, &res, &err))
		die_pgm(net, err);
	if (!pgm_socket(&sock, AF_INET, SOCK_SEQPACKET, IPPROTO_UDP, &err))
		die_pgm("pgm_socket", err);
	SET(sock, PGM_UDP_ENCAP_UCAST_PORT, UCAST_PORT);
	SET(sock, PGM_UDP_ENCAP_MCAST_PORT, MCAST_PORT);
	SET(sock, PGM_MTU, 1500);
	if (o->send) {
		/* heartbeat SPMs after data, then ambient every 1 s */
		const int hb[] = { 50000, 100000, 200000, 400000, 800000,
				   1000000 };

		SET(sock, PGM_SEND_ONLY, 1);
		SET(sock, PGM_TXW_SQNS, 32768);
		SET(sock, PGM_TXW_MAX_RTE, o->rate);
		SET(sock, PGM_AMBIENT_SPM, 1000000);
		if (!pgm_setsockopt(sock, IPPROTO_PGM, PGM_HEARTBEAT_SPM, hb,
				    sizeof(hb)))
			die_pgm("PGM_HEARTBEAT_SPM", NULL);
	} else {
		SET(sock, PGM_RECV_ONLY, 1);
		SET(sock, PGM_PASSIVE, 0);
		SET(sock, PGM_RXW_SQNS, 32768);
		SET(sock, PGM_PEER_EXPIRY, 300 * 1000000);
		SET(sock, PGM_SPMR_EXPIRY, 250000);
		SET(sock, PGM_NAK_BO_IVL, 50000);
		SET(sock, PGM_NAK_RPT_IVL, 200000);
		SET(sock, PGM_NAK_RDATA_IVL, 400000);
		SET(sock, PGM_NAK_DATA_RETRIES, 50);
		SET(sock, PGM_NAK_NCF_RETRIES, 50);
	}

	memset(&addr, 0, sizeof(addr));
	addr.sa_port = (uint16_t)o->port;
	addr.sa_addr.sport = 0;		/* OpenPGM picks one */
	if (!pgm_gsi_create_from_hostname(&addr.sa_addr.gsi, &err))
		die_pgm("pgm_gsi_create_from_hostname", err);
	memset(&ifr, 0, sizeof(ifr));
	ifr.ir_interface = res->ai_recv_addrs[0].gsr_interface;
	memcpy(&ifr.ir_address, &res->ai_send_addrs[0].gsr_addr,
	       sizeof(struct sockaddr_storage));
	if (!pgm_bind3(sock, &addr, sizeof(addr), &ifr, sizeof(ifr), &ifr,
		       sizeof(ifr), &err))
		die_pgm("pgm_bind3", err);
	for (i = 0; i < res->ai_recv_addrs_len; i++)
		if (!pgm_setsockopt(sock, IPPROTO_PGM, PGM_JOIN_GROUP,
				    &res->ai_recv_addrs[i],
				    sizeof(struct group_req)))
			die_pgm("PGM_JOIN_GROUP", NULL);
	if (!pgm_setsockopt(sock, IPPROTO_PGM, PGM_SEND_GROUP,
			    &res->ai_send_addrs[0], sizeof(struct group_req)))
		die_pgm("PGM_SEND_GROUP", NULL);
	pgm_freeaddrinfo(res);
	SET(sock, PGM_MULTICAST_LOOP, 0);
	SET(sock, PGM_MULTICAST_HOPS, 16);
	SET(sock, PGM_NOBLOCK, 1);
	if (!pgm_connect(sock, &err))
		die_pgm("pgm_connect", err);
	return sock;
}

/* The source's receive side: NAKs in, NCFs and RDATA out. */
static void *nak_loop(void *arg)
{
	struct nak_thread *t = arg;
	char buf[4096];

	while (!__atomic_load_n(&t->stop, __ATOMIC_RELAXED)) {
		pgm_error_t *err = NULL;
		size_t len;
		int status;

		status = pgm_recv(t->sock, buf, sizeof(buf), 0, &len, &err);
		if (err)
			pgm_error_free(err);
		if (status != PGM_IO_STATUS_NORMAL)
			pgm_wait(t->sock, status, 50);
	}
	return NULL;
}

static int do_send(const struct opts *o, pgm_sock_t *sock)
{
	struct nak_thread t = { .sock = sock };
	static uint8_t buf[SEND_MAX] __attribute__((aligned(64)));
	struct testmsg_sizes sz;
	uint64_t i, bytes = 0;
	pthread_t th;
	int64_t end;

	if (pthread_create(&th, NULL, nak_loop, &t)) {
		fprintf(stderr, "pgm_peer: pthread_create failed\n");
		return 1;
	}
	testmsg_sizes_init(&sz, o->min, o->max, o->seed);
	for (i = 0; i < o->count; i++) {
		size_t len = testmsg_sizes_next(&sz), done;
		int status;

		testmsg_fill(buf, len, o->seed, i);
		for (;;) {
			status = pgm_send(sock, buf, len, &done);
			if (status == PGM_IO_STATUS_NORMAL)
				break;
			if (status != PGM_IO_STATUS_RATE_LIMITED &&
			    status != PGM_IO_STATUS_WOULD_BLOCK) {
				fprintf(stderr, "pgm_peer: pgm_send: status %d\n",
					status);
				return 1;
			}
			pgm_wait(sock, status, 5);
		}
		bytes += len;
	}
	printf("pgm_peer send: sent %" PRIu64 " messages, %" PRIu64
	       " bytes\n", i, bytes);
	fflush(stdout);
	end = now_ms() + (int64_t)o->linger * 1000;
	while (now_ms() < end) {
		struct timespec ts = { 0, 50 * 1000000 };

		nanosleep(&ts, NULL);
	}
	__atomic_store_n(&t.stop, 1, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	return 0;
}

static int do_recv(const struct opts *o, pgm_sock_t *sock)
{
	static uint8_t buf[MSG_MAX], scratch[MSG_MAX];
	uint64_t got = 0, bytes = 0, hash = FNV1A64_INIT;
	int64_t end = now_ms() + (int64_t)o->timeout * 1000;
	struct testmsg_hdr h;
	int rc = 1;

	while (got < o->count && now_ms() < end) {
		pgm_error_t *err = NULL;
		size_t len = 0;
		int status;

		status = pgm_recv(sock, buf, sizeof(buf), 0, &len, &err);
		if (err) {
			fprintf(stderr, "pgm_peer: pgm_recv: %s\n",
				err->message);
			pgm_error_free(err);
		}
		if (status == PGM_IO_STATUS_RESET) {
			fprintf(stderr, "pgm_peer: unrecoverable loss (session reset) after %" PRIu64 " messages\n",
				got);
			goto out;
		}
		if (status != PGM_IO_STATUS_NORMAL) {
			if (status == PGM_IO_STATUS_ERROR)
				goto out;
			pgm_wait(sock, status, 100);
			continue;
		}
		testmsg_parse(buf, len, &h);
		if ((h.has_magic && h.magic != TESTMSG_MAGIC) ||
		    (h.has_seed && h.seed != o->seed) ||
		    (h.has_index && h.index != got) ||
		    testmsg_check(buf, len, o->seed, got, scratch) != -1) {
			fprintf(stderr, "pgm_peer: message %" PRIu64 " (%zu bytes) wrong%s%s\n",
				got, len,
				h.has_index && h.index != got ? ": index " : "",
				h.has_index && h.index != got ?
				(h.index < got ? "repeated" : "skipped") : "");
			goto out;
		}
		hash = fnv1a64(hash, buf, len);
		bytes += len;
		got++;
	}
	rc = got == o->count ? 0 : 1;
out:
	printf("pgm_peer recv: got %" PRIu64 " of %" PRIu64 " messages, %"
	       PRIu64 " bytes, hash 0x%016" PRIx64 "\n", got, o->count, bytes,
	       hash);
	return rc;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: pgm_peer send|recv -i ADDR -g GROUP [-p PORT] -n COUNT\n"
		"       [-S MIN:MAX | -s SIZE] [-r BYTES_PER_SEC] [-e SEED]\n"
		"       [--linger SECS] [-t SECS]\n");
	exit(2);
}

static void parse(int argc, char **argv, struct opts *o)
{
	static const struct option lopts[] = {
		{ "linger", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "send"))
		o->send = true;
	else if (strcmp(argv[1], "recv"))
		usage();
	optind = 2;
	while ((c = getopt_long(argc, argv, "i:g:p:n:S:s:r:e:t:", lopts,
				NULL)) != -1) {
		switch (c) {
		case 'i': o->addr = optarg; break;
		case 'g': o->group = optarg; break;
		case 'p': o->port = atoi(optarg); break;
		case 'n': o->count = strtoull(optarg, NULL, 0); break;
		case 'S':
			if (sscanf(optarg, "%zu:%zu", &o->min, &o->max) != 2)
				usage();
			break;
		case 's': o->min = o->max = strtoul(optarg, NULL, 0); break;
		case 'r': o->rate = atoi(optarg); break;
		case 'e': o->seed = (uint16_t)atoi(optarg); break;
		case 't': o->timeout = atoi(optarg); break;
		case 'L': o->linger = atoi(optarg); break;
		default: usage();
		}
	}
	if (!o->addr || !o->group || !o->count || !o->min ||
	    o->max < o->min || o->max > (o->send ? SEND_MAX : MSG_MAX) ||
	    o->rate <= 0)
		usage();
}

int main(int argc, char **argv)
{
	struct opts o = { .port = 7500, .min = 1000, .max = 1000,
			  .rate = 2000000, .seed = 1, .linger = 5,
			  .timeout = 60 };
	pgm_error_t *err = NULL;
	pgm_sock_t *sock;
	int rc;

	parse(argc, argv, &o);
	if (!pgm_init(&err))
		die_pgm("pgm_init", err);
	sock = open_sock(&o);
	rc = o.send ? do_send(&o, sock) : do_recv(&o, sock);
	pgm_close(sock, true);
	pgm_shutdown();
	return rc;
}
