// SPDX-License-Identifier: GPL-2.0
/*
 * The source's two token buckets, measured from its own counters:
 *
 *  odata: a sender limited by RMCAST_ODATA_RATE = R and sending
 *	continuously achieves R within 5% (odata_wire_bytes delta over
 *	>= 3 s of CLOCK_MONOTONIC), and did wait for the bucket;
 *  rdata: a receiver behind 30% loss asks for more repairs than
 *	RMCAST_RDATA_RATE = R2 allows; rdata_wire_bytes grows at R2
 *	within 5% over >= 3 s, while original data still flows at its own
 *	rate within 5%.  With both buckets empty the source keeps sending
 *	SPMs and NCFs: spm_sent and ncf_sent grow in every second;
 *  share: the same, with a generous RMCAST_RDATA_RATE and
 *	RMCAST_RDATA_SHARE = 10: repairs take 10% of the measured original
 *	data rate, within 5% (the crybaby bound that holds however slowly
 *	the source sends).
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

#define GROUP		"239.78.3.1"
#define PORT		7800
#define MSG_SIZE	1000
#define INTERVALS	4	/* of MEASURE_MS / INTERVALS each */
#define MEASURE_MS	3600

struct worker {
	int fd;
	int stop;	/* __atomic */
	int err;
	uint64_t count;
};

static void *sender(void *arg)
{
	struct worker *w = arg;
	char msg[MSG_SIZE] = { 0 };

	while (!__atomic_load_n(&w->stop, __ATOMIC_RELAXED)) {
		if (send(w->fd, msg, sizeof(msg), 0) != sizeof(msg)) {
			w->err = errno;
			break;
		}
		w->count++;
	}
	return NULL;
}

