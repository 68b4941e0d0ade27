// SPDX-License-Identifier: GPL-2.0
/*
 * Transports: PGM over UDP (encapsulation, the default) or over IP
 * protocol 113, IPv4 and IPv6.
 *
 * Receive: UDP tunnel sockets shared per (namespace, family, port) feed
 * rmcast_rcv(); IP protocol 113 arrives through inet(6)_add_protocol
 * handlers registered once for the module.  Group memberships are
 * refcounted per (namespace, group, ifindex) and joined on one kernel
 * socket per family, so any transport of any socket in the namespace
 * hears the group.
 *
 * Transmit: packets are built by tx.c/rx.c, queued on a local xmit queue
 * under the socket lock and sent here after it is released, from any
 * context, with IP (and UDP) headers built here and ip(6)_local_out(),
 * with one of the namespace's kernel sockets as the output socket (one
 * with multicast loopback on, one with it off).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/igmp.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/udp.h>
#include <net/addrconf.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#include <net/protocol.h>
#include <net/route.h>
#include <net/udp_tunnel.h>

#include "rmcast.h"

/* ---- kernel sockets ---------------------------------------------------- */

static int rmcast_kern_sock(struct net *net, int family, int loop,
			    struct socket **sockp)
{
	struct socket *sock;
	int err;

	err = sock_create_kern(net, family, SOCK_DGRAM, IPPROTO_UDP, &sock);
	if (err)
		return err;
	if (family == AF_INET)
		err = sock->ops->setsockopt(sock, SOL_IP, IP_MULTICAST_LOOP,
					    KERNEL_SOCKPTR(&loop),
					    sizeof(loop));
	else
		err = sock->ops->setsockopt(sock, SOL_IPV6,
					    IPV6_MULTICAST_LOOP,
					    KERNEL_SOCKPTR(&loop),
					    sizeof(loop));
	if (err) {
		sock_release(sock);
		return err;
	}
	*sockp = sock;
	return 0;
}

static void rmcast_kern_sock_release(struct socket **sockp)
{
	if (*sockp) {
		sock_release(*sockp);
		*sockp = NULL;
	}
}

int rmcast_net_transport_init(struct rmcast_net *rn)
{
	int loop, err;

	for (loop = 0; loop < 2; loop++) {
		err = rmcast_kern_sock(rn->net, AF_INET, loop, &rn->tx4[loop]);
		if (err)
			goto fail;
		/* IPv6 may be disabled: then IPv6 sessions fail at bind. */
		if (rmcast_kern_sock(rn->net, AF_INET6, loop, &rn->tx6[loop]))
			rn->tx6[loop] = NULL;
	}
	return 0;
fail:
	rmcast_net_transport_exit(rn);
	return err;
}

void rmcast_net_transport_exit(struct rmcast_net *rn)
{
	int loop;

	for (loop = 1; loop >= 0; loop--) {
		rmcast_kern_sock_release(&rn->tx6[loop]);
		rmcast_kern_sock_release(&rn->tx4[loop]);
	}
}

/* ---- receive ------------------------------------------------------------- */

static int rmcast_udp_encap_rcv(struct sock *sk, struct sk_buff *skb)
{
	if (!pskb_may_pull(skb, sizeof(struct udphdr))) {
		kfree_skb(skb);
		return 0;
	}
	__skb_pull(skb, sizeof(struct udphdr));
	rmcast_rcv(sock_net(sk), skb, RMCAST_TRANSPORT_UDP);
	return 0;
}

static int rmcast_ip4_rcv(struct sk_buff *skb)
{
	rmcast_rcv(dev_net(skb->dev), skb, RMCAST_TRANSPORT_IP);
	return 0;
}

static int rmcast_ip6_rcv(struct sk_buff *skb)
{
	rmcast_rcv(dev_net(skb->dev), skb, RMCAST_TRANSPORT_IP);
	return 0;
}

static const struct net_protocol rmcast_ip4_protocol = {
	.handler	= rmcast_ip4_rcv,
	.no_policy	= 1,
};

static const struct inet6_protocol rmcast_ip6_protocol = {
	.handler	= rmcast_ip6_rcv,
	.flags		= INET6_PROTO_NOPOLICY | INET6_PROTO_FINAL,
};

/* A UDP tunnel socket on @port, shared; called with rn->lock held. */
struct rmcast_udp *rmcast_udp_get(struct rmcast_net *rn, u16 family, u16 port)
{
	struct udp_tunnel_sock_cfg tcfg = {};
	struct udp_port_cfg pcfg = {};
	struct rmcast_udp *u;
	int err;

	lockdep_assert_held(&rn->lock);
	list_for_each_entry(u, &rn->transports, node) {
		if (u->port == port && u->family == family) {
			u->users++;
			return u;
		}
	}

