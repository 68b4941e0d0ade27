// SPDX-License-Identifier: GPL-2.0
/*
 * The source: send window, ODATA, SPM (ambient, heartbeat, FIN), NCF and
 * RDATA in answer to NAKs, and the two token buckets (original data and
 * repairs, bytes per second on the wire).
 *
 * The window is a ring indexed by sequence number (O(1) lookup) holding
 * the ODATA packets as built (header, options, payload).  ODATA goes out
 * as a clone of the window skb (alloc_skb_fclone makes that clone free);
 * an RDATA is a copy with a rewritten header.  The window slides when it
 * exceeds its byte budget or its packets age past txw_msecs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/slab.h>
#include <linux/udp.h>

#include "rmcast.h"

/* ---- token buckets ------------------------------------------------------- */

void rmcast_tb_init(struct rmcast_bucket *tb, u32 rate, int burst_ms)
{
	u64 burst = div_u64((u64)rate * burst_ms, MSEC_PER_SEC);

	tb->rate = rate;
	tb->burst = clamp_t(u64, burst, 2 * 1500, INT_MAX);
	tb->tokens = tb->burst;
	tb->stamp = ktime_get_ns();
}

static s64 rmcast_tb_peek(const struct rmcast_bucket *tb, u64 now)
{
	u64 delta = min_t(u64, now - READ_ONCE(tb->stamp), NSEC_PER_SEC);
	s64 tokens = READ_ONCE(tb->tokens);

	tokens += div_u64(delta * READ_ONCE(tb->rate), NSEC_PER_SEC);
	return min_t(s64, tokens, READ_ONCE(tb->burst));
}

static void rmcast_tb_refill(struct rmcast_bucket *tb)
{
	u64 now = ktime_get_ns();

	WRITE_ONCE(tb->tokens, rmcast_tb_peek(tb, now));
	WRITE_ONCE(tb->stamp, now);
}

static bool rmcast_tb_ready(struct rmcast_bucket *tb)
{
	if (!tb->rate)
		return true;
	rmcast_tb_refill(tb);
	return tb->tokens > 0;
}

static void rmcast_tb_take(struct rmcast_bucket *tb, u32 bytes)
{
	if (tb->rate)
		WRITE_ONCE(tb->tokens, tb->tokens - bytes);
}

/* Change the rate (and with it the burst) keeping the tokens earned. */
static void rmcast_tb_set_rate(struct rmcast_bucket *tb, u32 rate,
			       int burst_ms)
{
	u64 burst = div_u64((u64)rate * burst_ms, MSEC_PER_SEC);

	if (rate == tb->rate)
		return;
	rmcast_tb_refill(tb);
	WRITE_ONCE(tb->rate, rate);
	WRITE_ONCE(tb->burst, clamp_t(u64, burst, 2 * 1500, INT_MAX));
	WRITE_ONCE(tb->tokens, min_t(s64, tb->tokens, tb->burst));
}

/* Jiffies until the bucket is positive again (at least 1). */
static unsigned long rmcast_tb_wait(const struct rmcast_bucket *tb)
{
	s64 need = 1 - tb->tokens;
	u64 ns;

	if (need <= 0 || !tb->rate)
		return 1;
	ns = div_u64((u64)need * NSEC_PER_SEC, tb->rate);
	return max_t(unsigned long, nsecs_to_jiffies(ns), 1);
}

bool rmcast_tx_writable(struct rmcast_sock *rs)
{
	if (!READ_ONCE(rs->odata_tb.rate))
		return true;
	return rmcast_tb_peek(&rs->odata_tb, ktime_get_ns()) > 0;
}

/*
 * The original data rate on the wire, smoothed over 100 ms periods;
 * after an idle second the measurement starts afresh.
 */
static void rmcast_tx_meter(struct rmcast_sock *rs, unsigned int wire)
{
	unsigned long now = jiffies, el = now - rs->tx_meter_stamp;
	u64 rate;

	if (el > HZ) {
		rs->tx_meter_bytes = wire;
		rs->tx_meter_stamp = now;
		rs->tx_rate = 0;
		return;
	}
	rs->tx_meter_bytes += wire;
	if (el < HZ / 10)
		return;
	rate = div_u64(rs->tx_meter_bytes * HZ, el);
	rs->tx_rate = rs->tx_rate ? (3 * rs->tx_rate + rate) / 4 : rate;
	rs->tx_meter_bytes = 0;
	rs->tx_meter_stamp = now;
}

