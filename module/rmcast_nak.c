// SPDX-License-Identifier: GPL-2.0
/*
 * The receiver's NAK state machine (RFC 3208 5.3): the peer timer that
 * sends NAKs after a random back-off, waits for NCF (nak_rpt_ivl) and for
 * RDATA (nak_rdata_ivl), retries a bounded number of times and gives up
 * on retries or on the recovery deadline; the repair budget that keeps
 * requests within the free receive buffer; and the upstream packets
 * (NAK with OPT_NAK_LIST, SPMR).  Slots and their states are rx.c's; all
 * of this runs under rs->lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/random.h>

#include "rmcast.h"

/* ---- upstream: NAK, SPMR ------------------------------------------------ */

/* Send an upstream packet (NAK, SPMR) for @peer to its NLA. */
static void rmcast_rx_upstream(struct rmcast_sock *rs,
			       struct rmcast_peer *peer, struct pgm_pkt *p,
			       struct sk_buff_head *xmitq)
{
	struct rmcast_xmit x = {};

	/* Upstream, the ports swap: sport is the session's dport. */
	p->sport = ntohs(rs->local.srm_port);
	p->dport = ntohs(peer->tsi.sport);
	memcpy(p->gsi, peer->tsi.gsi, PGM_GSI_LEN);
	x.dst = peer->nla;
	x.ttl = 64;
	x.loop = 1;
	x.transport = rs->transport;
	/*
	 * To the session's multicast port: the one port every source
	 * listens on (an OpenPGM source binds only that one; ours listen on
	 * both).
	 */
	x.sport = rs->uport;
	x.dport = rs->mport;
	rmcast_xmitq_ctrl(xmitq, p, &x);
}

static void rmcast_rx_nak(struct rmcast_sock *rs, struct rmcast_peer *peer,
			  const u32 *sqns, unsigned int n,
			  struct sk_buff_head *xmitq)
{
	struct pgm_pkt p;

	memset(&p, 0, offsetof(struct pgm_pkt, nak_list));
	p.type = PGM_NAK;
	p.sqn = sqns[0];
	p.nak_list_len = n - 1;
	memcpy(p.nak_list, sqns + 1, (n - 1) * sizeof(u32));
	p.src_nla.afi = peer->nla.family == AF_INET ? PGM_AFI_IP : PGM_AFI_IP6;
	memcpy(p.src_nla.addr, &peer->nla.v6,
	       peer->nla.family == AF_INET ? 4 : 16);
	p.grp_nla.afi = p.src_nla.afi;
	memcpy(p.grp_nla.addr, &rs->group_rx.v6,
	       rs->group_rx.family == AF_INET ? 4 : 16);
	rmcast_rx_upstream(rs, peer, &p, xmitq);
	rs->stats.nak_sent++;
}

/* A source heard before its SPM: ask it for one (RFC 3208 13.6). */
void rmcast_rx_spmr(struct rmcast_sock *rs, struct rmcast_peer *peer,
		    struct sk_buff_head *xmitq)
{
	struct pgm_pkt p;

	memset(&p, 0, offsetof(struct pgm_pkt, nak_list));
	p.type = PGM_SPMR;
	rmcast_rx_upstream(rs, peer, &p, xmitq);
}

/* ---- timer: NAKs and giving up ------------------------------------------ */

#define RMCAST_NAK_WALK	1024	/* slots scanned in order per timer run */
#define RMCAST_NAK_UNCONFIRMED	(4 * PGM_NAK_SQNS_MAX)	/* NAKed, no NCF */

/*
 * How many more sqns this socket may NAK now.  Two bounds:
 *
 * The receive buffer not taken by messages waiting for the reader, in
 * packets of the average size held, less the repairs already asked for.
 * Out-of-order data held in the rings counts as room: NAKs go out oldest
 * gap first, and a repair of an older sqn evicts newer held data
 * (rmcast_prune()), which is asked for again later.  Counting it as
 * taken would let a reader that fell behind ask for one repair per round
 * trip while newer data fills the buffer.
 *
 * RMCAST_NAK_UNCONFIRMED requests without an NCF: a source that does not
 * confirm is not going to repair (its repair budget is spent), and
 * asking it for more only costs everyone -- the source parses the NAKs,
 * and the socket's own timer walks ever longer lists.  A source that
 * answers at once keeps this bound from mattering.
 *
 * At least one, so the gap the reader waits on is always asked for.
 */
