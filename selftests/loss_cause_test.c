// SPDX-License-Identifier: GPL-2.0
/*
 * Exact loss reports.  Chosen PGM sequence numbers are dropped forever
 * (ODATA and RDATA alike) by a tc u32 filter on the receiver's bridge
 * port, which steers them into a 100%-loss netem band of a prio qdisc.
 * Then, for each cause (retries exhausted, source window passed,
 * recovery deadline), for a fragmented message with one fragment
 * dropped, and for RMCAST_LOSS_FATAL, one receiver namespace holds two
 * sockets on the group, one in order and one in arrival order, and the
 * test checks the exact sequence of what each socket returns:
 *
 *  - in order: the messages before the hole, then recv() = -1/ENODATA
 *    exactly where the hole is (after the last message before it and
 *    before the first after it), POLLERR set then and only then, one
 *    record on the error queue naming [first,last], the cause and the
 *    source's TSI (== the sender's RMCAST_LOCAL_TSI), POLLERR gone once
 *    read, then the rest of the messages;
 *  - in arrival order: every message that was not lost, exactly once,
 *    and the same single record, signalled by POLLERR;
 *  - both: delivered sequence numbers (RMCAST_CMSG_SEQ) and the
 *    reported range partition the sent sequence numbers exactly;
 *  - RMCAST_LOSS_FATAL, in order: the messages before the hole, then
 *    ECONNRESET with POLLERR and the one record on the error queue,
 *    and ECONNRESET again on the next recv().
 *
 * UDP encapsulation over IPv4: the PGM header starts at 20 + 8 = 28
 * from the IP header; its type is at 28 + 4 (ODATA 0x04, RDATA 0x05)
 * and the data_sqn of ODATA/RDATA at 28 + 16 = 44.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
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

#define GROUP		"239.78.4.1"
#define PORT		7900
#define MAX_EV		128

enum { EV_DATA, EV_LOSS, EV_RESET, EV_EARLY_POLLERR, EV_STUCK_POLLERR,
	EV_NO_POLLERR, EV_BAD_TSI, EV_NO_SEQ, EV_BAD_PAYLOAD, EV_ERROR };

struct ev {
	int kind;
	uint32_t a, b;	/* DATA: seq, -; LOSS: first, last; ERROR: errno */
	int cause;
};

struct rx {
	int fd;
	int arrival;
	int nodata;		/* an ENODATA is being handled */
	struct ev ev[MAX_EV];
	int n;
	int ndata, nloss, nreset;
};

static void ev_add(struct rx *r, int kind, uint32_t a, uint32_t b, int cause)
{
	if (r->n < MAX_EV)
		r->ev[r->n++] = (struct ev){ kind, a, b, cause };
	if (kind == EV_DATA)
		r->ndata++;
	else if (kind == EV_LOSS)
		r->nloss++;
	else if (kind == EV_RESET)
		r->nreset++;
}

static short revents(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, 0) < 0)
		return POLLNVAL;
	return p.revents;
}

/* Read every queued loss record of @r. */
static void read_records(struct rx *r, const struct rmcast_tsi *want_tsi)
{
	struct rmcast_loss l;

	while (!rmcast_read_loss(r->fd, &l)) {
		ev_add(r, EV_LOSS, l.first, l.last, l.cause);
		if (memcmp(&l.tsi, want_tsi, sizeof(l.tsi)))
			ev_add(r, EV_BAD_TSI, 0, 0, 0);
	}
	if (errno != EAGAIN)
		ev_add(r, EV_ERROR, errno, 0, 0);
}

/* Take what socket @r has now. */
static void rx_step(struct rx *r, const struct rmcast_tsi *tsi, int frag)
{
	struct rmcast_msginfo mi;
	unsigned char buf[4096];
	uint32_t idx;
	ssize_t len;
	short re;

	for (;;) {
		if (r->nreset > 1)
			return;
		re = revents(r->fd);
		if (re & POLLERR) {
			/*
			 * In order, a record reaches the error queue only
			 * when recv() has returned ENODATA at the hole.
			 */
			if (!r->arrival)
				ev_add(r, EV_EARLY_POLLERR, 0, 0, 0);
			read_records(r, tsi);
			continue;
		}
		if (!(re & POLLIN))
			return;
		len = rmcast_recv(r->fd, buf, sizeof(buf), MSG_DONTWAIT, &mi);
		if (len >= 0) {
			if (!mi.has_seq)
				ev_add(r, EV_NO_SEQ, 0, 0, 0);
			memcpy(&idx, buf, sizeof(idx));
			if (len < 4 || idx * frag != mi.seq)
				ev_add(r, EV_BAD_PAYLOAD, idx, mi.seq, 0);
			ev_add(r, EV_DATA, mi.seq, 0, 0);
			continue;
		}
		if (errno == EAGAIN)
			return;
		if (errno == ECONNRESET) {
			ev_add(r, EV_RESET, 0, 0, 0);
			/*
			 * Loss-fatal, in order, at the hole: the record moved
			 * to the error queue as with ENODATA.
			 */
			if (r->nreset == 1 && !r->arrival) {
				if (!(revents(r->fd) & POLLERR))
					ev_add(r, EV_NO_POLLERR, 0, 0, 0);
				read_records(r, tsi);
			}
			continue;
		}
		if (errno != ENODATA || r->arrival) {
			ev_add(r, EV_ERROR, errno, 0, 0);
			return;
		}
		/* The hole: its record is on the error queue now. */
		if (!(revents(r->fd) & POLLERR))
			ev_add(r, EV_NO_POLLERR, 0, 0, 0);
		read_records(r, tsi);
		if (revents(r->fd) & POLLERR)
			ev_add(r, EV_STUCK_POLLERR, 0, 0, 0);
	}
}