static void *reader(void *arg)
{
	struct worker *w = arg;
	struct rmcast_loss l;
	char buf[2048];
	struct pollfd p;

	p.fd = w->fd;
	p.events = POLLIN;
	while (!__atomic_load_n(&w->stop, __ATOMIC_RELAXED)) {
		if (poll(&p, 1, 50) <= 0)
			continue;
		while (recv(w->fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0 ||
		       errno == ENODATA)
			w->count++;
		while (!rmcast_read_loss(w->fd, &l))
			;
	}
	return NULL;
}

struct sample {
	int64_t t;
	struct rmcast_stats st;
};

static void take(int fd, struct sample *s)
{
	s->t = rt_now_ns();
	memset(&s->st, 0, sizeof(s->st));
	rmcast_get_stats(fd, &s->st);
}

/* Bytes per second of counter @off between two samples. */
static uint64_t rate_of(const struct sample *a, const struct sample *b,
			size_t off)
{
	uint64_t x = *(const uint64_t *)((const char *)&a->st + off);
	uint64_t y = *(const uint64_t *)((const char *)&b->st + off);

	return (y - x) * 1000000000ULL / (uint64_t)(b->t - a->t);
}

#define RATE(a, b, f) rate_of(a, b, offsetof(struct rmcast_stats, f))
#define DELTA(a, b, f) ((b)->st.f - (a)->st.f)

FIXTURE(rate) {
	int up;
};

FIXTURE_SETUP(rate)
{
	self->up = 0;
	if (rt_topo_up(1))
		SKIP(return, "cannot build the netns/veth/bridge topology");
	self->up = 1;
}

FIXTURE_TEARDOWN(rate)
{
	if (self->up)
		rt_topo_down(1);
}

TEST_F_TIMEOUT(rate, odata, 60)
{
	int rate = rt_slow() ? 100000 : 400000;
	int sopt[] = { RMCAST_ODATA_RATE, rate, RMCAST_SPM_AMBIENT_MSECS, 200,
		       -1 };
	struct sample s[INTERVALS + 1];
	struct worker w = { 0 };
	pthread_t th;
	uint64_t got;
	int i;

	w.fd = rt_sock("rt-s", GROUP, PORT, 0, sopt);
	ASSERT_GE(w.fd, 0) TH_LOG("sender: %s", strerror(errno));
	ASSERT_EQ(0, pthread_create(&th, NULL, sender, &w));
	rt_sleep_ms(500);
	take(w.fd, &s[0]);
	for (i = 1; i <= INTERVALS; i++) {
		rt_sleep_ms(MEASURE_MS / INTERVALS);
		take(w.fd, &s[i]);
	}
	__atomic_store_n(&w.stop, 1, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	ASSERT_EQ(0, w.err);

	got = RATE(&s[0], &s[INTERVALS], odata_wire_bytes);
	printf("# odata: %llu B/s on the wire over %lld ms for a limit of %d (%+.2f%%); rate_waits %llu; spm_sent +%llu\n",
	       (unsigned long long)got,
	       (long long)(s[INTERVALS].t - s[0].t) / 1000000, rate,
	       100.0 * ((double)got - rate) / rate,
	       (unsigned long long)DELTA(&s[0], &s[INTERVALS], rate_waits),
	       (unsigned long long)DELTA(&s[0], &s[INTERVALS], spm_sent));
	EXPECT_GE(got * 100, (uint64_t)rate * 95);
	EXPECT_LE(got * 100, (uint64_t)rate * 105);
	EXPECT_GT(DELTA(&s[0], &s[INTERVALS], rate_waits), 0);
	/* The bucket is empty all the time, and SPMs keep going. */
	for (i = 1; i <= INTERVALS; i++)
		EXPECT_GT(DELTA(&s[i - 1], &s[i], spm_sent), 0)
			TH_LOG("no SPM in interval %d", i);
	close(w.fd);
}

/*
 * A source at @orate behind 30% loss to one receiver; repairs limited by
 * RMCAST_RDATA_RATE = @rlimit and RMCAST_RDATA_SHARE = @share: they must
 * run at @rrate within 5%.
 */
static void rdata_run(struct __test_metadata *_metadata, int orate,
		      int rlimit, int share, int rrate)
{
	int sopt[] = { RMCAST_ODATA_RATE, orate, RMCAST_RDATA_RATE, rlimit,
		       RMCAST_RDATA_SHARE, share,
		       RMCAST_SPM_AMBIENT_MSECS, 200, -1 };
	struct sample s[INTERVALS + 1], r0, r1;
	struct worker ws = { 0 }, wr = { 0 };
	uint64_t got_r, got_o, demand;
	pthread_t ts, tr;
	int i;

	/*
	 * Resolve the neighbours first: a lost ARP reply would hold the
	 * first NAKs for a second (the ARP retry), skewing the measure.
	 */
	ASSERT_EQ(0, rt_sh("/sbin/ip netns exec rt-r1 ping -q -c 1 -W 2 10.78.0.1 >/dev/null"));
	ASSERT_EQ(0, rt_sh("/sbin/tc qdisc replace dev q-r1 root netem loss 30%%"));
	wr.fd = rt_sock("rt-r1", GROUP, PORT, 1, NULL);
	ASSERT_GE(wr.fd, 0) TH_LOG("receiver: %s", strerror(errno));
	ws.fd = rt_sock("rt-s", GROUP, PORT, 0, sopt);
	ASSERT_GE(ws.fd, 0) TH_LOG("sender: %s", strerror(errno));
	ASSERT_EQ(0, pthread_create(&tr, NULL, reader, &wr));
	ASSERT_EQ(0, pthread_create(&ts, NULL, sender, &ws));
	/* Let the repair backlog build up. */
	rt_sleep_ms(1000);
	take(ws.fd, &s[0]);
	take(wr.fd, &r0);
	for (i = 1; i <= INTERVALS; i++) {
		rt_sleep_ms(MEASURE_MS / INTERVALS);
		take(ws.fd, &s[i]);
	}
	take(wr.fd, &r1);
	__atomic_store_n(&ws.stop, 1, __ATOMIC_RELAXED);
	pthread_join(ts, NULL);
	__atomic_store_n(&wr.stop, 1, __ATOMIC_RELAXED);
	pthread_join(tr, NULL);
	ASSERT_EQ(0, ws.err);

	got_r = RATE(&s[0], &s[INTERVALS], rdata_wire_bytes);
	got_o = RATE(&s[0], &s[INTERVALS], odata_wire_bytes);
	if (!rrate)
		rrate = (int)(got_o * share / 100);
	printf("# rdata: %llu B/s for %d (rdata_rate %d, rdata_share %d%%: %+.2f%%); odata %llu B/s for %d (%+.2f%%) over %lld ms\n",
	       (unsigned long long)got_r, rrate, rlimit, share,
	       100.0 * ((double)got_r - rrate) / rrate,
	       (unsigned long long)got_o, orate,
	       100.0 * ((double)got_o - orate) / orate,
	       (long long)(s[INTERVALS].t - s[0].t) / 1000000);
	printf("# source: nak_received +%llu ncf_sent +%llu spm_sent +%llu rdata_sent +%llu nak_rate_dropped +%llu nak_ignored +%llu nak_no_repair +%llu\n",
	       (unsigned long long)DELTA(&s[0], &s[INTERVALS], nak_received),
	       (unsigned long long)DELTA(&s[0], &s[INTERVALS], ncf_sent),
	       (unsigned long long)DELTA(&s[0], &s[INTERVALS], spm_sent),
	       (unsigned long long)DELTA(&s[0], &s[INTERVALS], rdata_sent),
	       (unsigned long long)DELTA(&s[0], &s[INTERVALS], nak_rate_dropped),
	       (unsigned long long)DELTA(&s[0], &s[INTERVALS], nak_ignored),
	       (unsigned long long)DELTA(&s[0], &s[INTERVALS], nak_no_repair));
	printf("# receiver: nak_sent +%llu odata_received +%llu rdata_received +%llu lost_sqns %llu rcvbuf_dropped %llu\n",
	       (unsigned long long)(r1.st.nak_sent - r0.st.nak_sent),
	       (unsigned long long)(r1.st.odata_received - r0.st.odata_received),
	       (unsigned long long)(r1.st.rdata_received - r0.st.rdata_received),
	       (unsigned long long)r1.st.lost_sqns,
	       (unsigned long long)r1.st.rcvbuf_dropped);
	for (i = 1; i <= INTERVALS; i++)
		printf("# interval %d: rdata %llu B/s, spm +%llu, ncf +%llu\n", i,
		       (unsigned long long)RATE(&s[i - 1], &s[i], rdata_wire_bytes),
		       (unsigned long long)DELTA(&s[i - 1], &s[i], spm_sent),
		       (unsigned long long)DELTA(&s[i - 1], &s[i], ncf_sent));

	EXPECT_GE(got_r * 100, (uint64_t)rrate * 95);
	EXPECT_LE(got_r * 100, (uint64_t)rrate * 105);
	EXPECT_GE(got_o * 100, (uint64_t)orate * 95);
	EXPECT_LE(got_o * 100, (uint64_t)orate * 105);
	/*
	 * Demand exceeded the budget: what the network dropped of the
	 * original data alone, in wire bytes per second, is over twice it.
	 */
	demand = (DELTA(&s[0], &s[INTERVALS], odata_sent) -
		  (r1.st.odata_received - r0.st.odata_received)) *
		 RATE(&s[0], &s[INTERVALS], odata_wire_bytes) /
		 (RATE(&s[0], &s[INTERVALS], odata_sent) ?: 1);
	printf("# repair demand from lost ODATA alone: %llu B/s\n",
	       (unsigned long long)(demand * 1000000000ULL /
				    (uint64_t)(s[INTERVALS].t - s[0].t)));
	EXPECT_GT(demand * 1000000000ULL / (uint64_t)(s[INTERVALS].t - s[0].t),
		  2ULL * rrate);
	for (i = 1; i <= INTERVALS; i++) {
		EXPECT_GT(DELTA(&s[i - 1], &s[i], spm_sent), 0)
			TH_LOG("no SPM in interval %d", i);
		EXPECT_GT(DELTA(&s[i - 1], &s[i], ncf_sent), 0)
			TH_LOG("no NCF in interval %d", i);
	}
	close(ws.fd);
	close(wr.fd);
}

TEST_F_TIMEOUT(rate, rdata, 90)
{
	int orate = rt_slow() ? 200000 : 600000;
	int rrate = rt_slow() ? 20000 : 60000;

	/* share 0: the absolute bucket alone */
	rdata_run(_metadata, orate, rrate, 0, rrate);
}

TEST_F_TIMEOUT(rate, share, 90)
{
	int orate = rt_slow() ? 300000 : 600000;

	/* 10% of the measured original data rate (orate, within 5%) */
	rdata_run(_metadata, orate, 10 << 20, 10, 0);
}

TEST_HARNESS_MAIN