	u = kzalloc(sizeof(*u), GFP_KERNEL);
	if (!u)
		return ERR_PTR(-ENOMEM);

	pcfg.family = family;
	pcfg.local_udp_port = htons(port);
	if (family == AF_INET6) {
		pcfg.local_ip6 = in6addr_any;
		pcfg.ipv6_v6only = 1;
		pcfg.use_udp6_rx_checksums = 1;
		pcfg.use_udp6_tx_checksums = 1;
	} else {
		pcfg.local_ip.s_addr = htonl(INADDR_ANY);
		pcfg.use_udp_checksums = 1;
	}
	err = udp_sock_create(rn->net, &pcfg, &u->sock);
	if (err) {
		kfree(u);
		return ERR_PTR(err);
	}
	tcfg.sk_user_data = u;
	tcfg.encap_type = 1;
	tcfg.encap_rcv = rmcast_udp_encap_rcv;
	setup_udp_tunnel_sock(rn->net, u->sock, &tcfg);

	u->rn = rn;
	u->port = port;
	u->family = family;
	u->users = 1;
	list_add(&u->node, &rn->transports);
	atomic_inc(&rmcast_obj.transports);
	return u;
}

/* Called with rn->lock held. */
void rmcast_udp_put(struct rmcast_udp *u)
{
	lockdep_assert_held(&u->rn->lock);
	if (--u->users)
		return;
	list_del(&u->node);
	/* Waits for readers of sk_user_data (synchronize_rcu). */
	udp_tunnel_sock_release(u->sock);
	atomic_dec(&rmcast_obj.transports);
	kfree(u);
}

/* ---- group membership ---------------------------------------------------- */

static int rmcast_join(struct rmcast_net *rn, const struct rmcast_ip *group,
		       int ifindex, bool join)
{
	struct socket *sock = group->family == AF_INET ? rn->tx4[1] :
			      rn->tx6[1];
	struct sock *sk;
	int err;

	if (!sock)
		return -EAFNOSUPPORT;
	sk = sock->sk;
	/* As the IP(V6)_ADD_MEMBERSHIP socket options: RTNL, then the socket. */
	rtnl_lock();
	lock_sock(sk);
	if (group->family == AF_INET) {
		struct ip_mreqn mreq = {
			.imr_multiaddr.s_addr = group->v4,
			.imr_ifindex = ifindex,
		};

		if (join)
			err = ip_mc_join_group(sk, &mreq);
		else
			err = ip_mc_leave_group(sk, &mreq);
	} else {
		if (join)
			err = ipv6_sock_mc_join(sk, ifindex, &group->v6);
		else
			err = ipv6_sock_mc_drop(sk, ifindex, &group->v6);
	}
	release_sock(sk);
	rtnl_unlock();
	return err;
}

/* Called with rn->lock held. */
struct rmcast_member *rmcast_member_get(struct rmcast_net *rn,
					const struct rmcast_ip *group,
					int ifindex)
{
	struct rmcast_member *m;
	int err;

	lockdep_assert_held(&rn->lock);
	list_for_each_entry(m, &rn->members, node) {
		if (m->ifindex == ifindex && rmcast_ip_eq(&m->group, group)) {
			m->users++;
			return m;
		}
	}
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return ERR_PTR(-ENOMEM);
	err = rmcast_join(rn, group, ifindex, true);
	if (err) {
		kfree(m);
		return ERR_PTR(err);
	}
	m->group = *group;
	m->ifindex = ifindex;
	m->users = 1;
	list_add(&m->node, &rn->members);
	atomic_inc(&rmcast_obj.memberships);
	return m;
}

/* Called with rn->lock held. */
void rmcast_member_put(struct rmcast_net *rn, struct rmcast_member *m)
{
	lockdep_assert_held(&rn->lock);
	if (--m->users)
		return;
	list_del(&m->node);
	/* The interface may be gone: leaving then fails, harmlessly. */
	rmcast_join(rn, &m->group, m->ifindex, false);
	atomic_dec(&rmcast_obj.memberships);
	kfree(m);
}

/* ---- transmit ------------------------------------------------------------ */

static struct rmcast_xmit *rmcast_xcb(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct rmcast_xmit) > sizeof(skb->cb));
	return (struct rmcast_xmit *)skb->cb;
}

void rmcast_xmitq_add(struct sk_buff_head *q, struct sk_buff *skb,
		      const struct rmcast_xmit *x)
{
	*rmcast_xcb(skb) = *x;
	__skb_queue_tail(q, skb);
}

