// SPDX-License-Identifier: GPL-2.0
/*
 * The receiver: per-source (peer) receive windows, the NAK state machine
 * of RFC 3208 5.3, reassembly of fragmented messages, and delivery in
 * order or in arrival order with exact loss reports.
 *
 * Each peer has a ring of RMCAST_RXW_SQNS slots indexed by sequence
 * number.  Slots in [next, tracked) are tracked: HAVE (data held), DONE
 * (delivered early in arrival order), LOST, or missing in one of the
 * three NAK states, each with a list: BACKOFF (random back-off in
 * (0, nak_bo_ivl]), WAIT_NCF (NAK sent, nak_rpt_ivl), WAIT_DATA (NCF
 * seen, nak_rdata_ivl).  A gap is given up (LOST) when the source's
 * trailing edge passes it, when retries run out, or when the recovery
 * deadline expires; the application then gets a loss record naming the
 * exact range.  Everything here runs under rs->lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errqueue.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "rmcast.h"

#define RMCAST_FRAG_MAX	(16 << 20)	/* largest message we reassemble */
/* Tracked span limit: the oldest and newest never share a chunk. */
#define RMCAST_RXW_MAX	(RMCAST_RXW_SQNS - RMCAST_CHUNK)

struct rmcast_slot *rmcast_at(struct rmcast_peer *peer, u32 sqn)
{
	u32 i = sqn & (RMCAST_RXW_SQNS - 1);

	return &peer->chunk[i / RMCAST_CHUNK][i % RMCAST_CHUNK];
}

/* Step the delivery point; free a chunk once it is wholly behind it. */
static void rmcast_next_inc(struct rmcast_peer *peer)
{
	u32 i;

	peer->next++;
	if (peer->next % RMCAST_CHUNK)
		return;
	i = ((peer->next - 1) & (RMCAST_RXW_SQNS - 1)) / RMCAST_CHUNK;
	kfree(peer->chunk[i]);
	peer->chunk[i] = NULL;
}

/* ---- peers --------------------------------------------------------------- */

static struct rmcast_peer *rmcast_peer_find(struct rmcast_sock *rs,
					    const struct pgm_pkt *p)
{
	struct rmcast_peer *peer;

	list_for_each_entry(peer, &rs->peers, node)
		if (ntohs(peer->tsi.sport) == p->sport &&
		    !memcmp(peer->tsi.gsi, p->gsi, PGM_GSI_LEN))
			return peer;
	return NULL;
}

static struct rmcast_peer *rmcast_peer_new(struct rmcast_sock *rs,
					   const struct pgm_pkt *p,
					   const struct rmcast_ip *saddr)
{
	struct rmcast_peer *peer;

	if (rs->npeers >= rs->cfg.max_peers)
		return NULL;
	peer = kzalloc(sizeof(*peer), GFP_ATOMIC);
	if (!peer)
		return NULL;
	memcpy(peer->tsi.gsi, p->gsi, PGM_GSI_LEN);
	peer->tsi.sport = htons(p->sport);
	peer->nla = *saddr;
	INIT_LIST_HEAD(&peer->backoff);
	INIT_LIST_HEAD(&peer->wait_ncf);
	INIT_LIST_HEAD(&peer->wait_data);
	list_add_tail(&peer->node, &rs->peers);
	rs->npeers++;
	atomic_inc(&rmcast_obj.peers);
	return peer;
}

/* Take the skb out of a slot, off the ring's books (still charged). */
static struct sk_buff *rmcast_slot_take(struct rmcast_sock *rs,
					struct rmcast_slot *slot)
{
	struct sk_buff *skb = slot->skb;

	slot->skb = NULL;
	rs->ring_bytes -= skb->truesize;
	atomic_dec(&rmcast_obj.skbs);
	return skb;
}

