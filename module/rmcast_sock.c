// SPDX-License-Identifier: GPL-2.0
/*
 * AF_RMCAST sockets: create, bind (receive), connect (send), options,
 * poll, release, and the one timer per socket.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errqueue.h>
#include <linux/in.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <net/ipv6.h>

#include "rmcast.h"

/* ---- timer --------------------------------------------------------------- */

static unsigned long rmcast_earliest(unsigned long a, unsigned long b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return time_before(a, b) ? a : b;
}

/* Re-arm the timer to @when if that is earlier; rs->lock held. */
void rmcast_kick_timer(struct rmcast_sock *rs, unsigned long when)
{
	if (rs->dead)
		return;
	if (!timer_pending(&rs->timer) ||
	    time_before(when, rs->timer.expires))
		sk_reset_timer(&rs->sk, &rs->timer, when);
}

static void rmcast_timer_fn(struct timer_list *t)
{
	struct rmcast_sock *rs = from_timer(rs, t, timer);
	struct sk_buff_head xmitq;
	unsigned long next = 0;

	__skb_queue_head_init(&xmitq);
	spin_lock_bh(&rs->lock);
	if (!rs->dead) {
		if (rs->connected)
			next = rmcast_tx_timer(rs, &xmitq);
		if (rs->bound)
			next = rmcast_earliest(next, rmcast_rx_timer(rs, &xmitq));
		if (next)
			rmcast_kick_timer(rs, next);
	}
	spin_unlock_bh(&rs->lock);
	rmcast_xmitq_send(rs->rn, &xmitq);
	sock_put(&rs->sk);
}

/* ---- addresses ----------------------------------------------------------- */

static int rmcast_check_addr(struct rmcast_sock *rs, struct sockaddr *uaddr,
			     int len, struct rmcast_ip *ip)
{
	struct sockaddr_rmcast *sa = (struct sockaddr_rmcast *)uaddr;
	static const struct rmcast_tsi zero_tsi;

	if (len < (int)sizeof(*sa))
		return -EINVAL;
	if (sa->srm_family != rmcast_family)
		return -EAFNOSUPPORT;
	if (sa->srm_addr_family != AF_INET && sa->srm_addr_family != AF_INET6)
		return -EAFNOSUPPORT;
	if (sa->srm_reserved || memcmp(&sa->srm_tsi, &zero_tsi,
				       sizeof(zero_tsi)))
		return -EINVAL;
	if (!sa->srm_port)
		return -EINVAL;

	memset(ip, 0, sizeof(*ip));
	ip->family = sa->srm_addr_family;
	if (ip->family == AF_INET) {
		ip->v4 = sa->srm_addr4;
		if (!ipv4_is_multicast(ip->v4))
			return -EINVAL;
		if (ipv4_is_local_multicast(ip->v4) &&
		    !READ_ONCE(rs->rn->cfg.allow_link_local_groups))
			return -EINVAL;
	} else {
		memcpy(&ip->v6, sa->srm_addr6, sizeof(ip->v6));
		if (!ipv6_addr_is_multicast(&ip->v6))
			return -EINVAL;
		if (!rs->rn->tx6[0])
			return -EAFNOSUPPORT;
	}

	if (sa->srm_ifindex) {
		struct net_device *dev;

		rcu_read_lock();
		dev = dev_get_by_index_rcu(sock_net(&rs->sk), sa->srm_ifindex);
		rcu_read_unlock();
		if (!dev)
			return -ENODEV;
	}
	return 0;
}

u32 rmcast_hash(const struct rmcast_ip *ip, u16 port)
{
	u32 h = ip->family == AF_INET ? (__force u32)ip->v4 :
		ipv6_addr_hash(&ip->v6);

	return hash_32(h ^ port, RMCAST_HASH_BITS);
}

/* ---- bind / connect ------------------------------------------------------ */

