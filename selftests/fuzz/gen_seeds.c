// SPDX-License-Identifier: GPL-2.0
/*
 * Writes a small seed corpus for fuzz_wire into the directory argv[1]:
 * valid packets of every type pgm_build() makes (IPv4 and IPv6 NLAs,
 * each option) plus a few hand-made option chains.  Nothing binary is
 * kept in the tree; the Makefile regenerates the seeds.
 */
#include <stdio.h>
#include <string.h>

#include "rmcast_wire.h"

static const char *dir;
static int count;

static void put(const u8 *buf, size_t len)
{
	char name[4096];
	FILE *f;

	snprintf(name, sizeof(name), "%s/seed-%03d", dir, count++);
	f = fopen(name, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		perror(name);
		count = -10000;
	}
}

static void emit(const struct pgm_pkt *p, size_t plen)
{
	u8 buf[PGM_MAX_HDR_LEN + 2048];
	size_t h = pgm_build(buf, sizeof(buf), p), i;

	if (!h) {
		fprintf(stderr, "build failed for type %u\n", p->type);
		count = -10000;
		return;
	}
	for (i = 0; i < plen; i++)
		buf[h + i] = (u8)(i * 7 + 3);
	pgm_csum_set(buf, h, pgm_csum_partial(buf + h, plen, 0));
	put(buf, h + plen);
}

/* A NAK with raw option bytes after its IPv4 NLAs. */
static void raw_nak(const u8 *opts, size_t olen)
{
	u8 buf[512] = {
		0x12, 0x34, 0x1d, 0x4c, PGM_NAK, PGM_OPT_PRESENT, 0, 0,
		1, 2, 3, 4, 5, 6, 0, 0,
		0, 0, 0, 9, 0, 1, 0, 0, 10, 0, 0, 1, 0, 1, 0, 0, 239, 1, 2, 3,
	};

	memcpy(buf + 36, opts, olen);
	pgm_csum_set(buf, 36 + olen, 0);
	put(buf, 36 + olen);
}

int main(int argc, char **argv)
{
	static const u8 types[] = { PGM_SPM, PGM_ODATA, PGM_RDATA, PGM_NAK,
				    PGM_NNAK, PGM_NCF, PGM_SPMR };
	static const u8 unknown_ignore[] = { 0, 4, 0, 16, 0x20, 8, 0, 0,
					     1, 2, 3, 4, 0x8e, 4, 0, 0 };
	static const u8 unknown_discard[] = { 0, 4, 0, 11, 0x0e, 4, 0, 0,
					      0xa1, 3, 2 };
	static const u8 invalidated[] = { 0, 4, 0, 8, 0xff, 4, 2, 0 };
	struct pgm_pkt p;
	unsigned int k, v6, opt, i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s corpus-dir\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	for (k = 0; k < sizeof(types) * 2 * 4; k++) {
		v6 = k / sizeof(types) % 2;
		opt = k / sizeof(types) / 2;
		memset(&p, 0, sizeof(p));
		p.sport = 0x1234;
		p.dport = 7500;
		p.type = types[k % sizeof(types)];
		memcpy(p.gsi, "\1\2\3\4\5\6", PGM_GSI_LEN);
		p.src_nla.afi = v6 ? PGM_AFI_IP6 : PGM_AFI_IP;
		p.src_nla.addr[0] = v6 ? 0x20 : 10;
		p.src_nla.addr[3] = 1;
		p.grp_nla.afi = v6 ? PGM_AFI_IP6 : PGM_AFI_IP;
		p.grp_nla.addr[0] = v6 ? 0xff : 239;
		p.sqn = 0xfffffffe;
		p.trail = 0xfffffff0;
		p.lead = 0xfffffffe;
		p.has_frag = opt & 1;
		p.frag_sqn = 0xfffffffc;
		p.frag_off = 20;
		p.frag_len = 100;
		p.fin = opt & 2;
		p.syn = opt == 3;
		p.nak_list_len = opt ? (opt == 3 ? PGM_NAK_LIST_MAX : opt) : 0;
		for (i = 0; i < p.nak_list_len; i++)
			p.nak_list[i] = p.sqn + 1 + i;
		p.tsdu_len = (p.type == PGM_ODATA || p.type == PGM_RDATA) ?
			     (u16)(opt * 13) : 0;
		emit(&p, p.tsdu_len);
	}
	raw_nak(unknown_ignore, sizeof(unknown_ignore));
	raw_nak(unknown_discard, sizeof(unknown_discard));
	raw_nak(invalidated, sizeof(invalidated));
	printf("%d seeds in %s\n", count, dir);
	return count > 0 ? 0 : 1;
}