/* Off its NAK-state list, keeping the socket's counts of requests. */
static void rmcast_slot_unlist(struct rmcast_sock *rs, struct rmcast_slot *slot)
{
	if (list_empty(&slot->node))
		return;
	list_del_init(&slot->node);
	if (slot->state == RXS_WAIT_NCF)
		rs->rx_wait_ncf--;
	else if (slot->state == RXS_WAIT_DATA)
		rs->rx_wait_data--;
}

static void rmcast_slot_clear(struct rmcast_sock *rs, struct rmcast_slot *slot)
{
	if (slot->skb) {
		rs->ring_bytes -= slot->skb->truesize;
		rmcast_skb_free(slot->skb);
		slot->skb = NULL;
	}
	rmcast_slot_unlist(rs, slot);
	slot->state = RXS_NONE;
}

void rmcast_peer_free(struct rmcast_sock *rs, struct rmcast_peer *peer)
{
	u32 s;

	for (s = peer->next; s != peer->tracked; s++)
		rmcast_slot_clear(rs, rmcast_at(peer, s));
	for (s = 0; s < ARRAY_SIZE(peer->chunk); s++)
		kfree(peer->chunk[s]);
	list_del(&peer->node);
	rs->npeers--;
	atomic_dec(&rmcast_obj.peers);
	kfree(peer);
}

void rmcast_rx_release(struct rmcast_sock *rs)
{
	struct rmcast_peer *peer, *tmp;

	list_for_each_entry_safe(peer, tmp, &rs->peers, node)
		rmcast_peer_free(rs, peer);
}

/* ---- slot states --------------------------------------------------------- */

void rmcast_slot_set(struct rmcast_sock *rs, struct rmcast_peer *peer,
		     struct rmcast_slot *slot, u8 state)
{
	unsigned long now = jiffies;
	struct list_head *list = NULL;

	rmcast_slot_unlist(rs, slot);
	slot->state = state;
	switch (state) {
	case RXS_BACKOFF:
		slot->expiry = now + 1 +
			get_random_u32_below(rmcast_ms(rs->cfg.nak_bo_ivl_msecs));
		list = &peer->backoff;
		break;
	case RXS_WAIT_NCF:
		slot->expiry = now + rmcast_ms(rs->cfg.nak_rpt_ivl_msecs);
		list = &peer->wait_ncf;
		rs->rx_wait_ncf++;
		break;
	case RXS_WAIT_DATA:
		slot->expiry = now + rmcast_ms(rs->cfg.nak_rdata_ivl_msecs);
		list = &peer->wait_data;
		rs->rx_wait_data++;
		break;
	}
	if (list) {
		list_add_tail(&slot->node, list);
		if (!peer->expiry || time_before(slot->expiry, peer->expiry))
			peer->expiry = slot->expiry;
	}
}

void rmcast_slot_lost(struct rmcast_sock *rs, struct rmcast_slot *slot,
		      u8 cause)
{
	rmcast_slot_clear(rs, slot);
	slot->state = RXS_LOST;
	slot->cause = cause;
}

bool rmcast_slot_missing(const struct rmcast_slot *slot)
{
	return slot->state == RXS_BACKOFF || slot->state == RXS_WAIT_NCF ||
	       slot->state == RXS_WAIT_DATA;
}

/*
 * Track sequence numbers up to @last (inclusive) as far as the ring
 * allows; new ones are missing (or lost, if the source no longer has
 * them).
 */