static const char *ev_name(int kind)
{
	static const char *const n[] = { "data", "LOSS", "ECONNRESET",
		"POLLERR-before-ENODATA", "POLLERR-after-read", "no-POLLERR",
		"bad-TSI", "no-CMSG_SEQ", "bad-payload", "error" };

	return n[kind];
}

static void ev_print(const char *who, const struct ev *e, int n)
{
	char line[4096];
	size_t o = 0;
	int i;

	for (i = 0; i < n && o < sizeof(line) - 64; i++) {
		if (e[i].kind == EV_DATA)
			o += snprintf(line + o, sizeof(line) - o, " %u", e[i].a);
		else if (e[i].kind == EV_LOSS)
			o += snprintf(line + o, sizeof(line) - o,
				      " LOSS[%u..%u %s]", e[i].a, e[i].b,
				      rmcast_loss_cause_name(e[i].cause));
		else
			o += snprintf(line + o, sizeof(line) - o, " %s(%u,%u)",
				      ev_name(e[i].kind), e[i].a, e[i].b);
	}
	line[o] = 0;
	printf("# %s:%s\n", who, line);
}

static int ev_equal(const struct ev *a, int na, const struct ev *b, int nb)
{
	int i;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++)
		if (a[i].kind != b[i].kind || a[i].a != b[i].a ||
		    (a[i].kind == EV_LOSS &&
		     (a[i].b != b[i].b || a[i].cause != b[i].cause)))
			return 0;
	return 1;
}

/* Sort key of an event for the arrival socket: order is free. */
static int ev_cmp(const void *x, const void *y)
{
	const struct ev *a = x, *b = y;

	if (a->kind != b->kind)
		return a->kind - b->kind;
	return (a->a > b->a) - (a->a < b->a);
}

/*
 * Drop ODATA/RDATA with these sqns towards rt-r1: prio qdisc, all
 * traffic in band 2, filter matches into band 3 = netem loss 100%.
 */
static int drop_sqns(const uint32_t *sqn, int n)
{
	int i;

	rt_sh("/sbin/tc qdisc del dev q-r1 root 2>/dev/null");
	if (rt_sh("/sbin/tc qdisc add dev q-r1 root handle 1: prio bands 3 "
		  "priomap 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1") ||
	    rt_sh("/sbin/tc qdisc add dev q-r1 parent 1:3 handle 30: netem loss 100%%"))
		return -1;
	for (i = 0; i < n; i++)
		if (rt_sh("/sbin/tc filter add dev q-r1 parent 1: protocol ip prio 1 u32 "
			  "match u8 0x04 0xfe at 32 match u32 %u 0xffffffff at 44 "
			  "flowid 1:3", sqn[i]))
			return -1;
	return 0;
}

FIXTURE(loss) {
	int up;
};

FIXTURE_VARIANT(loss) {
	uint32_t drop[3];
	int ndrop;
	int nmsgs;
	int size;
	int frag;		/* sqns per message */
	int sopt[8];		/* sender options, -1 terminated */
	int ropt[16];		/* receiver options, -1 terminated */
	int cause;
	uint32_t first, last;	/* expected record */
	int fatal;
};

#define FAST_NAK	RMCAST_NAK_RPT_IVL_MSECS, 100, \
			RMCAST_NAK_RDATA_IVL_MSECS, 100
#define FEW_RETRIES	RMCAST_NAK_NCF_RETRIES, 2, RMCAST_NAK_DATA_RETRIES, 2
#define MANY_RETRIES	RMCAST_NAK_NCF_RETRIES, 100, \
			RMCAST_NAK_DATA_RETRIES, 100