#define RMCAST_RDATA_FLOOR	(16 << 10)	/* bytes/s */

/*
 * The repair budget now (seed 15.2): while original data flows, repairs
 * may take at most rdata_share percent of its measured rate, so that a
 * crybaby costs the group a bounded fraction of its goodput however slow
 * the source is; a source idle for a second repairs at rdata_rate (tail
 * losses take nothing from anyone).  Never above rdata_rate.
 */
static u32 rmcast_rdata_rate(const struct rmcast_sock *rs)
{
	u32 rate = rs->cfg.rdata_rate;
	u64 share;

	if (!rs->cfg.rdata_share ||
	    time_after(jiffies, rs->tx_meter_stamp + HZ))
		return rate;
	share = div_u64(rs->tx_rate * rs->cfg.rdata_share, 100);
	share = max_t(u64, share, RMCAST_RDATA_FLOOR);
	return rate ? min_t(u64, share, rate) : share;
}

/* ---- helpers ------------------------------------------------------------- */

static unsigned int rmcast_tx_overhead(const struct rmcast_sock *rs)
{
	unsigned int ip = rs->group_tx.family == AF_INET ?
			  sizeof(struct iphdr) : sizeof(struct ipv6hdr);

	if (rs->transport == RMCAST_TRANSPORT_UDP)
		ip += sizeof(struct udphdr);
	return ip;
}

static void rmcast_tx_dest(const struct rmcast_sock *rs, struct rmcast_xmit *x)
{
	memset(x, 0, sizeof(*x));
	x->dst = rs->group_tx;
	x->ifindex = rs->peer.srm_ifindex;
	x->ttl = rs->cfg.ttl;
	x->loop = !!rs->cfg.loop;
	x->transport = rs->transport;
	x->sport = rs->uport;
	x->dport = rs->mport;
}

static void rmcast_tx_hdr(const struct rmcast_sock *rs, struct pgm_pkt *p,
			  u8 type)
{
	memset(p, 0, offsetof(struct pgm_pkt, nak_list));
	p->type = type;
	p->sport = rs->sport;
	p->dport = ntohs(rs->peer.srm_port);
	memcpy(p->gsi, rs->tsi.gsi, PGM_GSI_LEN);
}

static void rmcast_nla(struct pgm_nla *nla, const struct rmcast_ip *ip)
{
	memset(nla, 0, sizeof(*nla));
	if (ip->family == AF_INET) {
		nla->afi = PGM_AFI_IP;
		memcpy(nla->addr, &ip->v4, 4);
	} else {
		nla->afi = PGM_AFI_IP6;
		memcpy(nla->addr, &ip->v6, 16);
	}
}

/* A header-only packet (SPM, NCF) to the group; rs->lock held. */
static void rmcast_tx_ctrl(struct rmcast_sock *rs, const struct pgm_pkt *p,
			   struct sk_buff_head *xmitq)
{
	struct rmcast_xmit x;

	rmcast_tx_dest(rs, &x);
	rmcast_xmitq_ctrl(xmitq, p, &x);
}

static void rmcast_tx_spm(struct rmcast_sock *rs, struct sk_buff_head *xmitq,
			  bool fin)
{
	struct pgm_pkt p;

	rmcast_tx_hdr(rs, &p, PGM_SPM);
	p.sqn = rs->spm_sqn++;
	p.trail = rs->txw.trail;
	p.lead = rs->txw.next - 1;
	p.fin = fin;
	rmcast_nla(&p.src_nla, &rs->src_nla);
	rmcast_tx_ctrl(rs, &p, xmitq);
	rs->stats.spm_sent++;
}

/* ---- window -------------------------------------------------------------- */

static struct sk_buff *rmcast_txw_get(const struct rmcast_sock *rs, u32 sqn)
{
	const struct rmcast_txw *w = &rs->txw;

	if (w->trail == w->next || !pgm_seq_in(sqn, w->trail, w->next - 1))
		return NULL;
	return w->ring[sqn & w->mask];
}