static void rmcast_track(struct rmcast_sock *rs, struct rmcast_peer *peer,
			 u32 last)
{
	struct rmcast_slot **chunk;
	struct rmcast_slot *slot;

	if (pgm_seq_gt(last, peer->lead))
		peer->lead = last;
	while (pgm_seq_le(peer->tracked, peer->lead) &&
	       peer->tracked - peer->next < RMCAST_RXW_MAX) {
		chunk = &peer->chunk[(peer->tracked & (RMCAST_RXW_SQNS - 1)) /
				     RMCAST_CHUNK];
		if (!*chunk) {
			*chunk = kcalloc(RMCAST_CHUNK, sizeof(**chunk),
					 GFP_ATOMIC);
			if (!*chunk)
				break;
		}
		slot = rmcast_at(peer, peer->tracked);
		INIT_LIST_HEAD(&slot->node);
		slot->skb = NULL;
		slot->sqn = peer->tracked;
		slot->since = jiffies;
		slot->ncf_retries = 0;
		slot->data_retries = 0;
		slot->self_drop = 0;
		if (pgm_seq_lt(slot->sqn, peer->trail))
			rmcast_slot_lost(rs, slot, RMCAST_LOSS_WINDOW);
		else
			rmcast_slot_set(rs, peer, slot, RXS_BACKOFF);
		peer->tracked++;
	}
}

static struct rmcast_slot *rmcast_slot(struct rmcast_peer *peer, u32 sqn)
{
	if (pgm_seq_lt(sqn, peer->next) || pgm_seq_ge(sqn, peer->tracked))
		return NULL;
	return rmcast_at(peer, sqn);
}

/* The source's trailing edge moved: what it no longer holds is lost. */
static void rmcast_trail(struct rmcast_sock *rs, struct rmcast_peer *peer,
			 u32 trail)
{
	struct rmcast_slot *slot;
	u32 s;

	if (!pgm_seq_gt(trail, peer->trail))
		return;
	peer->trail = trail;
	for (s = peer->next; s != peer->tracked && pgm_seq_lt(s, trail); s++) {
		slot = rmcast_at(peer, s);
		if (rmcast_slot_missing(slot))
			rmcast_slot_lost(rs, slot, RMCAST_LOSS_WINDOW);
	}
}

/* ---- delivery ------------------------------------------------------------ */

static void rmcast_queue(struct rmcast_sock *rs, struct rmcast_peer *peer,
			 struct sk_buff *skb, struct sk_buff_head *q)
{
	struct rmcast_rxcb *cb = rmcast_rxcb(skb);

	cb->src = peer->nla;
	cb->tsi = peer->tsi;
	__skb_queue_tail(q, skb);
}

/* The error queue record: extended error + the source's TSI. */
struct sk_buff *rmcast_loss_errskb(const struct rmcast_rxcb *cb, gfp_t gfp)
{
	struct sock_exterr_skb *serr;
	struct sk_buff *skb;

	skb = alloc_skb(sizeof(cb->tsi), gfp);
	if (!skb)
		return NULL;
	skb_put_data(skb, &cb->tsi, sizeof(cb->tsi));
	serr = SKB_EXT_ERR(skb);
	memset(serr, 0, sizeof(*serr));
	serr->ee.ee_errno = ENODATA;
	serr->ee.ee_origin = SO_EE_ORIGIN_RMCAST;
	serr->ee.ee_code = cb->cause;
	serr->ee.ee_info = cb->sqn;
	serr->ee.ee_data = cb->last;
	return skb;
}

#define RMCAST_ERRQ_MAX	4096	/* loss records kept unread */

/*
 * Queue a loss record on the error queue.  Unlike sock_queue_err_skb()
 * this does not fail when the receive buffer is full: a reader that
 * fell behind is exactly the one that must learn what it lost.  The
 * queue is bounded by count instead; a record beyond that is dropped
 * and counted in lost_sqns only.
 */
int rmcast_queue_err(struct sock *sk, struct sk_buff *skb)
{
	if (skb_queue_len(&sk->sk_error_queue) >= RMCAST_ERRQ_MAX) {
		kfree_skb(skb);
		return -ENOBUFS;
	}
	skb_orphan(skb);
	skb_set_owner_r(skb, sk);
	skb_queue_tail(&sk->sk_error_queue, skb);
	if (!sock_flag(sk, SOCK_DEAD))
		sk_error_report(sk);
	return 0;
}

