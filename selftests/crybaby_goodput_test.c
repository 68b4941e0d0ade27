// SPDX-License-Identifier: GPL-2.0
/*
 * Crybaby receiver at the default settings.  One source, three
 * receivers (rt-r1..rt-r3, in order, default options).  The source sends
 * N 1000-byte messages as fast as its default rate lets it; the time
 * until both healthy receivers (r1, r2) have all N is the group's
 * goodput.  Runs alternate: r3 lossless, r3 behind 50% loss (netem on
 * its bridge port), three times each, back to back in one boot; the
 * healthy receivers' total time with the crybaby must be within 10% of
 * the total without it (stock kernel; on the debug kernel the ratio is
 * printed, not asserted: see the end).  The source must have heard the crybaby (nak_received)
 * and kept its repairs within the default share of its data (RDATA wire
 * bytes <= 5% of ODATA wire bytes, 5% + one burst of rdata_rate of
 * slack); its nak_ignored and nak_rate_dropped counters are printed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop
#pragma GCC diagnostic ignored "-Wclobbered"
#include "rmcast_netns.h"

#define GROUP		"239.78.6.1"
#define PORT		8100
#define MSG_SIZE	1000
#define ROUNDS		3
#define RDATA_SHARE	5	/* net.rmcast.rdata_share default, % */

struct rxw {
	int fd;
	uint64_t want;
	uint64_t got;
	uint64_t losses;
	int64_t t_done;		/* 0 until got == want */
	int stop;		/* __atomic */
};