static void rmcast_txw_pop(struct rmcast_sock *rs)
{
	struct rmcast_txw *w = &rs->txw;
	struct sk_buff *skb = w->ring[w->trail & w->mask];

	w->ring[w->trail & w->mask] = NULL;
	w->trail++;
	w->bytes -= skb->truesize;
	rmcast_skb_free(skb);
}

/* Make room for @bytes more; never evicts below what it must keep. */
static void rmcast_txw_room(struct rmcast_sock *rs, u32 bytes)
{
	struct rmcast_txw *w = &rs->txw;

	while (w->trail != w->next &&
	       (w->next - w->trail > w->mask ||
		w->bytes + bytes > (u32)rs->cfg.txw_bytes))
		rmcast_txw_pop(rs);
}

static void rmcast_txw_age(struct rmcast_sock *rs, unsigned long *next)
{
	struct rmcast_txw *w = &rs->txw;
	unsigned long ttl = rmcast_ms(rs->cfg.txw_msecs);
	struct sk_buff *skb;

	while (w->trail != w->next) {
		skb = w->ring[w->trail & w->mask];
		if (time_before(jiffies, rmcast_cb(skb)->stamp + ttl)) {
			*next = rmcast_cb(skb)->stamp + ttl;
			return;
		}
		rmcast_txw_pop(rs);
	}
}

int rmcast_tx_connect(struct rmcast_sock *rs)
{
	u32 slots;
	int err;

	err = rmcast_route_saddr(rs->rn, &rs->group_tx, rs->peer.srm_ifindex,
				 &rs->src_nla, &rs->mtu);
	if (err)
		return err;
	slots = clamp_t(u32, rs->cfg.txw_bytes / 512, 256, 1 << 20);
	slots = roundup_pow_of_two(slots);
	rs->txw.ring = kvcalloc(slots, sizeof(*rs->txw.ring), GFP_KERNEL);
	rs->repq = kcalloc(RMCAST_REPQ_LEN, sizeof(*rs->repq), GFP_KERNEL);
	if (!rs->txw.ring || !rs->repq) {
		kvfree(rs->txw.ring);
		kfree(rs->repq);
		rs->txw.ring = NULL;
		rs->repq = NULL;
		return -ENOMEM;
	}
	rs->txw.mask = slots - 1;
	rs->txw.trail = 0;
	rs->txw.next = 0;
	rs->txw.bytes = 0;
	rs->spm_ivl = rmcast_ms(rs->cfg.spm_ambient_msecs);
	rs->spm_next = jiffies;
	rs->spm_ambient = jiffies;
	return 0;
}

/* After the socket is dead and unhashed: nothing else touches the window. */
void rmcast_tx_release(struct rmcast_sock *rs)
{
	if (!rs->txw.ring)
		return;
	while (rs->txw.trail != rs->txw.next)
		rmcast_txw_pop(rs);
	kvfree(rs->txw.ring);
	kfree(rs->repq);
	rs->txw.ring = NULL;
	rs->repq = NULL;
}

/* Orderly end of the session: SPM with OPT_FIN. */
void rmcast_tx_fin(struct rmcast_sock *rs)
{
	struct sk_buff_head xmitq;

	__skb_queue_head_init(&xmitq);
	spin_lock_bh(&rs->lock);
	rs->fin = true;
	rmcast_tx_spm(rs, &xmitq, true);
	spin_unlock_bh(&rs->lock);
	rmcast_xmitq_send(rs->rn, &xmitq);
}

/* ---- sending data -------------------------------------------------------- */

static int rmcast_tx_wait_rate(struct rmcast_sock *rs, bool nonblock)
{
	struct sock *sk = &rs->sk;
	long timeo = sock_sndtimeo(sk, nonblock);
	unsigned long wait;
	bool ready;

	for (;;) {
		spin_lock_bh(&rs->lock);
		ready = rmcast_tb_ready(&rs->odata_tb);
		wait = rmcast_tb_wait(&rs->odata_tb);
		spin_unlock_bh(&rs->lock);
		if (ready)
			return 0;
		spin_lock_bh(&rs->lock);
		rs->stats.rate_waits++;
		spin_unlock_bh(&rs->lock);
		if (!timeo)
			return -EAGAIN;
		if (signal_pending(current))
			return sock_intr_errno(timeo);
		release_sock(sk);
		wait = schedule_timeout_interruptible(min_t(long, wait, timeo));
		lock_sock(sk);
		if (timeo != MAX_SCHEDULE_TIMEOUT)
			timeo = max_t(long, timeo - 1, 0);
	}
}