/* Build a header-only packet (SPM, NCF, NAK, SPMR) onto @q. */
void rmcast_xmitq_ctrl(struct sk_buff_head *q, const struct pgm_pkt *p,
		       const struct rmcast_xmit *x)
{
	size_t len = pgm_hdr_len(p);
	struct sk_buff *skb;

	skb = alloc_skb(RMCAST_HEADROOM + len, GFP_ATOMIC);
	if (!skb)
		return;
	skb_reserve(skb, RMCAST_HEADROOM);
	if (pgm_build(skb_put(skb, len), len, p) != len) {
		kfree_skb(skb);
		return;
	}
	pgm_csum_set(skb->data, len, 0);
	rmcast_xmitq_add(q, skb, x);
}

static int rmcast_route4(struct net *net, const struct rmcast_xmit *x,
			 struct flowi4 *fl4, struct rtable **rtp)
{
	struct rtable *rt;

	memset(fl4, 0, sizeof(*fl4));
	fl4->daddr = x->dst.v4;
	fl4->flowi4_oif = x->ifindex;
	fl4->flowi4_proto = x->transport == RMCAST_TRANSPORT_IP ?
			    RMCAST_IPPROTO_PGM : IPPROTO_UDP;
	rt = ip_route_output_key(net, fl4);
	if (IS_ERR(rt))
		return PTR_ERR(rt);
	*rtp = rt;
	return 0;
}

static int rmcast_route6(struct net *net, struct sock *sk,
			 const struct rmcast_xmit *x, struct flowi6 *fl6,
			 struct dst_entry **dstp)
{
	memset(fl6, 0, sizeof(*fl6));
	fl6->daddr = x->dst.v6;
	fl6->flowi6_oif = x->ifindex;
	fl6->flowi6_proto = x->transport == RMCAST_TRANSPORT_IP ?
			    RMCAST_IPPROTO_PGM : IPPROTO_UDP;
	return ip6_dst_lookup(net, sk, dstp, fl6);
}

/* Put the UDP header in front of the PGM packet (UDP transport only). */
static void rmcast_push_udp(struct sk_buff *skb, const struct rmcast_xmit *x)
{
	struct udphdr *uh;

	__skb_push(skb, sizeof(*uh));
	skb_reset_transport_header(skb);
	uh = udp_hdr(skb);
	uh->source = htons(x->sport);
	uh->dest = htons(x->dport);
	uh->len = htons(skb->len);
	uh->check = 0;
}

/*
 * The IP header is built here and the packet handed to ip_local_out()
 * directly: the tunnel helpers (iptunnel_xmit() and friends) count a
 * transmit recursion level, which makes sk_mc_loop() refuse multicast
 * loopback -- and a laptop running sender and receivers needs it.
 */
static void rmcast_xmit4(struct rmcast_net *rn, struct sk_buff *skb,
			 const struct rmcast_xmit *x)
{
	struct sock *sk = rn->tx4[x->loop]->sk;
	struct flowi4 fl4;
	struct rtable *rt;
	struct iphdr *iph;

	if (rmcast_route4(rn->net, x, &fl4, &rt)) {
		kfree_skb(skb);
		return;
	}
	/*
	 * TTL 0 stays on the host.  ip_mc_output() enforces that only when
	 * the host is a member (it loops a copy back, then drops); without
	 * members ip_output() would put a TTL 0 packet on the LAN.
	 */
	if (!x->ttl && !(rt->rt_flags & RTCF_LOCAL)) {
		ip_rt_put(rt);
		kfree_skb(skb);
		return;
	}
	skb_scrub_packet(skb, false);
	if (x->transport == RMCAST_TRANSPORT_UDP) {
		rmcast_push_udp(skb, x);
		udp_set_csum(false, skb, fl4.saddr, x->dst.v4, skb->len);
	} else {
		skb_reset_transport_header(skb);
	}
	skb_dst_set(skb, &rt->dst);
	memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	__skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	iph = ip_hdr(skb);
	iph->version = 4;
	iph->ihl = sizeof(*iph) >> 2;
	iph->tos = 0;
	iph->frag_off = 0;
	iph->ttl = x->ttl;
	iph->protocol = x->transport == RMCAST_TRANSPORT_UDP ?
			IPPROTO_UDP : RMCAST_IPPROTO_PGM;
	iph->saddr = fl4.saddr;
	iph->daddr = x->dst.v4;
	__ip_select_ident(rn->net, iph, 1);
	skb->protocol = htons(ETH_P_IP);
	ip_local_out(rn->net, sk, skb);
}

