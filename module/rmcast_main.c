// SPDX-License-Identifier: GPL-2.0
/*
 * rmcast: reliable multicast sockets speaking PGM (RFC 3208).
 *
 * Design
 * ======
 *
 * Files: rmcast_main.c (module, family, debugfs), rmcast_sock.c (socket
 * calls, options, the socket timer), rmcast_pernet.c (namespace state,
 * sysctls), rmcast_transport.c (UDP tunnel and IP protocol 113 sockets,
 * group joins, transmit), rmcast_demux.c (received packet -> sockets),
 * rmcast_tx.c (source: window, SPM, NAK answers, rate limits),
 * rmcast_rx.c (receiver: peers, windows, reassembly, delivery, loss
 * records), rmcast_nak.c (receiver: NAK state machine, SPMR, repair
 * budget), rmcast_wire.c (PGM format, kernel-free).
 *
 * Objects and lifetimes
 * ---------------------
 * struct rmcast_sock is a struct sock.  It is created by rmcast_create();
 * bind() inserts it into its namespace's rx_hash and connect() into
 * tx_hash, both RCU lists written under rn->lock (a mutex).  Packet
 * input (softirq) finds sockets under rcu_read_lock() and takes the
 * socket's spinlock rs->lock; release() first marks the socket dead
 * under rs->lock, stops the timer synchronously, unhashes it, waits for
 * input in flight (synchronize_net(), as AF_PACKET does), and only then
 * frees the window, peers and rings.  Input that finds a dead socket
 * drops the packet.
 *
 * The socket timer is the only timer; it is re-armed to the earliest of
 * the sender's (SPM, pending repairs, rate refill, window aging) and the
 * receiver's (NAK back-off, NCF and RDATA waits, recovery deadline)
 * deadlines.  An armed timer holds a socket reference (sk_reset_timer),
 * and rmcast_kick_timer() never arms a dead socket.
 *
 * Kernel UDP sockets (struct rmcast_udp) are shared per (namespace,
 * family, port) and refcounted by the sockets that use them under
 * rn->lock; group memberships likewise (struct rmcast_member).  Four
 * unbound kernel UDP sockets per namespace (IPv4/IPv6 x loopback on/off)
 * are the output context for transmit and carry the group joins; they
 * live as long as the namespace's rmcast state.
 *
 * Locks, outermost first: lock_sock(sk) (socket calls) -> rn->lock ->
 * rtnl (joins) ; rs->lock (spinlock, BH-safe) nests inside lock_sock
 * only, never around rn->lock, and no packet is sent while it is held:
 * packets are built onto a local xmit queue under rs->lock and sent with
 * rmcast_xmitq_send() after it is dropped.
 *
 * Memory
 * ------
 * Every skb held in a send window is charged to its socket's sk_wmem
 * (skb_set_owner_w); every skb held in a receive ring or on the receive
 * queue to sk_rmem (skb_set_owner_r), and input beyond sk_rcvbuf is
 * dropped (and later repaired).  Per-peer rings have a fixed size and a
 * socket keeps at most max_peers peers, so remote input cannot grow
 * memory without bound.  The counters in debugfs rmcast/objects count
 * every object the module owns and read zero when nothing is open.
 *
 * Module exit runs init in exact reverse: unregister the family (no new
 * sockets; open sockets pin the module), debugfs, protocol handlers
 * (with synchronize_net()), pernet (closes the kernel sockets), proto,
 * then rcu_barrier() for anything still queued with call_rcu().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/seq_file.h>
#include <linux/socket.h>

#include "rmcast.h"

int rmcast_family = RMCAST_FAMILY_DEFAULT;
module_param_named(family, rmcast_family, int, 0444);
MODULE_PARM_DESC(family, "socket family number to register (default 18)");

struct rmcast_objects rmcast_obj;

static struct dentry *rmcast_debugfs;

static int rmcast_objects_show(struct seq_file *m, void *v)
{
	seq_printf(m, "sockets %d\n", atomic_read(&rmcast_obj.sockets));
	seq_printf(m, "peers %d\n", atomic_read(&rmcast_obj.peers));
	seq_printf(m, "skbs %d\n", atomic_read(&rmcast_obj.skbs));
	seq_printf(m, "transports %d\n", atomic_read(&rmcast_obj.transports));
	seq_printf(m, "memberships %d\n",
		   atomic_read(&rmcast_obj.memberships));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(rmcast_objects);

static int __init rmcast_init(void)
{
	int err;

	if (rmcast_family <= 0 || rmcast_family >= NPROTO) {
		pr_err("family=%d is out of range 1..%d\n", rmcast_family,
		       NPROTO - 1);
		return -EINVAL;
	}
	rmcast_sock_set_family(rmcast_family);

	err = proto_register(&rmcast_proto, 1);
	if (err)
		return err;
	err = rmcast_pernet_init();
	if (err)
		goto err_proto;
	err = rmcast_transport_init();
	if (err)
		goto err_pernet;
	rmcast_debugfs = debugfs_create_dir("rmcast", NULL);
	debugfs_create_file("objects", 0444, rmcast_debugfs, NULL,
			    &rmcast_objects_fops);
	err = sock_register(&rmcast_family_ops);
	if (err) {
		pr_err("socket family %d is taken (%d); load with family=N for a free slot below %d\n",
		       rmcast_family, err, NPROTO);
		goto err_debugfs;
	}
	pr_info("AF_RMCAST registered as family %d\n", rmcast_family);
	return 0;

err_debugfs:
	debugfs_remove(rmcast_debugfs);
	rmcast_transport_exit();
err_pernet:
	rmcast_pernet_exit();
err_proto:
	proto_unregister(&rmcast_proto);
	return err;
}

static void __exit rmcast_exit(void)
{
	sock_unregister(rmcast_family);
	debugfs_remove(rmcast_debugfs);
	rmcast_transport_exit();
	rmcast_pernet_exit();
	proto_unregister(&rmcast_proto);
	rcu_barrier();
}

module_init(rmcast_init);
module_exit(rmcast_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Reliable multicast sockets (PGM, RFC 3208)");
MODULE_AUTHOR("rmcast developers");