static void *reader(void *arg)
{
	struct rxw *w = arg;
	struct rmcast_loss l;
	char buf[2048];
	struct pollfd p = { .fd = w->fd, .events = POLLIN };
	ssize_t n;

	while (!__atomic_load_n(&w->stop, __ATOMIC_RELAXED)) {
		if (poll(&p, 1, 20) <= 0)
			continue;
		for (;;) {
			n = recv(w->fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (n < 0 && errno == ENODATA)
				continue;
			if (n < 0)
				break;
			if (++w->got == w->want)
				__atomic_store_n(&w->t_done, rt_now_ns(),
						 __ATOMIC_RELEASE);
		}
		while (!rmcast_read_loss(w->fd, &l))
			w->losses += rmcast_loss_count(&l);
	}
	return NULL;
}

struct run_result {
	int64_t ms;		/* healthy receivers' time, -1: failed */
	struct rmcast_stats src;
	struct rmcast_stats rx[3];
	int64_t src_ms;		/* source socket's lifetime */
	uint64_t losses[3];
};

static void run(int lossy, uint64_t n, struct run_result *res)
{
	struct rxw w[3] = { 0 };
	pthread_t th[3];
	char msg[MSG_SIZE] = { 0 };
	int64_t t0, tc, limit;
	uint64_t i;
	int fd_s, r;

	res->ms = -1;
	rt_sh("/sbin/tc qdisc del dev q-r3 root 2>/dev/null");
	if (lossy && rt_sh("/sbin/tc qdisc replace dev q-r3 root netem loss 50%%"))
		return;
	for (r = 0; r < 3; r++) {
		char ns[16];

		snprintf(ns, sizeof(ns), "rt-r%d", r + 1);
		w[r].fd = rt_sock(ns, GROUP, PORT, 1, NULL);
		w[r].want = n;
		if (w[r].fd < 0)
			return;
		pthread_create(&th[r], NULL, reader, &w[r]);
	}
	tc = rt_now_ns();
	fd_s = rt_sock("rt-s", GROUP, PORT, 0, NULL);
	if (fd_s < 0)
		return;
	t0 = rt_now_ns();
	for (i = 0; i < n; i++)
		if (send(fd_s, msg, sizeof(msg), 0) != sizeof(msg))
			break;
	limit = t0 + rt_scale(60000) * 1000000LL;
	while ((!__atomic_load_n(&w[0].t_done, __ATOMIC_ACQUIRE) ||
		!__atomic_load_n(&w[1].t_done, __ATOMIC_ACQUIRE)) &&
	       rt_now_ns() < limit)
		rt_sleep_ms(5);
	rmcast_get_stats(fd_s, &res->src);
	res->src_ms = (rt_now_ns() - tc) / 1000000;
	for (r = 0; r < 3; r++) {
		__atomic_store_n(&w[r].stop, 1, __ATOMIC_RELAXED);
		pthread_join(th[r], NULL);
		rmcast_get_stats(w[r].fd, &res->rx[r]);
		res->losses[r] = w[r].losses;
		close(w[r].fd);
	}
	close(fd_s);
	if (i == n && w[0].t_done && w[1].t_done)
		res->ms = ((w[0].t_done > w[1].t_done ? w[0].t_done :
			    w[1].t_done) - t0) / 1000000;
	rt_sh("/sbin/tc qdisc del dev q-r3 root 2>/dev/null");
	/* Let the crybaby's last NAKs and the FIN settle. */
	rt_sleep_ms(300);
}

static void show(const char *name, const struct run_result *r)
{
	int i;

	printf("# %s: healthy receivers done in %lld ms; source rdata_sent %llu rdata_wire_bytes %llu nak_received %llu nak_ignored %llu nak_rate_dropped %llu nak_no_repair %llu\n",
	       name, (long long)r->ms,
	       (unsigned long long)r->src.rdata_sent,
	       (unsigned long long)r->src.rdata_wire_bytes,
	       (unsigned long long)r->src.nak_received,
	       (unsigned long long)r->src.nak_ignored,
	       (unsigned long long)r->src.nak_rate_dropped,
	       (unsigned long long)r->src.nak_no_repair);
	for (i = 0; i < 3; i++)
		printf("#   r%d: msgs %llu nak_sent %llu rdata_received %llu rcvbuf_dropped %llu lost %llu\n",
		       i + 1, (unsigned long long)r->rx[i].msgs_received,
		       (unsigned long long)r->rx[i].nak_sent,
		       (unsigned long long)r->rx[i].rdata_received,
		       (unsigned long long)r->rx[i].rcvbuf_dropped,
		       (unsigned long long)r->losses[i]);
}

FIXTURE(cry) {
	int up;
};

FIXTURE_SETUP(cry)
{
	self->up = 0;
	if (rt_topo_up(3))
		SKIP(return, "cannot build the netns/veth/bridge topology");
	self->up = 1;
}

FIXTURE_TEARDOWN(cry)
{
	if (self->up)
		rt_topo_down(3);
}

TEST_F_TIMEOUT(cry, goodput, 300)
{
	uint64_t n = rt_slow() ? 3000 : 30000;
	struct run_result a, c;
	int64_t ta = 0, tcry = 0;
	uint64_t budget;
	int k;

	for (k = 0; k < ROUNDS; k++) {
		run(0, n, &a);
		show("no crybaby", &a);
		ASSERT_GE(a.ms, 0) TH_LOG("healthy receivers incomplete");
		run(1, n, &c);
		show("crybaby at 50% loss", &c);
		ASSERT_GE(c.ms, 0) TH_LOG("healthy receivers incomplete");
		ta += a.ms;
		tcry += c.ms;
		/* The source heard the crybaby. */
		EXPECT_GT(c.src.nak_received, 0);
		/*
		 * Repairs within the default share (rdata_share 5%) of
		 * the data sent, plus a burst of the default rdata_rate
		 * (10 MiB/s x rate_burst_msecs 10).
		 */
		budget = c.src.odata_wire_bytes * RDATA_SHARE / 100 *
			 105 / 100 + (10 << 20) / 100;
		EXPECT_LE(c.src.rdata_wire_bytes, budget)
			TH_LOG("rdata %llu bytes for %llu of odata",
			       (unsigned long long)c.src.rdata_wire_bytes,
			       (unsigned long long)c.src.odata_wire_bytes);
	}
	printf("# %llu messages x %d rounds: %lld ms without, %lld ms with the crybaby: ratio %.3f (limit 1.100)\n",
	       (unsigned long long)n, ROUNDS, (long long)ta, (long long)tcry,
	       (double)tcry / (double)ta);
	/*
	 * Not on the debug kernel: there, identical runs without a crybaby
	 * differ by a quarter (measured 5888 and 4707 ms back to back), so
	 * a 10% bound says nothing; the rounds still run for KASAN,
	 * lockdep and kmemleak, and the checks above still hold.
	 */
	if (rt_slow()) {
		printf("# ratio not asserted on the debug kernel (run-to-run noise ~25%%)\n");
		return;
	}
	EXPECT_LE(tcry * 100, ta * 110);
}

TEST_HARNESS_MAIN