FIXTURE_VARIANT_ADD(loss, retries) {
	.drop = { 5, 6, 7 }, .ndrop = 3, .nmsgs = 20, .size = 100, .frag = 1,
	.sopt = { -1 },
	.ropt = { FAST_NAK, FEW_RETRIES, -1 },
	.cause = RMCAST_LOSS_RETRIES, .first = 5, .last = 7,
};

FIXTURE_VARIANT_ADD(loss, window) {
	.drop = { 5, 6, 7 }, .ndrop = 3, .nmsgs = 20, .size = 100, .frag = 1,
	.sopt = { RMCAST_TXW_MSECS, 300, RMCAST_SPM_AMBIENT_MSECS, 200, -1 },
	.ropt = { FAST_NAK, MANY_RETRIES, -1 },
	.cause = RMCAST_LOSS_WINDOW, .first = 5, .last = 7,
};

FIXTURE_VARIANT_ADD(loss, deadline) {
	.drop = { 5, 6, 7 }, .ndrop = 3, .nmsgs = 20, .size = 100, .frag = 1,
	.sopt = { -1 },
	.ropt = { FAST_NAK, MANY_RETRIES, RMCAST_RECOVERY_MSECS, 200, -1 },
	.cause = RMCAST_LOSS_DEADLINE, .first = 5, .last = 7,
};

/* 3000-byte messages are 3 TPDUs at MTU 1500: message 2 is sqns 6..8. */
FIXTURE_VARIANT_ADD(loss, frag_middle_retries) {
	.drop = { 7 }, .ndrop = 1, .nmsgs = 10, .size = 3000, .frag = 3,
	.sopt = { -1 },
	.ropt = { FAST_NAK, FEW_RETRIES, -1 },
	.cause = RMCAST_LOSS_RETRIES, .first = 6, .last = 8,
};

FIXTURE_VARIANT_ADD(loss, frag_first_retries) {
	.drop = { 6 }, .ndrop = 1, .nmsgs = 10, .size = 3000, .frag = 3,
	.sopt = { -1 },
	.ropt = { FAST_NAK, FEW_RETRIES, -1 },
	.cause = RMCAST_LOSS_RETRIES, .first = 6, .last = 8,
};

FIXTURE_VARIANT_ADD(loss, frag_middle_deadline) {
	.drop = { 7 }, .ndrop = 1, .nmsgs = 10, .size = 3000, .frag = 3,
	.sopt = { -1 },
	.ropt = { FAST_NAK, MANY_RETRIES, RMCAST_RECOVERY_MSECS, 200, -1 },
	.cause = RMCAST_LOSS_DEADLINE, .first = 6, .last = 8,
};

FIXTURE_VARIANT_ADD(loss, frag_middle_window) {
	.drop = { 7 }, .ndrop = 1, .nmsgs = 10, .size = 3000, .frag = 3,
	.sopt = { RMCAST_TXW_MSECS, 300, RMCAST_SPM_AMBIENT_MSECS, 200, -1 },
	.ropt = { FAST_NAK, MANY_RETRIES, -1 },
	.cause = RMCAST_LOSS_WINDOW, .first = 6, .last = 8,
};

FIXTURE_VARIANT_ADD(loss, fatal) {
	.drop = { 5, 6, 7 }, .ndrop = 3, .nmsgs = 20, .size = 100, .frag = 1,
	.sopt = { -1 },
	.ropt = { FAST_NAK, FEW_RETRIES, RMCAST_LOSS_FATAL, 1, -1 },
	.cause = RMCAST_LOSS_RETRIES, .first = 5, .last = 7, .fatal = 1,
};

FIXTURE_SETUP(loss)
{
	self->up = 0;
	if (rt_topo_up(1))
		SKIP(return, "cannot build the netns/veth/bridge topology");
	self->up = 1;
	ASSERT_EQ(0, drop_sqns(variant->drop, variant->ndrop))
		TH_LOG("tc prio/netem/u32 not available (sch_prio, cls_u32?)");
}

FIXTURE_TEARDOWN(loss)
{
	if (self->up)
		rt_topo_down(1);
}