static int rmcast_bind(struct socket *sock, struct sockaddr *uaddr, int len)
{
	struct sock *sk = sock->sk;
	struct rmcast_sock *rs = rmcast_sk(sk);
	struct sockaddr_rmcast *sa = (struct sockaddr_rmcast *)uaddr;
	struct rmcast_net *rn = rs->rn;
	struct rmcast_member *m;
	struct rmcast_udp *u = NULL;
	struct rmcast_ip group;
	int err;

	lock_sock(sk);
	err = -EINVAL;
	if (rs->bound)
		goto out;
	err = rmcast_check_addr(rs, uaddr, len, &group);
	if (err)
		goto out;

	mutex_lock(&rn->lock);
	if (rs->transport == RMCAST_TRANSPORT_UDP) {
		u = rmcast_udp_get(rn, group.family, rs->mport);
		if (IS_ERR(u)) {
			err = PTR_ERR(u);
			goto out_unlock;
		}
	}
	m = rmcast_member_get(rn, &group, sa->srm_ifindex);
	if (IS_ERR(m)) {
		err = PTR_ERR(m);
		if (u)
			rmcast_udp_put(u);
		goto out_unlock;
	}

	spin_lock_bh(&rs->lock);
	rs->local = *sa;
	rs->group_rx = group;
	rs->rx_udp = u;
	rs->member = m;
	rs->bound = true;
	spin_unlock_bh(&rs->lock);
	hlist_add_head_rcu(&rs->rx_node,
			   &rn->rx_hash[rmcast_hash(&group, ntohs(sa->srm_port))]);
	err = 0;
out_unlock:
	mutex_unlock(&rn->lock);
out:
	release_sock(sk);
	return err;
}

static bool rmcast_sport_used(struct rmcast_net *rn, u16 sport)
{
	struct rmcast_sock *o;

	hlist_for_each_entry(o, &rn->tx_hash[hash_32(sport, RMCAST_HASH_BITS)],
			     tx_node)
		if (o->sport == sport)
			return true;
	return false;
}

static int rmcast_connect(struct socket *sock, struct sockaddr *uaddr,
			  int len, int flags)
{
	struct sock *sk = sock->sk;
	struct rmcast_sock *rs = rmcast_sk(sk);
	struct sockaddr_rmcast *sa = (struct sockaddr_rmcast *)uaddr;
	struct rmcast_net *rn = rs->rn;
	struct rmcast_udp *u = NULL, *um = NULL;
	struct rmcast_ip group;
	int err;
	u16 sport;

	lock_sock(sk);
	err = -EISCONN;
	if (rs->connected)
		goto out;
	err = rmcast_check_addr(rs, uaddr, len, &group);
	if (err)
		goto out;

	rs->peer = *sa;
	rs->group_tx = group;
	err = rmcast_tx_connect(rs);
	if (err)
		goto out;

	mutex_lock(&rn->lock);
	if (rs->transport == RMCAST_TRANSPORT_UDP) {
		/*
		 * NAKs arrive on both ports: OpenPGM receivers send them to
		 * the unicast port, ours to the multicast one (the only one
		 * an OpenPGM source listens on).
		 */
		u = rmcast_udp_get(rn, group.family, rs->uport);
		if (!IS_ERR(u) && rs->mport != rs->uport) {
			um = rmcast_udp_get(rn, group.family, rs->mport);
			if (IS_ERR(um)) {
				rmcast_udp_put(u);
				u = um;
			}
		}
		if (IS_ERR(u)) {
			err = PTR_ERR(u);
			mutex_unlock(&rn->lock);
			rmcast_tx_release(rs);
			goto out;
		}
	}
	do {
		sport = get_random_u32_below(0xfc00) + 1024;
	} while (rmcast_sport_used(rn, sport));

	spin_lock_bh(&rs->lock);
	rs->tx_udp = u;
	rs->tx_udp_m = um;
	rs->sport = sport;
	memcpy(rs->tsi.gsi, rn->gsi, sizeof(rs->tsi.gsi));
	rs->tsi.sport = htons(sport);
	rs->connected = true;
	rmcast_kick_timer(rs, jiffies);
	spin_unlock_bh(&rs->lock);
	hlist_add_head_rcu(&rs->tx_node,
			   &rn->tx_hash[hash_32(sport, RMCAST_HASH_BITS)]);
	mutex_unlock(&rn->lock);
	sock->state = SS_CONNECTED;
	err = 0;
out:
	release_sock(sk);
	return err;
}