/*
 * Report sqns [first, last] lost.  In order, a marker on the receive
 * queue keeps the report in its place among the messages; in arrival
 * order it goes to the error queue at once.
 */
static void rmcast_loss(struct rmcast_sock *rs, struct rmcast_peer *peer,
			u32 first, u32 last, u8 cause, struct sk_buff_head *q)
{
	struct rmcast_rxcb *cb;
	struct sk_buff *skb;

	rs->stats.lost_sqns += last - first + 1;
	skb = alloc_skb(0, GFP_ATOMIC);
	if (!skb)
		return;
	cb = rmcast_rxcb(skb);
	memset(cb, 0, sizeof(*cb));
	cb->kind = RMCAST_CB_LOSS;
	cb->sqn = first;
	cb->last = last;
	cb->cause = cause;
	cb->src = peer->nla;
	cb->tsi = peer->tsi;
	if (READ_ONCE(rs->delivery) == RMCAST_DELIVER_ARRIVAL) {
		struct sk_buff *err = rmcast_loss_errskb(cb, GFP_ATOMIC);

		kfree_skb(skb);
		WRITE_ONCE(rs->loss_seen, true);
		if (err)
			rmcast_queue_err(&rs->sk, err);
		return;
	}
	skb_set_owner_r(skb, &rs->sk);
	__skb_queue_tail(q, skb);
}

/*
 * If the message whose first fragment is at @first is complete, link
 * its fragments behind the first one and return how many slots it
 * spans; 0 if not complete yet; -1 if it can never complete.
 */
static int rmcast_assemble(struct rmcast_sock *rs, struct rmcast_peer *peer,
			   u32 first, struct sk_buff **msgp)
{
	struct rmcast_slot *slot = rmcast_slot(peer, first);
	struct sk_buff *head, *skb, **tail;
	struct rmcast_cb *hcb, *cb;
	u32 s, got = 0;
	int n = 0;

	head = slot->skb;
	hcb = rmcast_cb(head);
	for (s = first; got < hcb->frag_len; s++, n++) {
		slot = rmcast_slot(peer, s);
		if (!slot)
			return 0;
		if (slot->state == RXS_LOST)
			return -1;
		if (slot->state != RXS_HAVE)
			return 0;
		cb = rmcast_cb(slot->skb);
		if (cb->frag_sqn != first || cb->frag_len != hcb->frag_len ||
		    cb->frag_off != got)
			return -1;
		got += slot->skb->len;
	}
	if (got != hcb->frag_len)
		return -1;

	/* Complete: chain fragments 2..n on the first one's frag_list. */
	tail = &skb_shinfo(head)->frag_list;
	for (s = first + 1; s != first + n; s++) {
		skb = rmcast_slot_take(rs, rmcast_slot(peer, s));
		*tail = skb;
		tail = &skb->next;
		head->len += skb->len;
		head->data_len += skb->len;
	}
	rmcast_slot_take(rs, rmcast_slot(peer, first));
	*msgp = head;
	return n;
}

/* Hand over the message at @sqn if it is complete. */
static int rmcast_try_message(struct rmcast_sock *rs, struct rmcast_peer *peer,
			      u32 sqn, struct sk_buff_head *q)
{
	struct rmcast_slot *slot = rmcast_slot(peer, sqn);
	struct sk_buff *msg;
	int n = 1, i;

	if (!rmcast_cb(slot->skb)->frag_len) {
		msg = rmcast_slot_take(rs, slot);
	} else {
		n = rmcast_assemble(rs, peer, sqn, &msg);
		if (n <= 0)
			return n;
	}
	for (i = 0; i < n; i++)
		rmcast_slot(peer, sqn + i)->state = RXS_DONE;
	rmcast_rxcb(msg)->kind = RMCAST_CB_DATA;
	rmcast_rxcb(msg)->sqn = sqn;
	rs->stats.msgs_received++;
	rs->stats.bytes_received += msg->len;
	rmcast_queue(rs, peer, msg, q);
	return n;
}