static unsigned int rmcast_rx_repair_budget(struct rmcast_sock *rs)
{
	int room = READ_ONCE(rs->sk.sk_rcvbuf) -
		   (atomic_read(&rs->sk.sk_rmem_alloc) - (int)rs->ring_bytes);
	unsigned int pkts, asked = rs->rx_wait_ncf + rs->rx_wait_data;

	pkts = room > 0 ? room / max_t(u32, rs->avg_truesize, 256) : 0;
	if (pkts <= asked || rs->rx_wait_ncf >= RMCAST_NAK_UNCONFIRMED)
		return asked ? 0 : 1;
	return min(pkts - asked, RMCAST_NAK_UNCONFIRMED - rs->rx_wait_ncf);
}

/* Give up on gaps older than the recovery deadline, in any state. */
static void rmcast_deadline(struct rmcast_sock *rs, struct list_head *list,
			    unsigned long ttl)
{
	struct rmcast_slot *slot, *tmp;

	list_for_each_entry_safe(slot, tmp, list, node)
		if (!time_before(jiffies, slot->since + ttl))
			rmcast_slot_lost(rs, slot, RMCAST_LOSS_DEADLINE);
}

static void rmcast_min_expiry(struct rmcast_peer *peer, unsigned long t)
{
	if (!peer->expiry || time_before(t, peer->expiry))
		peer->expiry = t;
}

/*
 * Waits for an NCF (@ncf) or for RDATA that ended: back to back-off, at
 * the cost of a retry unless the wait ended for our lack of buffer (a
 * repair we dropped is our loss, not the network's; all waits while
 * @full); out of retries, the gap is lost.
 */
static void rmcast_wait_expired(struct rmcast_sock *rs,
				struct rmcast_peer *peer,
				struct list_head *list, bool ncf, bool full)
{
	int max = ncf ? rs->cfg.nak_ncf_retries : rs->cfg.nak_data_retries;
	struct rmcast_slot *slot, *tmp;
	u8 *retries;

	list_for_each_entry_safe(slot, tmp, list, node) {
		if (time_before(jiffies, slot->expiry))
			break;
		retries = ncf ? &slot->ncf_retries : &slot->data_retries;
		if (!full && !slot->self_drop && ++*retries > max)
			rmcast_slot_lost(rs, slot, RMCAST_LOSS_RETRIES);
		else
			rmcast_slot_set(rs, peer, slot, RXS_BACKOFF);
	}
}

/* NAKs of one timer run, sent PGM_NAK_SQNS_MAX sqns at a time. */
struct rmcast_nak_batch {
	u32		sqns[PGM_NAK_SQNS_MAX];
	unsigned int	n;
};

static void rmcast_nak_add(struct rmcast_sock *rs, struct rmcast_peer *peer,
			   struct rmcast_slot *slot, struct rmcast_nak_batch *b,
			   struct sk_buff_head *xmitq)
{
	b->sqns[b->n++] = slot->sqn;
	slot->self_drop = 0;
	rmcast_slot_set(rs, peer, slot, RXS_WAIT_NCF);
	if (b->n == PGM_NAK_SQNS_MAX) {
		rmcast_rx_nak(rs, peer, b->sqns, b->n, xmitq);
		b->n = 0;
	}
}

static void rmcast_peer_timer(struct rmcast_sock *rs, struct rmcast_peer *peer,
			      struct sk_buff_head *xmitq)
{
	unsigned long now = jiffies, ttl = 0;
	struct rmcast_slot *slot, *tmp;
	struct rmcast_nak_batch b = { .n = 0 };
	unsigned int budget, i;
	u32 s;
	bool full;

	if (rs->cfg.recovery_msecs) {
		ttl = rmcast_ms(rs->cfg.recovery_msecs);
		rmcast_deadline(rs, &peer->backoff, ttl);
		rmcast_deadline(rs, &peer->wait_ncf, ttl);
		rmcast_deadline(rs, &peer->wait_data, ttl);
	}
	/*
	 * Messages waiting for the reader fill 3/4 of the buffer: hold
	 * NAKs until it catches up.  Only then: a buffer full of data
	 * waiting behind a gap must NAK that gap (rmcast_prune() makes room
	 * for its repair).
	 */
	full = atomic_read(&rs->sk.sk_rmem_alloc) - (int)rs->ring_bytes >=
	       READ_ONCE(rs->sk.sk_rcvbuf) / 4 * 3;
	if (full)
		rs->rx_held = true;
	peer->expiry = 0;