static int rmcast_getname(struct socket *sock, struct sockaddr *uaddr,
			  int peer)
{
	struct rmcast_sock *rs = rmcast_sk(sock->sk);
	struct sockaddr_rmcast *sa = (struct sockaddr_rmcast *)uaddr;

	lock_sock(sock->sk);
	if (peer) {
		if (!rs->connected) {
			release_sock(sock->sk);
			return -ENOTCONN;
		}
		*sa = rs->peer;
	} else if (rs->bound) {
		*sa = rs->local;
	} else {
		memset(sa, 0, sizeof(*sa));
		sa->srm_family = rmcast_family;
	}
	release_sock(sock->sk);
	return sizeof(*sa);
}

/* ---- data ---------------------------------------------------------------- */

static int rmcast_sendmsg(struct socket *sock, struct msghdr *msg, size_t len)
{
	struct sock *sk = sock->sk;
	struct rmcast_sock *rs = rmcast_sk(sk);
	int err;

	if (msg->msg_name)
		return rs->connected ? -EISCONN : -EDESTADDRREQ;
	if (!rs->connected)
		return -EDESTADDRREQ;
	if (len > RMCAST_MSG_MAX)
		return -EMSGSIZE;

	lock_sock(sk);
	err = rmcast_tx_sendmsg(rs, msg, len);
	release_sock(sk);
	return err;
}

static void rmcast_fill_name(struct msghdr *msg, const struct rmcast_rxcb *cb,
			     __be16 port)
{
	DECLARE_SOCKADDR(struct sockaddr_rmcast *, sa, msg->msg_name);

	if (!sa)
		return;
	memset(sa, 0, sizeof(*sa));
	sa->srm_family = rmcast_family;
	sa->srm_port = port;
	sa->srm_addr_family = cb->src.family;
	sa->srm_tsi = cb->tsi;
	if (cb->src.family == AF_INET)
		sa->srm_addr4 = cb->src.v4;
	else
		memcpy(sa->srm_addr6, &cb->src.v6, sizeof(sa->srm_addr6));
	msg->msg_namelen = sizeof(*sa);
}

static int rmcast_recv_loss(struct sock *sk, struct sk_buff *skb)
{
	struct sk_buff *eskb = rmcast_loss_errskb(rmcast_rxcb(skb), GFP_KERNEL);

	if (!eskb)
		return -ENOMEM;
	return rmcast_queue_err(sk, eskb);
}

static int rmcast_recv_errqueue(struct sock *sk, struct msghdr *msg,
				size_t len)
{
	struct sock_exterr_skb *serr;
	struct sk_buff *skb;
	struct {
		struct sock_extended_err ee;
		struct rmcast_tsi tsi;
	} rec;
	int err;

	skb = sock_dequeue_err_skb(sk);
	if (!skb)
		return -EAGAIN;
	serr = SKB_EXT_ERR(skb);
	rec.ee = serr->ee;
	memcpy(&rec.tsi, skb->data, sizeof(rec.tsi));
	err = put_cmsg(msg, SOL_RMCAST, RMCAST_CMSG_LOSS, sizeof(rec), &rec);
	msg->msg_flags |= MSG_ERRQUEUE;
	kfree_skb(skb);
	return err ? err : 0;
}