static struct sk_buff *rmcast_tx_build(struct rmcast_sock *rs,
				       struct msghdr *msg, u32 sqn,
				       u32 first, u32 off, u32 pl, u32 total,
				       bool frag)
{
	struct rmcast_cb *cb;
	struct sk_buff *skb;
	struct pgm_pkt p;
	size_t hlen;
	void *hdr;

	rmcast_tx_hdr(rs, &p, PGM_ODATA);
	p.sqn = sqn;
	p.trail = READ_ONCE(rs->txw.trail);
	p.tsdu_len = pl;
	p.has_frag = frag;
	p.frag_sqn = first;
	p.frag_off = off;
	p.frag_len = total;
	hlen = pgm_hdr_len(&p);

	skb = alloc_skb_fclone(RMCAST_HEADROOM + hlen + pl, GFP_KERNEL);
	if (!skb)
		return ERR_PTR(-ENOBUFS);
	skb_reserve(skb, RMCAST_HEADROOM);
	hdr = skb_put(skb, hlen);
	if (pgm_build(hdr, hlen, &p) != hlen ||
	    memcpy_from_msg(skb_put(skb, pl), msg, pl)) {
		kfree_skb(skb);
		return ERR_PTR(-EFAULT);
	}
	cb = rmcast_cb(skb);
	memset(cb, 0, sizeof(*cb));
	cb->sqn = sqn;
	cb->frag_sqn = first;
	cb->frag_off = off;
	cb->frag_len = frag ? total : 0;
	cb->hdr_len = hlen;
	cb->psum = pgm_csum_partial(skb->data + hlen, pl, 0);
	pgm_csum_set(hdr, hlen, cb->psum);
	return skb;
}

int rmcast_tx_sendmsg(struct rmcast_sock *rs, struct msghdr *msg, size_t len)
{
	struct sock *sk = &rs->sk;
	unsigned int ovh = rmcast_tx_overhead(rs);
	unsigned int tpdu, room, nfrags, i, wire;
	struct sk_buff_head frags, xmitq;
	struct sk_buff *skb, *clone;
	struct rmcast_xmit x;
	u32 first, off, pl;
	int err;

	tpdu = rs->max_tpdu ? min(rs->max_tpdu, rs->mtu) : rs->mtu;
	if (tpdu < ovh + PGM_HDR_LEN + 8 + 20 + 64)
		return -EMSGSIZE;
	room = tpdu - ovh - PGM_HDR_LEN - 8;
	if (len > room)
		room -= PGM_OPT_LENGTH_LEN + PGM_OPT_FRAGMENT_LEN;
	nfrags = len ? DIV_ROUND_UP(len, room) : 1;
	wire = len + nfrags * (tpdu - room);

	err = rmcast_tx_wait_rate(rs, msg->msg_flags & MSG_DONTWAIT);
	if (err)
		return err;

	/* Only sendmsg() advances txw.next, under lock_sock(). */
	first = READ_ONCE(rs->txw.next);
	__skb_queue_head_init(&frags);
	for (i = 0, off = 0; i < nfrags; i++, off += pl) {
		pl = min_t(u32, room, len - off);
		skb = rmcast_tx_build(rs, msg, first + i, first, off, pl, len,
				      nfrags > 1);
		if (IS_ERR(skb)) {
			__skb_queue_purge(&frags);
			return PTR_ERR(skb);
		}
		__skb_queue_tail(&frags, skb);
	}

	__skb_queue_head_init(&xmitq);
	rmcast_tx_dest(rs, &x);
	spin_lock_bh(&rs->lock);
	while ((skb = __skb_dequeue(&frags))) {
		rmcast_txw_room(rs, skb->truesize);
		rmcast_cb(skb)->stamp = jiffies;
		skb_set_owner_w(skb, sk);
		rmcast_skb_held();
		rs->txw.ring[rs->txw.next & rs->txw.mask] = skb;
		rs->txw.bytes += skb->truesize;
		rs->txw.next++;
		clone = skb_clone(skb, GFP_ATOMIC);
		if (clone)
			rmcast_xmitq_add(&xmitq, clone, &x);
		rs->stats.odata_sent++;
	}
	rs->stats.odata_bytes_sent += len;
	rs->stats.odata_wire_bytes += wire;
	rmcast_tb_take(&rs->odata_tb, wire);
	rmcast_tx_meter(rs, wire);
	/* Heartbeat SPMs follow data, doubling up to the ambient interval. */
	rs->spm_ivl = rmcast_ms(rs->cfg.spm_heartbeat_msecs);
	rs->spm_next = jiffies + rs->spm_ivl;
	rmcast_kick_timer(rs, rs->spm_next);
	spin_unlock_bh(&rs->lock);
	rmcast_xmitq_send(rs->rn, &xmitq);
	return len;
}