	rmcast_wait_expired(rs, peer, &peer->wait_ncf, true, full);
	rmcast_wait_expired(rs, peer, &peer->wait_data, false, full);
	/*
	 * Ask for no more repairs than the free buffer can take: a burst of
	 * RDATA larger than that would only be dropped and asked for again.
	 */
	budget = rmcast_rx_repair_budget(rs);
	/* The gap the reader waits on goes first. */
	slot = peer->next != peer->tracked ? rmcast_at(peer, peer->next) : NULL;
	if (slot && slot->state == RXS_BACKOFF && !full &&
	    !time_before(now, slot->expiry)) {
		rmcast_nak_add(rs, peer, slot, &b, xmitq);
		budget = budget ? budget - 1 : 0;
	}
	/*
	 * Then the oldest gaps, in sequence order, as far as the budget and
	 * RMCAST_NAK_WALK slots go: when the budget is short, a repair of a
	 * newer sqn would only be evicted again by an older one's.  What is
	 * left is taken from the back-off list below.
	 */
	for (s = peer->next, i = 0; budget && !full && s != peer->tracked &&
	     i < RMCAST_NAK_WALK; s++, i++) {
		slot = rmcast_at(peer, s);
		if (slot->state != RXS_BACKOFF ||
		    time_before(now, slot->expiry))
			continue;
		rmcast_nak_add(rs, peer, slot, &b, xmitq);
		budget--;
	}
	list_for_each_entry_safe(slot, tmp, &peer->backoff, node) {
		if (time_before(now, slot->expiry))
			continue;
		if (full || !budget) {
			slot->expiry = now + rmcast_ms(rs->cfg.nak_bo_ivl_msecs);
			rs->rx_held = true;
			continue;
		}
		rmcast_nak_add(rs, peer, slot, &b, xmitq);
		budget--;
	}
	if (b.n)
		rmcast_rx_nak(rs, peer, b.sqns, b.n, xmitq);

	/* Earliest remaining deadline of this peer. */
	peer->expiry = 0;
	list_for_each_entry(slot, &peer->backoff, node)
		rmcast_min_expiry(peer, slot->expiry);
	slot = list_first_entry_or_null(&peer->wait_ncf, struct rmcast_slot,
					node);
	if (slot)
		rmcast_min_expiry(peer, slot->expiry);
	slot = list_first_entry_or_null(&peer->wait_data, struct rmcast_slot,
					node);
	if (slot)
		rmcast_min_expiry(peer, slot->expiry);
	if (ttl && peer->next != peer->tracked) {
		slot = rmcast_at(peer, peer->next);
		if (rmcast_slot_missing(slot))
			rmcast_min_expiry(peer, slot->since + ttl);
	}
}

/* The receiver's part of the socket timer; returns its next deadline. */
unsigned long rmcast_rx_timer(struct rmcast_sock *rs,
			      struct sk_buff_head *xmitq)
{
	unsigned long idle = rmcast_ms(rs->cfg.peer_expiry_msecs);
	struct rmcast_peer *peer, *tmp;
	struct sock *sk = &rs->sk;
	unsigned long next = 0;
	struct sk_buff_head q;

	__skb_queue_head_init(&q);
	list_for_each_entry_safe(peer, tmp, &rs->peers, node) {
		if (peer->expiry && !time_before(jiffies, peer->expiry))
			rmcast_peer_timer(rs, peer, xmitq);
		rmcast_advance(rs, peer, &q);
		if (peer->next == peer->tracked &&
		    !time_before(jiffies, peer->heard + idle)) {
			rmcast_peer_free(rs, peer);
			continue;
		}
		if (peer->expiry && (!next || time_before(peer->expiry, next)))
			next = peer->expiry;
		if (!next || time_before(peer->heard + idle, next))
			next = peer->heard + idle;
	}
	if (!skb_queue_empty(&q)) {
		spin_lock(&sk->sk_receive_queue.lock);
		skb_queue_splice_tail_init(&q, &sk->sk_receive_queue);
		spin_unlock(&sk->sk_receive_queue.lock);
		sk->sk_data_ready(sk);
	}
	return next;
}

/* The application read: if NAKs were held for lack of room, resume. */
void rmcast_rx_read(struct rmcast_sock *rs)
{
	if (!READ_ONCE(rs->rx_held))
		return;
	spin_lock_bh(&rs->lock);
	rs->rx_held = false;
	rmcast_kick_timer(rs, jiffies);
	spin_unlock_bh(&rs->lock);
}