static int rmcast_recvmsg(struct socket *sock, struct msghdr *msg, size_t size,
			  int flags)
{
	struct sock *sk = sock->sk;
	struct rmcast_sock *rs = rmcast_sk(sk);
	struct rmcast_rxcb *cb;
	struct sk_buff *skb;
	size_t copied;
	int err;

	if (flags & MSG_ERRQUEUE)
		return rmcast_recv_errqueue(sk, msg, size);
	if (!READ_ONCE(rs->bound))
		return -ENOTCONN;

	if (READ_ONCE(rs->loss_fatal) && READ_ONCE(rs->loss_seen))
		return -ECONNRESET;
	skb = skb_recv_datagram(sk, flags, &err);
	if (!skb)
		return err;
	cb = rmcast_rxcb(skb);
	if (cb->kind == RMCAST_CB_LOSS && (flags & MSG_PEEK)) {
		kfree_skb(skb);
		return -ENODATA;
	}
	if (cb->kind == RMCAST_CB_LOSS) {
		/*
		 * In order: the hole is here.  Its record moves to the error
		 * queue and this call reports it, so no message after the
		 * hole is read before the application can know of it.
		 */
		err = rmcast_recv_loss(sk, skb);
		kfree_skb(skb);
		WRITE_ONCE(rs->loss_seen, true);
		if (READ_ONCE(rs->loss_fatal))
			return -ECONNRESET;
		return err ? err : -ENODATA;
	}

	copied = min_t(size_t, size, skb->len);
	if (copied < skb->len)
		msg->msg_flags |= MSG_TRUNC;
	err = skb_copy_datagram_msg(skb, 0, msg, copied);
	if (!err) {
		rmcast_fill_name(msg, cb, rs->local.srm_port);
		put_cmsg(msg, SOL_RMCAST, RMCAST_CMSG_SEQ, sizeof(cb->sqn),
			 &cb->sqn);
		err = (flags & MSG_TRUNC) ? skb->len : copied;
	}
	skb_free_datagram(sk, skb);
	rmcast_rx_read(rs);
	return err;
}

static __poll_t rmcast_poll(struct file *file, struct socket *sock,
			    poll_table *wait)
{
	struct sock *sk = sock->sk;
	struct rmcast_sock *rs = rmcast_sk(sk);
	__poll_t mask;

	mask = datagram_poll(file, sock, wait);
	mask &= ~(EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND);
	if (!READ_ONCE(rs->connected) || rmcast_tx_writable(rs))
		mask |= EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;
	else
		rmcast_tx_want_write(rs);
	return mask;
}

/* ---- options ------------------------------------------------------------- */

struct rmcast_intopt {
	int	name;
	size_t	off;		/* in struct rmcast_sock */
	int	min;
	int	max;
	bool	before_connect;	/* EISCONN once bound/connected */
};

#define RS_CFG(f)	offsetof(struct rmcast_sock, cfg.f)
#define RS_OFF(f)	offsetof(struct rmcast_sock, f)

static const struct rmcast_intopt rmcast_intopts[] = {
	{ RMCAST_TXW_BYTES, RS_CFG(txw_bytes), 64 << 10, 1 << 30, true },
	{ RMCAST_TXW_MSECS, RS_CFG(txw_msecs), 1, 3600000 },
	{ RMCAST_SPM_AMBIENT_MSECS, RS_CFG(spm_ambient_msecs), 1, 3600000 },
	{ RMCAST_SPM_HEARTBEAT_MSECS, RS_CFG(spm_heartbeat_msecs), 1,
	  3600000 },
	{ RMCAST_NAK_BO_IVL_MSECS, RS_CFG(nak_bo_ivl_msecs), 1, 3600000 },
	{ RMCAST_NAK_RPT_IVL_MSECS, RS_CFG(nak_rpt_ivl_msecs), 1, 3600000 },
	{ RMCAST_NAK_RDATA_IVL_MSECS, RS_CFG(nak_rdata_ivl_msecs), 1,
	  3600000 },
	{ RMCAST_NAK_NCF_RETRIES, RS_CFG(nak_ncf_retries), 0, 255 },
	{ RMCAST_NAK_DATA_RETRIES, RS_CFG(nak_data_retries), 0, 255 },
	{ RMCAST_NAK_IGNORE_MSECS, RS_CFG(nak_ignore_msecs), 0, 3600000 },
	{ RMCAST_RECOVERY_MSECS, RS_CFG(recovery_msecs), 0, 3600000 },
	{ RMCAST_ODATA_RATE, RS_CFG(odata_rate), 0, INT_MAX },
	{ RMCAST_RDATA_RATE, RS_CFG(rdata_rate), 0, INT_MAX },
	{ RMCAST_RDATA_SHARE, RS_CFG(rdata_share), 0, 100 },
	{ RMCAST_TTL, RS_CFG(ttl), 0, 255 },
	{ RMCAST_LOOP, RS_CFG(loop), 0, 1 },
	{ RMCAST_RCVBUF_MSECS, RS_CFG(rcvbuf_msecs), 0, 3600000 },
	{ RMCAST_MAX_TPDU, RS_OFF(max_tpdu), 0, 65535, true },
	{ RMCAST_DELIVERY, RS_OFF(delivery), 0, 1 },
};