/* ---- repairs ------------------------------------------------------------- */

static void rmcast_tx_rdata(struct rmcast_sock *rs, struct sk_buff *win,
			    struct sk_buff_head *xmitq)
{
	struct rmcast_cb *cb = rmcast_cb(win);
	struct rmcast_xmit x;
	struct sk_buff *skb;
	struct pgm_pkt p;

	skb = skb_copy(win, GFP_ATOMIC);
	if (!skb)
		return;
	rmcast_tx_hdr(rs, &p, PGM_RDATA);
	p.sqn = cb->sqn;
	p.trail = rs->txw.trail;
	p.tsdu_len = win->len - cb->hdr_len;
	p.has_frag = cb->frag_len != 0;
	p.frag_sqn = cb->frag_sqn;
	p.frag_off = cb->frag_off;
	p.frag_len = cb->frag_len;
	if (pgm_build(skb->data, cb->hdr_len, &p) != cb->hdr_len) {
		kfree_skb(skb);
		return;
	}
	pgm_csum_set(skb->data, cb->hdr_len, cb->psum);
	rmcast_tx_dest(rs, &x);
	rmcast_xmitq_add(xmitq, skb, &x);
	rmcast_tb_take(&rs->rdata_tb, skb->len + rmcast_tx_overhead(rs));
	rs->stats.rdata_wire_bytes += skb->len + rmcast_tx_overhead(rs);
	cb->repaired = jiffies;
	rs->stats.rdata_sent++;
}

/* Send queued repairs while the repair bucket allows; rs->lock held. */
static void rmcast_tx_repairs(struct rmcast_sock *rs,
			      struct sk_buff_head *xmitq, unsigned long *next)
{
	struct sk_buff *win;
	u32 sqn;

	rmcast_tb_set_rate(&rs->rdata_tb, rmcast_rdata_rate(rs),
			   rs->cfg.rate_burst_msecs);
	while (rs->repq_len) {
		if (!rmcast_tb_ready(&rs->rdata_tb)) {
			*next = jiffies + rmcast_tb_wait(&rs->rdata_tb);
			return;
		}
		sqn = rs->repq[rs->repq_head];
		rs->repq_head = (rs->repq_head + 1) % RMCAST_REPQ_LEN;
		rs->repq_len--;
		win = rmcast_txw_get(rs, sqn);
		if (!win)
			continue;
		rmcast_cb(win)->pending = 0;
		rmcast_tx_rdata(rs, win, xmitq);
	}
}

static bool rmcast_tx_want_repair(struct rmcast_sock *rs, u32 sqn)
{
	struct sk_buff *win = rmcast_txw_get(rs, sqn);
	struct rmcast_cb *cb;

	if (!win) {
		rs->stats.nak_no_repair++;
		return false;
	}
	cb = rmcast_cb(win);
	if (cb->pending)
		return true;
	if (cb->repaired && rs->cfg.nak_ignore_msecs &&
	    time_before(jiffies, cb->repaired +
			rmcast_ms(rs->cfg.nak_ignore_msecs))) {
		rs->stats.nak_ignored++;
		return true;
	}
	if (rs->repq_len == RMCAST_REPQ_LEN) {
		/*
		 * No NCF either: it would promise a repair that is not
		 * coming and, multicast, cost every receiver for a NAKer
		 * that asks beyond the repair budget (a crybaby).
		 */
		rs->stats.nak_rate_dropped++;
		return false;
	}
	rs->repq[(rs->repq_head + rs->repq_len) % RMCAST_REPQ_LEN] = sqn;
	rs->repq_len++;
	cb->pending = 1;
	return true;
}