/*
 * The message whose first fragment is at @first can never complete: it
 * is lost whole, with the cause of the fragment that was lost (retries,
 * if its fragments merely disagree).  Its other fragments, held or
 * still to come, are absorbed by the loss run that reports it.
 */
static void rmcast_msg_lost(struct rmcast_sock *rs, struct rmcast_peer *peer,
			    u32 first)
{
	u8 cause = RMCAST_LOSS_RETRIES;
	struct rmcast_slot *slot;
	u32 s;

	for (s = first + 1; s != peer->tracked; s++) {
		slot = rmcast_at(peer, s);
		if (slot->state == RXS_LOST) {
			cause = slot->cause;
			break;
		}
		if (slot->state != RXS_HAVE ||
		    rmcast_cb(slot->skb)->frag_sqn != first)
			break;
	}
	rmcast_slot_lost(rs, rmcast_at(peer, first), cause);
}

/*
 * A fragment at the delivery point whose message began before it: part
 * of a message already reported lost (same cause, as a record of its
 * own), or of one that began before we joined, which we never had.
 */
static void rmcast_orphan(struct rmcast_sock *rs, struct rmcast_peer *peer,
			  struct rmcast_slot *slot)
{
	u32 head = rmcast_cb(slot->skb)->frag_sqn;

	if (pgm_seq_lt(head, peer->start)) {
		rmcast_slot_clear(rs, slot);
		slot->state = RXS_DONE;
		return;
	}
	rmcast_slot_lost(rs, slot,
			 pgm_seq_ge(head, peer->lost_first) &&
			 pgm_seq_le(head, peer->lost_last) ?
			 peer->lost_cause : RMCAST_LOSS_WINDOW);
}

/*
 * The run of lost sqns starting at the delivery point, with one cause,
 * extended over fragments of messages that began inside it; false while
 * the sqn after it is still being repaired, as it may yet join the run:
 * a contiguous loss is reported once, as one range.
 */
static bool rmcast_loss_run(struct rmcast_sock *rs, struct rmcast_peer *peer,
			    u32 *lastp)
{
	struct rmcast_slot *first = rmcast_at(peer, peer->next), *slot;
	u32 last = peer->next, head;

	while (last + 1 != peer->tracked) {
		slot = rmcast_at(peer, last + 1);
		if (rmcast_slot_missing(slot))
			return false;
		if (slot->state == RXS_HAVE && rmcast_cb(slot->skb)->frag_len) {
			head = rmcast_cb(slot->skb)->frag_sqn;
			if (pgm_seq_lt(head, peer->next) ||
			    pgm_seq_gt(head, last))
				break;
			rmcast_slot_lost(rs, slot, first->cause);
		} else if (slot->state != RXS_LOST ||
			   slot->cause != first->cause) {
			break;
		}
		last++;
	}
	*lastp = last;
	return true;
}

/* Move the delivery point forward over what is done or lost. */
void rmcast_advance(struct rmcast_sock *rs, struct rmcast_peer *peer,
		    struct sk_buff_head *q)
{
	struct rmcast_slot *slot;
	struct rmcast_cb *cb;
	u32 last;
	int n;