/* Has the host joined @group on @dev?  (ipv6_chk_mcast_addr() is not exported.) */
static bool rmcast_mc6_member(struct net_device *dev,
			      const struct in6_addr *group)
{
	struct inet6_dev *idev;
	struct ifmcaddr6 *mc;
	bool found = false;

	rcu_read_lock();
	idev = __in6_dev_get(dev);
	for (mc = idev ? rcu_dereference(idev->mc_list) : NULL; mc;
	     mc = rcu_dereference(mc->next)) {
		if (ipv6_addr_equal(&mc->mca_addr, group)) {
			found = true;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

static void rmcast_xmit6(struct rmcast_net *rn, struct sk_buff *skb,
			 const struct rmcast_xmit *x)
{
	struct sock *sk = rn->tx6[x->loop] ? rn->tx6[x->loop]->sk : NULL;
	struct dst_entry *dst = NULL;
	struct ipv6hdr *ip6h;
	struct flowi6 fl6;

	if (!sk || rmcast_route6(rn->net, sk, x, &fl6, &dst)) {
		kfree_skb(skb);
		return;
	}
	/*
	 * Hop limit 0 stays on the host: ip6_finish_output2() drops it
	 * only after looping a copy to local members; without members it
	 * would go on the LAN.
	 */
	if (!x->ttl && !rmcast_mc6_member(dst->dev, &x->dst.v6)) {
		dst_release(dst);
		kfree_skb(skb);
		return;
	}
	skb_scrub_packet(skb, false);
	if (x->transport == RMCAST_TRANSPORT_UDP) {
		rmcast_push_udp(skb, x);
		udp6_set_csum(false, skb, &fl6.saddr, &x->dst.v6, skb->len);
	} else {
		skb_reset_transport_header(skb);
	}
	skb_dst_set(skb, dst);
	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
	__skb_push(skb, sizeof(*ip6h));
	skb_reset_network_header(skb);
	ip6h = ipv6_hdr(skb);
	ip6_flow_hdr(ip6h, 0, 0);
	ip6h->payload_len = htons(skb->len - sizeof(*ip6h));
	ip6h->nexthdr = x->transport == RMCAST_TRANSPORT_UDP ?
			IPPROTO_UDP : RMCAST_IPPROTO_PGM;
	ip6h->hop_limit = x->ttl;
	ip6h->daddr = x->dst.v6;
	ip6h->saddr = fl6.saddr;
	skb->protocol = htons(ETH_P_IPV6);
	ip6_local_out(rn->net, sk, skb);
}

/* Send everything on @q; call with no spinlock held. */
void rmcast_xmitq_send(struct rmcast_net *rn, struct sk_buff_head *q)
{
	struct rmcast_xmit x;
	struct sk_buff *skb;

	if (skb_queue_empty(q))
		return;
	local_bh_disable();
	while ((skb = __skb_dequeue(q))) {
		x = *rmcast_xcb(skb);
		if (x.dst.family == AF_INET)
			rmcast_xmit4(rn, skb, &x);
		else
			rmcast_xmit6(rn, skb, &x);
	}
	local_bh_enable();
}

/* Source address and path MTU towards @dst (process context). */
int rmcast_route_saddr(struct rmcast_net *rn, const struct rmcast_ip *dst,
		       int ifindex, struct rmcast_ip *saddr, int *mtu)
{
	struct rmcast_xmit x = { .dst = *dst, .ifindex = ifindex };
	struct dst_entry *dst6 = NULL;
	struct flowi6 fl6;
	int err;

	saddr->family = dst->family;
	if (dst->family == AF_INET) {
		struct flowi4 fl4;
		struct rtable *rt;

		err = rmcast_route4(rn->net, &x, &fl4, &rt);
		if (err)
			return err;
		saddr->v4 = fl4.saddr;
		*mtu = dst_mtu(&rt->dst);
		ip_rt_put(rt);
		return 0;
	}
	if (!rn->tx6[0])
		return -EAFNOSUPPORT;
	err = rmcast_route6(rn->net, rn->tx6[0]->sk, &x, &fl6, &dst6);
	if (err)
		return err;
	saddr->v6 = fl6.saddr;
	*mtu = dst_mtu(dst6);
	dst_release(dst6);
	return 0;
}

int rmcast_transport_init(void)
{
	int err;

	err = inet_add_protocol(&rmcast_ip4_protocol, RMCAST_IPPROTO_PGM);
	if (err) {
		pr_err("IP protocol %d is taken\n", RMCAST_IPPROTO_PGM);
		return err;
	}
	err = inet6_add_protocol(&rmcast_ip6_protocol, RMCAST_IPPROTO_PGM);
	if (err) {
		pr_err("IPv6 next header %d is taken\n", RMCAST_IPPROTO_PGM);
		inet_del_protocol(&rmcast_ip4_protocol, RMCAST_IPPROTO_PGM);
		return err;
	}
	return 0;
}

void rmcast_transport_exit(void)
{
	inet6_del_protocol(&rmcast_ip6_protocol, RMCAST_IPPROTO_PGM);
	inet_del_protocol(&rmcast_ip4_protocol, RMCAST_IPPROTO_PGM);
	synchronize_net();
}