static const struct rmcast_intopt *rmcast_find_intopt(int name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rmcast_intopts); i++)
		if (rmcast_intopts[i].name == name)
			return &rmcast_intopts[i];
	return NULL;
}

static int rmcast_setsockopt(struct socket *sock, int level, int optname,
			     sockptr_t optval, unsigned int optlen)
{
	struct sock *sk = sock->sk;
	struct rmcast_sock *rs = rmcast_sk(sk);
	const struct rmcast_intopt *o;
	struct rmcast_udp_ports ports;
	int val, err = 0;

	if (level != SOL_RMCAST)
		return -ENOPROTOOPT;

	if (optname == RMCAST_UDP_PORTS) {
		if (optlen < sizeof(ports))
			return -EINVAL;
		if (copy_from_sockptr(&ports, optval, sizeof(ports)))
			return -EFAULT;
		if (!ports.mcast || !ports.ucast)
			return -EINVAL;
		lock_sock(sk);
		if (rs->bound || rs->connected) {
			err = -EISCONN;
		} else {
			rs->mport = ports.mcast;
			rs->uport = ports.ucast;
		}
		release_sock(sk);
		return err;
	}

	o = rmcast_find_intopt(optname);
	if (!o && optname != RMCAST_TRANSPORT && optname != RMCAST_LOSS_FATAL)
		return -ENOPROTOOPT;
	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;

	lock_sock(sk);
	spin_lock_bh(&rs->lock);
	if (optname == RMCAST_TRANSPORT) {
		if (val != RMCAST_TRANSPORT_UDP && val != RMCAST_TRANSPORT_IP)
			err = -EINVAL;
		else if (rs->bound || rs->connected)
			err = -EISCONN;
		else
			rs->transport = val;
	} else if (optname == RMCAST_LOSS_FATAL) {
		WRITE_ONCE(rs->loss_fatal, !!val);
	} else if (val < o->min || val > o->max) {
		err = -EINVAL;
	} else if (o->before_connect && (rs->bound || rs->connected)) {
		err = -EISCONN;
	} else {
		WRITE_ONCE(*(int *)((char *)rs + o->off), val);
		if (optname == RMCAST_ODATA_RATE)
			rmcast_tb_init(&rs->odata_tb, val,
				       rs->cfg.rate_burst_msecs);
		else if (optname == RMCAST_RDATA_RATE)
			rmcast_tb_init(&rs->rdata_tb, val,
				       rs->cfg.rate_burst_msecs);
	}
	spin_unlock_bh(&rs->lock);
	release_sock(sk);
	return err;
}

static int rmcast_put_opt(sockptr_t optval, sockptr_t optlen, int len,
			  const void *data, int size)
{
	len = min(len, size);
	if (copy_to_sockptr(optval, data, len) ||
	    copy_to_sockptr(optlen, &len, sizeof(len)))
		return -EFAULT;
	return 0;
}