	for (;;) {
		if (peer->next == peer->tracked) {
			/* The ring has room again: track what it could not. */
			if (!pgm_seq_le(peer->tracked, peer->lead))
				return;
			rmcast_track(rs, peer, peer->lead);
			if (peer->next == peer->tracked)
				return;
		}
		slot = rmcast_at(peer, peer->next);
		switch (slot->state) {
		case RXS_DONE:
			slot->state = RXS_NONE;
			rmcast_next_inc(peer);
			continue;
		case RXS_LOST:
			if (!rmcast_loss_run(rs, peer, &last))
				return;
			peer->lost_first = peer->next;
			peer->lost_last = last;
			peer->lost_cause = slot->cause;
			rmcast_loss(rs, peer, peer->next, last, slot->cause, q);
			while (peer->next != last + 1) {
				rmcast_at(peer, peer->next)->state = RXS_NONE;
				rmcast_next_inc(peer);
			}
			continue;
		case RXS_HAVE:
			break;
		default:
			return;	/* a gap still being repaired */
		}

		cb = rmcast_cb(slot->skb);
		if (cb->frag_len && cb->frag_sqn != slot->sqn) {
			rmcast_orphan(rs, peer, slot);
			continue;
		}
		n = rmcast_try_message(rs, peer, peer->next, q);
		if (n > 0)
			continue;
		if (n == 0)
			return;
		rmcast_msg_lost(rs, peer, peer->next);
	}
}

/* ---- input --------------------------------------------------------------- */

static void rmcast_peer_start(struct rmcast_peer *peer, u32 first, u32 trail)
{
	u32 start = first;

	if (pgm_seq_le(trail, first) && first - trail <= RMCAST_JOIN_BACKLOG)
		start = trail;
	peer->start = start;
	peer->next = start;
	peer->tracked = start;
	peer->lost_first = start - 1;
	peer->lost_last = start - 2;
	peer->lead = start - 1;
	peer->trail = trail;
}

/*
 * Out of buffer: make room for @sqn by dropping data held after it, from
 * the newest down (those sqns go back to being missing and are repaired
 * later), as TCP prunes its out-of-order queue.  Data that fills the gap
 * the application waits on is thus never refused for data behind it, so
 * a full ring cannot deadlock delivery.
 */
static bool rmcast_prune(struct rmcast_sock *rs, struct rmcast_peer *peer,
			 u32 sqn, unsigned int need)
{
	struct sock *sk = &rs->sk;
	struct rmcast_slot *slot;
	u32 s;

	for (s = peer->tracked - 1; pgm_seq_gt(s, sqn); s--) {
		slot = rmcast_at(peer, s);
		if (slot->state != RXS_HAVE)
			continue;
		rmcast_slot_clear(rs, slot);
		rmcast_slot_set(rs, peer, slot, RXS_BACKOFF);
		rs->stats.rcvbuf_dropped++;
		if (atomic_read(&sk->sk_rmem_alloc) + need <=
		    READ_ONCE(sk->sk_rcvbuf))
			return true;
	}
	return false;
}

/*
 * The receive budget as a time (RMCAST_RCVBUF_MSECS): keep sk_rcvbuf at
 * the smoothed incoming rate (of what holding the data costs: truesize)
 * times that time, within [rmem_min, rmem_max].  Measured over 100 ms
 * periods; a non-zero RCVBUF_MSECS overrides SO_RCVBUF.
 */
static void rmcast_rx_meter(struct rmcast_sock *rs, unsigned int bytes)
{
	unsigned long now = jiffies, el = now - rs->meter_stamp;
	u64 rate, target;

	rs->meter_bytes += bytes;
	if (el < HZ / 10)
		return;
	rate = div_u64(rs->meter_bytes * HZ, el);
	rs->meter_rate = rs->meter_rate ? (3 * rs->meter_rate + rate) / 4 :
			 rate;
	rs->meter_bytes = 0;
	rs->meter_stamp = now;
	if (!rs->cfg.rcvbuf_msecs)
		return;
	target = div_u64(rs->meter_rate * rs->cfg.rcvbuf_msecs, MSEC_PER_SEC);
	target = clamp_t(u64, target, rs->cfg.rmem_min, rs->cfg.rmem_max);
	WRITE_ONCE(rs->sk.sk_rcvbuf, (int)target);
}

