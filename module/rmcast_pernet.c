// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state and the net.rmcast.* sysctls.
 *
 * Every tunable lives in struct rmcast_cfg, once per namespace; a socket
 * copies its namespace's values when it is created, and its own socket
 * options change only its copy.  Units: milliseconds, bytes, bytes per
 * second.  Out-of-range writes fail with EINVAL.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "rmcast.h"

static unsigned int rmcast_net_id __read_mostly;

struct rmcast_net *rmcast_pernet(const struct net *net)
{
	return net_generic(net, rmcast_net_id);
}

static const struct rmcast_cfg rmcast_cfg_default = {
	.txw_bytes		= 32 << 20,
	.txw_msecs		= 30000,
	.spm_ambient_msecs	= 1000,
	.spm_heartbeat_msecs	= 50,
	.nak_bo_ivl_msecs	= 50,
	.nak_rpt_ivl_msecs	= 200,
	.nak_rdata_ivl_msecs	= 400,
	.nak_ncf_retries	= 10,
	.nak_data_retries	= 10,
	.nak_ignore_msecs	= 20,
	.recovery_msecs		= 0,
	.odata_rate		= 100 << 20,
	.rdata_rate		= 10 << 20,
	.rdata_share		= 5,
	.rate_burst_msecs	= 10,
	.ttl			= 16,
	.loop			= 1,
	.rmem			= 16 << 20,
	.rcvbuf_msecs		= 0,
	.rmem_min		= 256 << 10,
	.rmem_max		= 64 << 20,
	.max_peers		= 256,
	.peer_expiry_msecs	= 300000,
	.allow_link_local_groups = 0,
};

static int rmcast_zero;
static int rmcast_one = 1;
static int rmcast_ms_max = 3600000;	/* one hour */
static int rmcast_ms_min = 1;
static int rmcast_retries_max = 255;
static int rmcast_ttl_max = 255;
static int rmcast_txw_min = 64 << 10;
static int rmcast_bytes_max = 1 << 30;
static int rmcast_rmem_min = 64 << 10;
static int rmcast_peers_max = 65536;
static int rmcast_rate_max = INT_MAX;
static int rmcast_pct_max = 100;

#define RMCAST_CTL(_name, _field, _min, _max)				\
	{								\
		.procname	= _name,				\
		.data		= (void *)offsetof(struct rmcast_cfg, _field), \
		.maxlen		= sizeof(int),				\
		.mode		= 0644,					\
		.proc_handler	= proc_dointvec_minmax,			\
		.extra1		= (void *)(_min),			\
		.extra2		= (void *)(_max),			\
	}

static struct ctl_table rmcast_ctl_template[] = {
	RMCAST_CTL("txw_bytes", txw_bytes, &rmcast_txw_min, &rmcast_bytes_max),
	RMCAST_CTL("txw_msecs", txw_msecs, &rmcast_ms_min, &rmcast_ms_max),
	RMCAST_CTL("spm_ambient_msecs", spm_ambient_msecs, &rmcast_ms_min,
		   &rmcast_ms_max),
	RMCAST_CTL("spm_heartbeat_msecs", spm_heartbeat_msecs, &rmcast_ms_min,
		   &rmcast_ms_max),
	RMCAST_CTL("nak_bo_ivl_msecs", nak_bo_ivl_msecs, &rmcast_ms_min,
		   &rmcast_ms_max),
	RMCAST_CTL("nak_rpt_ivl_msecs", nak_rpt_ivl_msecs, &rmcast_ms_min,
		   &rmcast_ms_max),
	RMCAST_CTL("nak_rdata_ivl_msecs", nak_rdata_ivl_msecs, &rmcast_ms_min,
		   &rmcast_ms_max),
	RMCAST_CTL("nak_ncf_retries", nak_ncf_retries, &rmcast_zero,
		   &rmcast_retries_max),
	RMCAST_CTL("nak_data_retries", nak_data_retries, &rmcast_zero,
		   &rmcast_retries_max),
	RMCAST_CTL("nak_ignore_msecs", nak_ignore_msecs, &rmcast_zero,
		   &rmcast_ms_max),
	RMCAST_CTL("recovery_msecs", recovery_msecs, &rmcast_zero,
		   &rmcast_ms_max),
	RMCAST_CTL("odata_rate", odata_rate, &rmcast_zero, &rmcast_rate_max),
	RMCAST_CTL("rdata_rate", rdata_rate, &rmcast_zero, &rmcast_rate_max),
	RMCAST_CTL("rdata_share", rdata_share, &rmcast_zero, &rmcast_pct_max),
	RMCAST_CTL("rate_burst_msecs", rate_burst_msecs, &rmcast_ms_min,
		   &rmcast_ms_max),
	RMCAST_CTL("ttl", ttl, &rmcast_zero, &rmcast_ttl_max),
	RMCAST_CTL("loop", loop, &rmcast_zero, &rmcast_one),
	RMCAST_CTL("rmem", rmem, &rmcast_rmem_min, &rmcast_bytes_max),
	RMCAST_CTL("rcvbuf_msecs", rcvbuf_msecs, &rmcast_zero, &rmcast_ms_max),
	RMCAST_CTL("rmem_min", rmem_min, &rmcast_rmem_min, &rmcast_bytes_max),
	RMCAST_CTL("rmem_max", rmem_max, &rmcast_rmem_min, &rmcast_bytes_max),
	RMCAST_CTL("max_peers", max_peers, &rmcast_one, &rmcast_peers_max),
	RMCAST_CTL("peer_expiry_msecs", peer_expiry_msecs, &rmcast_ms_min,
		   &rmcast_ms_max),
	RMCAST_CTL("allow_link_local_groups", allow_link_local_groups,
		   &rmcast_zero, &rmcast_one),
	{ }	/* sentinel, for kernels before 6.5 */
};