void rmcast_tx_nak(struct rmcast_sock *rs, const struct pgm_pkt *p,
		   struct sk_buff_head *xmitq)
{
	u32 confirm[PGM_NAK_SQNS_MAX];
	unsigned long next = 0;
	unsigned int i, n = 0;
	struct pgm_pkt ncf;
	u32 sqn;

	spin_lock_bh(&rs->lock);
	if (rs->dead || !rs->connected)
		goto out;
	rs->stats.nak_received++;

	for (i = 0; i <= p->nak_list_len; i++) {
		sqn = i ? p->nak_list[i - 1] : p->sqn;
		if (rmcast_tx_want_repair(rs, sqn))
			confirm[n++] = sqn;
	}
	/* Confirm with one multicast NCF naming what we will repair. */
	if (n) {
		rmcast_tx_hdr(rs, &ncf, PGM_NCF);
		rmcast_nla(&ncf.src_nla, &rs->src_nla);
		rmcast_nla(&ncf.grp_nla, &rs->group_tx);
		ncf.sqn = confirm[0];
		ncf.nak_list_len = n - 1;
		memcpy(ncf.nak_list, confirm + 1, (n - 1) * sizeof(u32));
		rmcast_tx_ctrl(rs, &ncf, xmitq);
		rs->stats.ncf_sent++;
	}
	rmcast_tx_repairs(rs, xmitq, &next);
	if (next)
		rmcast_kick_timer(rs, next);
out:
	spin_unlock_bh(&rs->lock);
}

/* poll() found no room: wake the writer when the bucket refills. */
void rmcast_tx_want_write(struct rmcast_sock *rs)
{
	spin_lock_bh(&rs->lock);
	rs->wake_writer = true;
	rmcast_kick_timer(rs, jiffies + rmcast_tb_wait(&rs->odata_tb));
	spin_unlock_bh(&rs->lock);
}

void rmcast_tx_spmr(struct rmcast_sock *rs, struct sk_buff_head *xmitq)
{
	spin_lock_bh(&rs->lock);
	if (!rs->dead && rs->connected)
		rmcast_tx_spm(rs, xmitq, rs->fin);
	spin_unlock_bh(&rs->lock);
}

/* The sender's part of the socket timer; returns its next deadline. */
unsigned long rmcast_tx_timer(struct rmcast_sock *rs,
			      struct sk_buff_head *xmitq)
{
	unsigned long ambient = rmcast_ms(rs->cfg.spm_ambient_msecs);
	unsigned long next, t;

	/*
	 * Ambient SPMs go out every spm_ambient_msecs, data or not;
	 * heartbeats follow the last data at doubling intervals.
	 */
	if (!time_before(jiffies, rs->spm_next) ||
	    !time_before(jiffies, rs->spm_ambient)) {
		rmcast_tx_spm(rs, xmitq, rs->fin);
		rs->spm_ambient = jiffies + ambient;
		rs->spm_ivl = min(rs->spm_ivl * 2, ambient);
		rs->spm_next = jiffies + rs->spm_ivl;
	}
	next = time_before(rs->spm_next, rs->spm_ambient) ?
	       rs->spm_next : rs->spm_ambient;

	t = 0;
	rmcast_txw_age(rs, &t);
	if (t && time_before(t, next))
		next = t;

	t = 0;
	rmcast_tx_repairs(rs, xmitq, &t);
	if (t && time_before(t, next))
		next = t;

	if (rs->wake_writer) {
		if (rmcast_tx_writable(rs)) {
			rs->wake_writer = false;
			rs->sk.sk_write_space(&rs->sk);
		} else {
			t = jiffies + rmcast_tb_wait(&rs->odata_tb);
			if (time_before(t, next))
				next = t;
		}
	}
	return next;
}