static void rmcast_rx_data(struct rmcast_sock *rs, struct rmcast_peer *peer,
			   struct sk_buff *skb, const struct pgm_pkt *p,
			   struct sk_buff_head *q)
{
	struct sock *sk = &rs->sk;
	struct rmcast_slot *slot;
	struct rmcast_cb *cb;
	bool was_missing;
	size_t off;

	if (p->type == PGM_RDATA)
		rs->stats.rdata_received++;
	else
		rs->stats.odata_received++;
	/* Metered before any drop, as what holding it would cost. */
	rmcast_rx_meter(rs, SKB_TRUESIZE(p->tsdu_len));

	if (p->has_frag && (p->frag_len > RMCAST_FRAG_MAX ||
			    pgm_seq_gt(p->frag_sqn, p->sqn))) {
		rs->stats.malformed++;
		goto drop;
	}
	rmcast_trail(rs, peer, p->trail);
	if (pgm_seq_lt(p->sqn, peer->next)) {
		rs->stats.duplicates++;
		goto drop;
	}
	rmcast_track(rs, peer, p->sqn);
	slot = rmcast_slot(peer, p->sqn);
	if (!slot) {
		/* Beyond the ring: NAKed once the ring has room. */
		rs->stats.rcvbuf_dropped++;
		goto drop;
	}
	if (slot->state == RXS_HAVE || slot->state == RXS_DONE ||
	    slot->state == RXS_LOST) {
		rs->stats.duplicates++;
		goto drop;
	}
	if (atomic_read(&sk->sk_rmem_alloc) + skb->truesize >
	    READ_ONCE(sk->sk_rcvbuf) &&
	    !rmcast_prune(rs, peer, p->sqn, skb->truesize)) {
		/*
		 * Our drop, not the network's: when its wait ends it is
		 * asked for again without spending a retry.
		 */
		slot->self_drop = 1;
		rs->stats.rcvbuf_dropped++;
		goto drop;
	}

	was_missing = slot->state == RXS_BACKOFF;
	off = p->data - skb->data;
	/*
	 * Hold a compact private copy when the skb is shared (a message
	 * head gets a frag_list: it needs its own shinfo) or when its
	 * buffer is much larger than the payload, as drivers' receive
	 * buffers often are: what we hold is charged to the socket.
	 */
	if ((p->has_frag && !p->frag_off && skb_cloned(skb)) ||
	    skb->truesize > 2 * SKB_TRUESIZE(p->tsdu_len)) {
		struct sk_buff *nskb = alloc_skb(p->tsdu_len, GFP_ATOMIC);

		if (!nskb)
			goto drop;
		skb_put_data(nskb, p->data, p->tsdu_len);
		consume_skb(skb);
		skb = nskb;
		off = 0;
	}
	__skb_pull(skb, off);
	skb_orphan(skb);
	skb_dst_drop(skb);
	cb = rmcast_cb(skb);
	memset(cb, 0, sizeof(*cb));
	cb->sqn = p->sqn;
	cb->frag_sqn = p->has_frag ? p->frag_sqn : p->sqn;
	cb->frag_off = p->has_frag ? p->frag_off : 0;
	cb->frag_len = p->has_frag ? p->frag_len : 0;
	cb->stamp = jiffies;
	skb_set_owner_r(skb, sk);
	rmcast_skb_held();
	rs->avg_truesize = (7 * rs->avg_truesize + skb->truesize) / 8;
	rs->ring_bytes += skb->truesize;
	rmcast_slot_unlist(rs, slot);
	slot->skb = skb;
	slot->state = RXS_HAVE;
	if (was_missing && p->type == PGM_RDATA)
		rs->stats.nak_suppressed++;

	if (READ_ONCE(rs->delivery) == RMCAST_DELIVER_ARRIVAL) {
		u32 first = cb->frag_sqn;

		if (rmcast_slot(peer, first) &&
		    rmcast_slot(peer, first)->state == RXS_HAVE)
			rmcast_try_message(rs, peer, first, q);
	}
	return;
drop:
	kfree_skb(skb);
}