static int rmcast_getsockopt(struct socket *sock, int level, int optname,
			     char __user *uval, int __user *ulen)
{
	struct rmcast_sock *rs = rmcast_sk(sock->sk);
	sockptr_t optval = USER_SOCKPTR(uval);
	sockptr_t optlen = USER_SOCKPTR(ulen);
	const struct rmcast_intopt *o;
	struct rmcast_udp_ports ports;
	struct rmcast_stats st;
	struct rmcast_tsi tsi;
	int len, val;

	if (level != SOL_RMCAST)
		return -ENOPROTOOPT;
	if (copy_from_sockptr(&len, optlen, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;

	switch (optname) {
	case RMCAST_STATS:
		spin_lock_bh(&rs->lock);
		st = rs->stats;
		st.sources = rs->npeers;
		spin_unlock_bh(&rs->lock);
		return rmcast_put_opt(optval, optlen, len, &st, sizeof(st));
	case RMCAST_LOCAL_TSI:
		spin_lock_bh(&rs->lock);
		tsi = rs->tsi;
		spin_unlock_bh(&rs->lock);
		return rmcast_put_opt(optval, optlen, len, &tsi, sizeof(tsi));
	case RMCAST_UDP_PORTS:
		ports.mcast = READ_ONCE(rs->mport);
		ports.ucast = READ_ONCE(rs->uport);
		return rmcast_put_opt(optval, optlen, len, &ports,
				      sizeof(ports));
	case RMCAST_TRANSPORT:
		val = READ_ONCE(rs->transport);
		break;
	case RMCAST_LOSS_FATAL:
		val = READ_ONCE(rs->loss_fatal);
		break;
	case RMCAST_RCVBUF_CHOSEN:
		val = READ_ONCE(rs->sk.sk_rcvbuf);
		break;
	default:
		o = rmcast_find_intopt(optname);
		if (!o)
			return -ENOPROTOOPT;
		val = READ_ONCE(*(int *)((char *)rs + o->off));
		break;
	}
	if (len < (int)sizeof(int))
		return -EINVAL;
	return rmcast_put_opt(optval, optlen, len, &val, sizeof(val));
}

/* ---- create / release ---------------------------------------------------- */

static void rmcast_unhash(struct rmcast_sock *rs)
{
	struct rmcast_net *rn = rs->rn;

	mutex_lock(&rn->lock);
	if (rs->bound) {
		hlist_del_init_rcu(&rs->rx_node);
		rmcast_member_put(rn, rs->member);
		if (rs->rx_udp)
			rmcast_udp_put(rs->rx_udp);
	}
	if (rs->connected) {
		hlist_del_init_rcu(&rs->tx_node);
		if (rs->tx_udp_m)
			rmcast_udp_put(rs->tx_udp_m);
		if (rs->tx_udp)
			rmcast_udp_put(rs->tx_udp);
	}
	mutex_unlock(&rn->lock);
}

static int rmcast_release(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct rmcast_sock *rs;

	if (!sk)
		return 0;
	rs = rmcast_sk(sk);

	lock_sock(sk);
	if (rs->connected)
		rmcast_tx_fin(rs);
	spin_lock_bh(&rs->lock);
	rs->dead = true;
	spin_unlock_bh(&rs->lock);
	sk_stop_timer_sync(sk, &rs->timer);
	rmcast_unhash(rs);
	/*
	 * Input that found us under RCU sees rs->dead under rs->lock; wait
	 * for it to finish so the socket (and the module reference it
	 * holds) can go as soon as the last sock_put() below.
	 */
	synchronize_net();
	if (rs->connected)
		rmcast_tx_release(rs);
	if (rs->bound)
		rmcast_rx_release(rs);
	sock_orphan(sk);
	sock->sk = NULL;
	release_sock(sk);
	sock_put(sk);
	return 0;
}

static void rmcast_destruct(struct sock *sk)
{
	skb_queue_purge(&sk->sk_receive_queue);
	skb_queue_purge(&sk->sk_error_queue);
	/* Every charge was returned (sk_free() already dropped wmem's 1). */
	WARN_ON_ONCE(atomic_read(&sk->sk_rmem_alloc));
	WARN_ON_ONCE(refcount_read(&sk->sk_wmem_alloc));
	atomic_dec(&rmcast_obj.sockets);
}

static void rmcast_write_space(struct sock *sk)
{
	struct rmcast_sock *rs = rmcast_sk(sk);
	struct socket_wq *wq;

	if (!rmcast_tx_writable(rs))
		return;
	rcu_read_lock();
	wq = rcu_dereference(sk->sk_wq);
	if (skwq_has_sleeper(wq))
		wake_up_interruptible_sync_poll(&wq->wait, EPOLLOUT |
						EPOLLWRNORM | EPOLLWRBAND);
	rcu_read_unlock();
}

static const struct proto_ops rmcast_ops = {
	.owner		= THIS_MODULE,
	.release	= rmcast_release,
	.bind		= rmcast_bind,
	.connect	= rmcast_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= sock_no_accept,
	.getname	= rmcast_getname,
	.poll		= rmcast_poll,
	.ioctl		= sock_no_ioctl,
	.listen		= sock_no_listen,
	.shutdown	= sock_no_shutdown,
	.setsockopt	= rmcast_setsockopt,
	.getsockopt	= rmcast_getsockopt,
	.sendmsg	= rmcast_sendmsg,
	.recvmsg	= rmcast_recvmsg,
	.mmap		= sock_no_mmap,
};

struct proto rmcast_proto = {
	.name		= "RMCAST",
	.owner		= THIS_MODULE,
	.obj_size	= sizeof(struct rmcast_sock),
};

static int rmcast_create(struct net *net, struct socket *sock, int protocol,
			 int kern)
{
	struct rmcast_net *rn = rmcast_pernet(net);
	struct rmcast_sock *rs;
	struct sock *sk;

	if (sock->type != SOCK_RDM)
		return -ESOCKTNOSUPPORT;
	if (protocol != 0 && protocol != RMCAST_IPPROTO_PGM)
		return -EPROTONOSUPPORT;

	sk = sk_alloc(net, rmcast_family, GFP_KERNEL, &rmcast_proto, kern);
	if (!sk)
		return -ENOMEM;
	sock->ops = &rmcast_ops;
	sock_init_data(sock, sk);
	sk->sk_destruct = rmcast_destruct;
	sk->sk_write_space = rmcast_write_space;
	sk->sk_protocol = protocol;

	rs = rmcast_sk(sk);
	rs->rn = rn;
	spin_lock_init(&rs->lock);
	timer_setup(&rs->timer, rmcast_timer_fn, 0);
	rs->cfg = rn->cfg;
	/* protocol 113 asks for PGM in IP itself; 0 for the default, UDP */
	rs->transport = protocol == RMCAST_IPPROTO_PGM ? RMCAST_TRANSPORT_IP :
			RMCAST_TRANSPORT_UDP;
	rs->mport = RMCAST_UDP_MCAST_PORT;
	rs->uport = RMCAST_UDP_UCAST_PORT;
	rs->delivery = RMCAST_DELIVER_ORDERED;
	INIT_LIST_HEAD(&rs->peers);
	INIT_HLIST_NODE(&rs->rx_node);
	INIT_HLIST_NODE(&rs->tx_node);
	rmcast_tb_init(&rs->odata_tb, rs->cfg.odata_rate,
		       rs->cfg.rate_burst_msecs);
	rmcast_tb_init(&rs->rdata_tb, rs->cfg.rdata_rate,
		       rs->cfg.rate_burst_msecs);
	rs->tx_meter_stamp = jiffies - 2 * HZ;	/* idle */
	WRITE_ONCE(sk->sk_rcvbuf, rs->cfg.rmem);
	atomic_inc(&rmcast_obj.sockets);
	return 0;
}

struct net_proto_family rmcast_family_ops = {
	.create	= rmcast_create,
	.owner	= THIS_MODULE,
};

void rmcast_sock_set_family(int family)
{
	rmcast_family_ops.family = family;
}