TEST_F_TIMEOUT(loss, exact, 120)
{
	struct ev want_o[MAX_EV], want_a[MAX_EV];
	int nwo = 0, nwa = 0, ropt[20], i, j, fd_s;
	struct rx ro = { .arrival = 0 }, ra = { .arrival = 1 };
	unsigned char msg[4096] = { 0 };
	struct rmcast_tsi tsi;
	socklen_t tl = sizeof(tsi);
	int64_t deadline, idle;
	int loss_at = -1;

	/* The expected sequences. */
	for (i = 0; i < variant->nmsgs; i++) {
		uint32_t s = i * variant->frag, e = s + variant->frag - 1;

		if (e < variant->first || s > variant->last) {
			want_o[nwo++] = (struct ev){ EV_DATA, s, 0, 0 };
			want_a[nwa++] = (struct ev){ EV_DATA, s, 0, 0 };
			continue;
		}
		/* The expected range is exactly whole messages. */
		ASSERT_TRUE(s >= variant->first && e <= variant->last);
		if (loss_at >= 0)
			continue;
		loss_at = i;
		if (variant->fatal) {
			/* ECONNRESET at the hole, its record, ECONNRESET. */
			want_o[nwo++] = (struct ev){ EV_RESET, 0, 0, 0 };
			want_o[nwo++] = (struct ev){ EV_LOSS, variant->first,
						     variant->last,
						     variant->cause };
			want_o[nwo++] = (struct ev){ EV_RESET, 0, 0, 0 };
			break;
		}
		want_o[nwo++] = (struct ev){ EV_LOSS, variant->first,
					     variant->last, variant->cause };
		want_a[nwa++] = (struct ev){ EV_LOSS, variant->first,
					     variant->last, variant->cause };
	}
	ASSERT_GE(loss_at, 1);

	/* Receivers first (bind joins the group), then the source. */
	for (i = 0, j = 0; variant->ropt[i] >= 0; i++)
		ropt[j++] = variant->ropt[i];
	ropt[j] = -1;
	ro.fd = rt_sock("rt-r1", GROUP, PORT, 1, ropt);
	ASSERT_GE(ro.fd, 0) TH_LOG("ordered receiver: %s", strerror(errno));
	ropt[j] = RMCAST_DELIVERY;
	ropt[j + 1] = RMCAST_DELIVER_ARRIVAL;
	ropt[j + 2] = -1;
	ra.fd = rt_sock("rt-r1", GROUP, PORT, 1, ropt);
	ASSERT_GE(ra.fd, 0) TH_LOG("arrival receiver: %s", strerror(errno));
	fd_s = rt_sock("rt-s", GROUP, PORT, 0, variant->sopt);
	ASSERT_GE(fd_s, 0) TH_LOG("sender: %s", strerror(errno));
	ASSERT_EQ(0, getsockopt(fd_s, SOL_RMCAST, RMCAST_LOCAL_TSI, &tsi, &tl));

	for (i = 0; i < variant->nmsgs; i++) {
		uint32_t idx = i;

		memcpy(msg, &idx, sizeof(idx));
		ASSERT_EQ(variant->size, send(fd_s, msg, variant->size, 0));
	}

	/* Until both sockets have everything, or nothing more comes. */
	deadline = rt_now_ns() + rt_scale(20000) * 1000000LL;
	idle = rt_now_ns();
	while (rt_now_ns() < deadline) {
		int before = ro.n + ra.n;
		struct pollfd p[2] = { { ro.fd, POLLIN, 0 },
				       { ra.fd, POLLIN, 0 } };

		poll(p, 2, 100);
		rx_step(&ro, &tsi, variant->frag);
		rx_step(&ra, &tsi, variant->frag);
		if (ro.n + ra.n != before)
			idle = rt_now_ns();
		if (ro.n >= nwo && ra.n >= nwa &&
		    rt_now_ns() - idle > rt_scale(500) * 1000000LL)
			break;	/* complete, and nothing extra for 0.5 s */
		if (rt_now_ns() - idle > rt_scale(5000) * 1000000LL)
			break;
	}

	ev_print("ordered want", want_o, nwo);
	ev_print("ordered got ", ro.ev, ro.n);
	EXPECT_TRUE(ev_equal(want_o, nwo, ro.ev, ro.n));

	qsort(ra.ev, ra.n, sizeof(ra.ev[0]), ev_cmp);
	qsort(want_a, nwa, sizeof(want_a[0]), ev_cmp);
	ev_print("arrival want", want_a, nwa);
	ev_print("arrival got ", ra.ev, ra.n);
	if (!variant->fatal)
		EXPECT_TRUE(ev_equal(want_a, nwa, ra.ev, ra.n));

	printf("# receiver lost_sqns %llu nak_sent %llu, source ncf_sent %llu rdata_sent %llu nak_no_repair %llu\n",
	       (unsigned long long)RT_STAT(ro.fd, lost_sqns),
	       (unsigned long long)RT_STAT(ro.fd, nak_sent),
	       (unsigned long long)RT_STAT(fd_s, ncf_sent),
	       (unsigned long long)RT_STAT(fd_s, rdata_sent),
	       (unsigned long long)RT_STAT(fd_s, nak_no_repair));
	if (!variant->fatal)
		EXPECT_EQ(variant->last - variant->first + 1,
			  RT_STAT(ro.fd, lost_sqns));
	close(ro.fd);
	close(ra.fd);
	close(fd_s);
}

TEST_HARNESS_MAIN