static void rmcast_rx_ncf(struct rmcast_sock *rs, struct rmcast_peer *peer,
			  const struct pgm_pkt *p)
{
	struct rmcast_slot *slot;
	unsigned int i;
	u32 sqn;

	rs->stats.ncf_received++;
	for (i = 0; i <= p->nak_list_len; i++) {
		sqn = i ? p->nak_list[i - 1] : p->sqn;
		if (pgm_seq_lt(sqn, peer->next))
			continue;
		rmcast_track(rs, peer, sqn);
		slot = rmcast_slot(peer, sqn);
		if (!slot || !rmcast_slot_missing(slot))
			continue;
		if (slot->state == RXS_BACKOFF)
			rs->stats.nak_suppressed++;
		rmcast_slot_set(rs, peer, slot, RXS_WAIT_DATA);
	}
}

static void rmcast_rx_spm(struct rmcast_sock *rs, struct rmcast_peer *peer,
			  const struct pgm_pkt *p)
{
	rs->stats.spm_received++;
	if (peer->have_spm && !pgm_seq_gt(p->sqn, peer->spm_sqn))
		return;		/* old or duplicate SPM */
	peer->have_spm = true;
	peer->spm_sqn = p->sqn;
	if ((p->src_nla.afi == PGM_AFI_IP && peer->nla.family == AF_INET) ||
	    (p->src_nla.afi == PGM_AFI_IP6 && peer->nla.family == AF_INET6)) {
		memcpy(&peer->nla.v6, p->src_nla.addr,
		       peer->nla.family == AF_INET ? 4 : 16);
		peer->nla_spm = true;
	}
	rmcast_trail(rs, peer, p->trail);
	if (pgm_seq_ge(p->lead, peer->next))
		rmcast_track(rs, peer, p->lead);
}

void rmcast_rx_deliver(struct rmcast_sock *rs, struct sk_buff *skb,
		       const struct pgm_pkt *p, const struct rmcast_ip *saddr)
{
	struct sk_buff_head q, xmitq;
	struct sock *sk = &rs->sk;
	struct rmcast_peer *peer;
	bool queued = false;

	__skb_queue_head_init(&q);
	__skb_queue_head_init(&xmitq);
	spin_lock_bh(&rs->lock);
	if (rs->dead)
		goto drop;
	peer = rmcast_peer_find(rs, p);
	if (!peer) {
		if (p->type == PGM_NCF)
			goto drop;
		peer = rmcast_peer_new(rs, p, saddr);
		if (!peer)
			goto drop;
		if (p->type == PGM_SPM) {
			rmcast_peer_start(peer, p->lead + 1, p->trail);
		} else {
			rmcast_peer_start(peer, p->sqn, p->trail);
			rmcast_rx_spmr(rs, peer, &xmitq);
		}
	}
	peer->heard = jiffies;

	switch (p->type) {
	case PGM_ODATA:
	case PGM_RDATA:
		rmcast_rx_data(rs, peer, skb, p, &q);
		skb = NULL;
		break;
	case PGM_NCF:
		rmcast_rx_ncf(rs, peer, p);
		break;
	case PGM_SPM:
		rmcast_rx_spm(rs, peer, p);
		break;
	}
	rmcast_advance(rs, peer, &q);
	if (peer->expiry)
		rmcast_kick_timer(rs, peer->expiry);
	if (!skb_queue_empty(&q)) {
		spin_lock(&sk->sk_receive_queue.lock);
		skb_queue_splice_tail_init(&q, &sk->sk_receive_queue);
		spin_unlock(&sk->sk_receive_queue.lock);
		queued = true;
	}
drop:
	spin_unlock_bh(&rs->lock);
	consume_skb(skb);
	if (queued)
		sk->sk_data_ready(sk);
	rmcast_xmitq_send(rs->rn, &xmitq);
}