#define RMCAST_CTL_N	(ARRAY_SIZE(rmcast_ctl_template) - 1)

static int rmcast_sysctl_init(struct rmcast_net *rn)
{
	struct ctl_table *tbl;
	size_t i;

	tbl = kmemdup(rmcast_ctl_template, sizeof(rmcast_ctl_template),
		      GFP_KERNEL);
	if (!tbl)
		return -ENOMEM;
	/* Point each entry at this namespace's copy of its field. */
	for (i = 0; i < RMCAST_CTL_N; i++)
		tbl[i].data = (char *)&rn->cfg +
			(uintptr_t)rmcast_ctl_template[i].data;

#ifdef RMCAST_HAVE_NET_SYSCTL_SZ
	rn->sysctl = register_net_sysctl_sz(rn->net, "net/rmcast", tbl,
					    RMCAST_CTL_N);
#else
	rn->sysctl = register_net_sysctl(rn->net, "net/rmcast", tbl);
#endif
	if (!rn->sysctl) {
		kfree(tbl);
		return -ENOMEM;
	}
	return 0;
}

static void rmcast_sysctl_exit(struct rmcast_net *rn)
{
	const struct ctl_table *tbl = rn->sysctl->ctl_table_arg;

	unregister_net_sysctl_table(rn->sysctl);
	kfree(tbl);
}

static int __net_init rmcast_net_init(struct net *net)
{
	struct rmcast_net *rn = rmcast_pernet(net);
	int i, err;

	rn->net = net;
	rn->cfg = rmcast_cfg_default;
	get_random_bytes(rn->gsi, sizeof(rn->gsi));
	mutex_init(&rn->lock);
	INIT_LIST_HEAD(&rn->transports);
	INIT_LIST_HEAD(&rn->members);
	for (i = 0; i < ARRAY_SIZE(rn->rx_hash); i++) {
		INIT_HLIST_HEAD(&rn->rx_hash[i]);
		INIT_HLIST_HEAD(&rn->tx_hash[i]);
	}

	err = rmcast_net_transport_init(rn);
	if (err)
		return err;
	err = rmcast_sysctl_init(rn);
	if (err) {
		rmcast_net_transport_exit(rn);
		return err;
	}
	return 0;
}

static void __net_exit rmcast_net_exit(struct net *net)
{
	struct rmcast_net *rn = rmcast_pernet(net);

	rmcast_sysctl_exit(rn);
	rmcast_net_transport_exit(rn);
	WARN_ON_ONCE(!list_empty(&rn->transports));
	WARN_ON_ONCE(!list_empty(&rn->members));
	mutex_destroy(&rn->lock);
}

static struct pernet_operations rmcast_net_ops = {
	.init	= rmcast_net_init,
	.exit	= rmcast_net_exit,
	.id	= &rmcast_net_id,
	.size	= sizeof(struct rmcast_net),
};

int rmcast_pernet_init(void)
{
	return register_pernet_subsys(&rmcast_net_ops);
}

void rmcast_pernet_exit(void)
{
	unregister_pernet_subsys(&rmcast_net_ops);
}
