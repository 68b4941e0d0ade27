// SPDX-License-Identifier: GPL-2.0
/*
 * Packet input: parse once, then hand the packet to the sockets it is
 * for.  Downstream packets (SPM, ODATA, RDATA, NCF: source -> group) go
 * to every receiving socket bound to (group, dport) in the namespace;
 * upstream packets (NAK, SPMR: receiver -> source) to the sending socket
 * whose TSI they name.  Runs in softirq context under RCU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "rmcast.h"

static void rmcast_addrs(const struct sk_buff *skb, struct rmcast_ip *src,
			 struct rmcast_ip *dst)
{
	if (ip_hdr(skb)->version == 4) {
		src->family = AF_INET;
		dst->family = AF_INET;
		src->v4 = ip_hdr(skb)->saddr;
		dst->v4 = ip_hdr(skb)->daddr;
	} else {
		src->family = AF_INET6;
		dst->family = AF_INET6;
		src->v6 = ipv6_hdr(skb)->saddr;
		dst->v6 = ipv6_hdr(skb)->daddr;
	}
}

static bool rmcast_rx_match(const struct rmcast_sock *rs,
			    const struct rmcast_ip *group, u16 dport,
			    u8 transport, int ifindex)
{
	return READ_ONCE(rs->bound) && rs->transport == transport &&
	       ntohs(rs->local.srm_port) == dport &&
	       rmcast_ip_eq(&rs->group_rx, group) &&
	       (!rs->local.srm_ifindex || rs->local.srm_ifindex == ifindex);
}

static void rmcast_downstream(struct rmcast_net *rn, struct sk_buff *skb,
			      const struct pgm_pkt *p,
			      const struct rmcast_ip *src,
			      const struct rmcast_ip *dst, u8 transport)
{
	struct rmcast_sock *rs, *prev = NULL;
	int ifindex = skb->skb_iif;
	struct hlist_head *head;

	head = &rn->rx_hash[rmcast_hash(dst, p->dport)];
	hlist_for_each_entry_rcu(rs, head, rx_node) {
		if (!rmcast_rx_match(rs, dst, p->dport, transport, ifindex))
			continue;
		if (prev) {
			struct sk_buff *clone = skb_clone(skb, GFP_ATOMIC);

			if (clone)
				rmcast_rx_deliver(prev, clone, p, src);
		}
		prev = rs;
	}
	if (prev)
		rmcast_rx_deliver(prev, skb, p, src);
	else
		consume_skb(skb);
}

static void rmcast_upstream(struct rmcast_net *rn, struct sk_buff *skb,
			    const struct pgm_pkt *p)
{
	struct sk_buff_head xmitq;
	struct rmcast_sock *rs;
	struct hlist_head *head;

	__skb_queue_head_init(&xmitq);
	/* A NAK's dport is the source port; its sport the session's dport. */
	head = &rn->tx_hash[hash_32(p->dport, RMCAST_HASH_BITS)];
	hlist_for_each_entry_rcu(rs, head, tx_node) {
		if (rs->sport != p->dport ||
		    ntohs(rs->peer.srm_port) != p->sport ||
		    memcmp(rs->tsi.gsi, p->gsi, PGM_GSI_LEN))
			continue;
		if (p->type == PGM_SPMR)
			rmcast_tx_spmr(rs, &xmitq);
		else
			rmcast_tx_nak(rs, p, &xmitq);
		break;
	}
	consume_skb(skb);
	rmcast_xmitq_send(rn, &xmitq);
}

void rmcast_rcv(struct net *net, struct sk_buff *skb, u8 transport)
{
	struct rmcast_net *rn = rmcast_pernet(net);
	struct rmcast_ip src, dst;
	struct pgm_pkt p;

	if (skb_linearize(skb))
		goto drop;
	if (pgm_parse(skb->data, skb->len, &p, true)) {
		atomic_long_inc(&rn->malformed);
		goto drop;
	}
	rmcast_addrs(skb, &src, &dst);

	rcu_read_lock();
	switch (p.type) {
	case PGM_SPM:
	case PGM_ODATA:
	case PGM_RDATA:
	case PGM_NCF:
		rmcast_downstream(rn, skb, &p, &src, &dst, transport);
		break;
	case PGM_NAK:
	case PGM_SPMR:
		rmcast_upstream(rn, skb, &p);
		break;
	default:
		consume_skb(skb);
		break;
	}
	rcu_read_unlock();
	return;
drop:
	kfree_skb(skb);
}
