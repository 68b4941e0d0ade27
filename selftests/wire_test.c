// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the PGM wire format (module/rmcast_wire.c) in userspace.
 *
 * Build: gcc -static -std=gnu11 -Wall -Wextra -Werror \
 *	-I<ksrc>/tools/testing/selftests -Imodule \
 *	selftests/wire_test.c module/rmcast_wire.c -o wire_test
 *
 * The checksum known answers were computed by hand where noted and all
 * were cross-checked against OpenPGM 5.3.128 (Debian libpgm-dev):
 * pgm_csum_fold(pgm_compat_csum_partial()) over the same bytes gave the
 * same field, and OpenPGM's pgm_parse_udp_encap()/pgm_verify_spm()/
 * pgm_verify_nak() accepted every packet pgm_build() makes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The 6.12 harness has unused parameters in code that TEST() expands
 * into this file (fixed upstream later); -Wextra -Werror would stop.
 */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#include "rmcast_wire.h"

#define BUF_MAX		4096

static const u8 gsi[PGM_GSI_LEN] = { 1, 2, 3, 4, 5, 6 };
static const u8 ip4_src[4] = { 10, 0, 0, 1 };
static const u8 ip4_grp[4] = { 239, 192, 0, 1 };
static const u8 ip6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const u8 ip6_grp[16] = { 0xff, 0x0e, [15] = 0x42 };

static u8 payload[BUF_MAX];

static void fill_payload(void)
{
	size_t i;

	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (u8)(i * 7 + 3);
}

static void set_nla(struct pgm_nla *nla, bool v6, bool grp)
{
	memset(nla, 0, sizeof(*nla));
	nla->afi = v6 ? PGM_AFI_IP6 : PGM_AFI_IP;
	if (v6)
		memcpy(nla->addr, grp ? ip6_grp : ip6_src, 16);
	else
		memcpy(nla->addr, grp ? ip4_grp : ip4_src, 4);
}

/* A packet description with the common fields used throughout. */
static void base_pkt(struct pgm_pkt *p, u8 type, bool v6)
{
	memset(p, 0, sizeof(*p));
	p->sport = 0x1234;
	p->dport = 7500;
	p->type = type;
	memcpy(p->gsi, gsi, PGM_GSI_LEN);
	set_nla(&p->src_nla, v6, false);
	set_nla(&p->grp_nla, v6, true);
	switch (type) {
	case PGM_SPM:
		p->sqn = 5;
		p->trail = 0xfffffff0;
		p->lead = 0xfffffffe;
		break;
	case PGM_ODATA:
	case PGM_RDATA:
		p->sqn = 0xffffffff;
		p->trail = 0xfffffff0;
		break;
	case PGM_NAK:
	case PGM_NNAK:
	case PGM_NCF:
		p->sqn = 77;
		break;
	}
}

/* Build @p, append @plen payload bytes, set the checksum; packet length. */
static size_t make(u8 *buf, const struct pgm_pkt *p, size_t plen)
{
	size_t h = pgm_build(buf, BUF_MAX, p);

	if (!h)
		return 0;
	memcpy(buf + h, payload, plen);
	pgm_csum_set(buf, h, pgm_csum_partial(payload, plen, 0));
	return h + plen;
}

/* Recompute the checksum of a hand-edited packet. */
static void refresh_csum(u8 *buf, size_t len)
{
	buf[6] = 0;
	buf[7] = 0;
	pgm_csum_set(buf, len, 0);
}

static u16 wire16(const u8 *b)
{
	return (u16)(b[0] << 8 | b[1]);
}

static bool nla_eq(const struct pgm_nla *a, const struct pgm_nla *b)
{
	return a->afi == b->afi && !memcmp(a->addr, b->addr, sizeof(a->addr));
}

/* ---- checksum ---- */

TEST(csum_rfc1071_example)
{
	/* RFC 1071 section 3: sum 0xddf2, checksum 0x220d. */
	static const u8 b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	ASSERT_EQ(0xddf2u, pgm_csum_partial(b, sizeof(b), 0));
	ASSERT_EQ(0x220d, pgm_csum_fold(pgm_csum_partial(b, sizeof(b), 0)));
	/* Split at an even offset gives the same sum. */
	ASSERT_EQ(0xddf2u, pgm_csum_partial(b + 2, 6, pgm_csum_partial(b, 2, 0)));
	/* Odd trailing byte is the high byte of a zero-padded word. */
	ASSERT_EQ(0x0001u, pgm_csum_partial(b, 1, 1));
	ASSERT_EQ(0xf400u, pgm_csum_partial(b + 4, 1, 0));
	ASSERT_EQ(0xeaf6u, pgm_csum_partial(b + 4, 3, 0));	/* 0x1eaf5 */
	ASSERT_EQ(0xf401u, pgm_csum_partial(b + 4, 1, 1));
	/* End-around carry. */
	ASSERT_EQ(0x0001u, pgm_csum_partial(b + 4, 0, 0x10000));
	ASSERT_EQ(0xffffu, pgm_csum_partial(NULL, 0, 0xffff));
}

TEST(csum_fold)
{
	ASSERT_EQ(0xffff, pgm_csum_fold(0));		/* ~0 */
	ASSERT_EQ(0xffff, pgm_csum_fold(0xffff));	/* ~0xffff == 0 */
	ASSERT_EQ(0xffff, pgm_csum_fold(0x1fffe));	/* folds to 0xffff */
	ASSERT_EQ(0xfffe, pgm_csum_fold(1));
	ASSERT_EQ(0xfffe, pgm_csum_fold(0x10000));	/* folds to 1 */
	ASSERT_EQ(0x0001, pgm_csum_fold(0xfffe));
	ASSERT_EQ(0x1234, pgm_csum_fold(0xedcb));
	ASSERT_EQ(0xffff, pgm_csum_fold(0xffffffff));	/* 0x1fffe */
	ASSERT_EQ(0xfffd, pgm_csum_fold(0xffff0002));	/* 2 */
}

TEST(csum_long_buffer)
{
	/* 64 KiB of 0xff: every word is -0, the sum stays 0xffff. */
	static u8 b[65536];
	u32 naive = 0;
	size_t i;

	memset(b, 0xff, sizeof(b));
	ASSERT_EQ(0xffffu, pgm_csum_partial(b, sizeof(b), 0));
	for (i = 0; i < sizeof(b); i++)
		b[i] = (u8)(i * 131 + 17);
	for (i = 0; i + 1 < sizeof(b); i += 2) {
		naive += (u32)(b[i] << 8 | b[i + 1]);
		naive = (naive & 0xffff) + (naive >> 16);
	}
	ASSERT_EQ(naive, pgm_csum_partial(b, sizeof(b), 0));
	/* Any even split combines. */
	for (i = 0; i <= 64; i += 2)
		ASSERT_EQ(naive, pgm_csum_partial(b + i, sizeof(b) - i,
						  pgm_csum_partial(b, i, 0)));
}

/* SPMR: hand computed, 0x1234+0x5678+0x0c00+0x0102+0x0304+0x0506 = 0x7db8. */
TEST(csum_kat_spmr)
{
	static const u8 want[] = {
		0x12, 0x34, 0x56, 0x78, 0x0c, 0x00, 0x82, 0x47,
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x00, 0x00,
	};
	struct pgm_pkt p, q;
	u8 buf[BUF_MAX];

	memset(&p, 0, sizeof(p));
	p.type = PGM_SPMR;
	p.sport = 0x1234;
	p.dport = 0x5678;
	memcpy(p.gsi, gsi, PGM_GSI_LEN);
	ASSERT_EQ(16u, pgm_build(buf, sizeof(buf), &p));
	pgm_csum_set(buf, 16, 0);
	ASSERT_EQ(0, memcmp(buf, want, sizeof(want)));
	ASSERT_EQ(0, pgm_parse(buf, 16, &q, true));
	ASSERT_EQ(PGM_SPMR, q.type);
	ASSERT_EQ(0x1234, q.sport);
	ASSERT_EQ(0x5678, q.dport);
}

/* Sum of 0xffff: the complement 0 is sent as 0xffff (OpenPGM agrees). */
TEST(csum_kat_zero_result)
{
	struct pgm_pkt p, q;
	u8 buf[BUF_MAX];

	memset(&p, 0, sizeof(p));
	p.type = PGM_SPMR;
	p.sport = 0x947b;	/* 0xffff - 0x6b84 */
	p.dport = 0x5678;
	memcpy(p.gsi, gsi, PGM_GSI_LEN);
	ASSERT_EQ(16u, pgm_build(buf, sizeof(buf), &p));
	pgm_csum_set(buf, 16, 0);
	ASSERT_EQ(0xffff, wire16(buf + 6));
	ASSERT_EQ(0, pgm_parse(buf, 16, &q, true));
	/* 0 means "no checksum" and is accepted. */
	buf[6] = 0;
	buf[7] = 0;
	ASSERT_EQ(0, pgm_parse(buf, 16, &q, true));
	buf[7] = 0xfe;
	ASSERT_EQ(-PGM_E_CSUM, pgm_parse(buf, 16, &q, true));
	ASSERT_EQ(0, pgm_parse(buf, 16, &q, false));
}

/* Known answers cross-checked with OpenPGM 5.3.128. */
TEST(csum_kat_openpgm)
{
	struct pgm_pkt p;
	u8 buf[BUF_MAX];
	size_t len;
	int i;

	fill_payload();

	base_pkt(&p, PGM_SPM, false);
	len = make(buf, &p, 0);
	ASSERT_EQ(36u, len);
	ASSERT_EQ(0xbd7c, wire16(buf + 6));

	base_pkt(&p, PGM_SPM, true);
	len = make(buf, &p, 0);
	ASSERT_EQ(48u, len);
	ASSERT_EQ(0x99c2, wire16(buf + 6));

	base_pkt(&p, PGM_ODATA, false);
	p.tsdu_len = 3;		/* odd length: payload 03 0a 11 */
	len = make(buf, &p, 3);
	ASSERT_EQ(27u, len);
	ASSERT_EQ(0xaf75, wire16(buf + 6));

	p.tsdu_len = 1400;
	len = make(buf, &p, 1400);
	ASSERT_EQ(1424u, len);
	ASSERT_EQ(0xe308, wire16(buf + 6));

	base_pkt(&p, PGM_RDATA, false);
	p.sqn = 1;
	p.has_frag = true;
	p.frag_sqn = 0xffffffff;
	p.frag_off = 1000;
	p.frag_len = 3000;
	p.syn = true;
	p.fin = true;
	p.tsdu_len = 999;
	len = make(buf, &p, 999);
	ASSERT_EQ(1051u, len);
	ASSERT_EQ(0xfc4f, wire16(buf + 6));

	base_pkt(&p, PGM_NAK, false);
	p.nak_list_len = 62;
	for (i = 0; i < 62; i++)
		p.nak_list[i] = 78 + i;
	len = make(buf, &p, 0);
	ASSERT_EQ(292u, len);
	ASSERT_EQ(0x2717, wire16(buf + 6));

	base_pkt(&p, PGM_NAK, true);
	len = make(buf, &p, 0);
	ASSERT_EQ(60u, len);
	ASSERT_EQ(0x9217, wire16(buf + 6));

	base_pkt(&p, PGM_NCF, true);
	p.nak_list_len = 1;
	p.nak_list[0] = 78;
	len = make(buf, &p, 0);
	ASSERT_EQ(72u, len);
	ASSERT_EQ(0x0dae, wire16(buf + 6));
}

/* Every single-bit error is caught. */
TEST(csum_every_bit_flip)
{
	struct pgm_pkt p, q;
	u8 buf[BUF_MAX];
	size_t len, i;
	int bit;

	fill_payload();
	base_pkt(&p, PGM_ODATA, false);
	p.has_frag = true;
	p.frag_sqn = p.sqn;
	p.frag_len = 100;
	p.tsdu_len = 33;
	len = make(buf, &p, 33);
	ASSERT_EQ(0, pgm_parse(buf, len, &q, true));
	for (i = 0; i < len; i++) {
		if (i == 6 || i == 7)
			continue;
		for (bit = 0; bit < 8; bit++) {
			buf[i] ^= (u8)(1 << bit);
			EXPECT_EQ(-PGM_E_CSUM, pgm_parse(buf, len, &q, true));
			buf[i] ^= (u8)(1 << bit);
		}
	}
}

/* ---- exact layout ---- */

TEST(layout_odata_fragment)
{
	static const u8 want[] = {
		0x12, 0x34, 0x1d, 0x4c, 0x04, 0x01, 0x00, 0x00,	/* hdr */
		1, 2, 3, 4, 5, 6, 0x00, 0x02,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0,	/* sqn trail */
		0x00, 0x04, 0x00, 0x18,				/* OPT_LENGTH */
		0x01, 0x10, 0x00, 0x00,				/* OPT_FRAGMENT */
		0xff, 0xff, 0xff, 0xff,
		0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x10, 0x00,
		0x8e, 0x04, 0x00, 0x00,				/* OPT_FIN|END */
	};
	struct pgm_pkt p;
	u8 buf[BUF_MAX];

	base_pkt(&p, PGM_ODATA, false);
	p.has_frag = true;
	p.frag_sqn = 0xffffffff;
	p.frag_off = 0;
	p.frag_len = 4096;
	p.fin = true;
	p.tsdu_len = 2;
	ASSERT_EQ(sizeof(want), pgm_hdr_len(&p));
	ASSERT_EQ(sizeof(want), pgm_build(buf, sizeof(buf), &p));
	ASSERT_EQ(0, memcmp(buf, want, sizeof(want)));
}

TEST(layout_nak_list_v6)
{
	static const u8 want[] = {
		0x12, 0x34, 0x1d, 0x4c, 0x08, 0x03, 0x00, 0x00,	/* P|N */
		1, 2, 3, 4, 5, 6, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x4d,				/* nak_sqn */
		0x00, 0x02, 0x00, 0x00,				/* src afi */
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0x00, 0x02, 0x00, 0x00,				/* grp afi */
		0xff, 0x0e, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42,
		0x00, 0x04, 0x00, 0x10,				/* OPT_LENGTH */
		0x82, 0x0c, 0x00, 0x00,				/* NAK_LIST|END */
		0x00, 0x00, 0x00, 0x4e,
		0x00, 0x00, 0x00, 0x4f,
	};
	struct pgm_pkt p;
	u8 buf[BUF_MAX];

	base_pkt(&p, PGM_NAK, true);
	p.nak_list_len = 2;
	p.nak_list[0] = 78;
	p.nak_list[1] = 79;
	ASSERT_EQ(sizeof(want), pgm_build(buf, sizeof(buf), &p));
	ASSERT_EQ(0, memcmp(buf, want, sizeof(want)));
}

TEST(layout_spm_v4_syn)
{
	static const u8 want[] = {
		0x12, 0x34, 0x1d, 0x4c, 0x00, 0x01, 0x00, 0x00,
		1, 2, 3, 4, 5, 6, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x05,
		0xff, 0xff, 0xff, 0xf0,
		0xff, 0xff, 0xff, 0xfe,
		0x00, 0x01, 0x00, 0x00, 10, 0, 0, 1,
		0x00, 0x04, 0x00, 0x08,
		0x8d, 0x04, 0x00, 0x00,
	};
	struct pgm_pkt p;
	u8 buf[BUF_MAX];

	base_pkt(&p, PGM_SPM, false);
	p.syn = true;
	ASSERT_EQ(sizeof(want), pgm_build(buf, sizeof(buf), &p));
	ASSERT_EQ(0, memcmp(buf, want, sizeof(want)));
}

/* ---- build -> parse round trip ---- */

/* Seven types: the loops below divide by 7. */
static const u8 all_types[] = {
	PGM_SPM, PGM_ODATA, PGM_RDATA, PGM_NAK, PGM_NNAK, PGM_NCF, PGM_SPMR,
};

_Static_assert(sizeof(all_types) == 7, "loops assume 7 types");

static bool is_data(u8 t)
{
	return t == PGM_ODATA || t == PGM_RDATA;
}

static bool is_nak(u8 t)
{
	return t == PGM_NAK || t == PGM_NNAK || t == PGM_NCF;
}

TEST(roundtrip_all)
{
	static const u16 plens[] = { 0, 1, 7, 1400 };
	static const u8 nlens[] = { 0, 1, 2, 61, 62 };
	struct pgm_pkt p, q;
	u8 raw[BUF_MAX + 1];
	u8 *buf = raw + 1;	/* odd address: unaligned access */
	unsigned int k, v6, g6, opt, pl, nl, i, n = 0;
	size_t len, h;

	fill_payload();
	/* Every type x src family x grp family x 8 option sets x 4 x 5. */
	for (k = 0; k < sizeof(all_types) * 2 * 2 * 8 * 4 * 5; k++) {
		u8 type = all_types[k % sizeof(all_types)];

		v6 = k / 7 % 2;
		g6 = k / 14 % 2;
		opt = k / 28 % 8;
		pl = k / 224 % 4;
		nl = k / 896;

		base_pkt(&p, type, v6);
		set_nla(&p.grp_nla, g6, true);
		p.has_frag = opt & 1;
		p.syn = opt & 2;
		p.fin = opt & 4;
		p.nak_list_len = nlens[nl];
		for (i = 0; i < p.nak_list_len; i++)
			p.nak_list[i] = 0xfffffff0 + i;	/* wraps */
		p.tsdu_len = is_data(type) ? plens[pl] : 0;
		if (p.has_frag) {
			p.frag_sqn = p.sqn - 3;
			p.frag_off = 100;
			p.frag_len = 100 + p.tsdu_len + 5;
		}
		h = pgm_hdr_len(&p);
		len = make(buf, &p, p.tsdu_len);
		ASSERT_NE(0u, len);
		ASSERT_EQ(h + p.tsdu_len, len);
		ASSERT_EQ(0u, h % 2);
		ASSERT_EQ(0, pgm_parse(buf, len, &q, true)) {
			TH_LOG("type %u v6 %u opt %u nl %u", type, v6, opt, nl);
		}
		n++;

		ASSERT_EQ(p.sport, q.sport);
		ASSERT_EQ(p.dport, q.dport);
		ASSERT_EQ(type, q.type);
		ASSERT_EQ(0, memcmp(p.gsi, q.gsi, PGM_GSI_LEN));
		ASSERT_EQ(p.tsdu_len, q.tsdu_len);
		ASSERT_EQ(is_data(type) && p.has_frag, q.has_frag);
		ASSERT_EQ(is_nak(type) ? p.nak_list_len : 0, q.nak_list_len);
		ASSERT_EQ(!is_nak(type) && type != PGM_SPMR && p.syn, q.syn);
		ASSERT_EQ(!is_nak(type) && type != PGM_SPMR && p.fin, q.fin);
		ASSERT_EQ(q.has_frag || q.nak_list_len || q.syn || q.fin,
			  !!(q.options & PGM_OPT_PRESENT));
		ASSERT_EQ(q.nak_list_len ? PGM_OPT_NETWORK : 0,
			  q.options & PGM_OPT_NETWORK);
		for (i = 0; i < q.nak_list_len; i++)
			ASSERT_EQ(p.nak_list[i], q.nak_list[i]);
		if (q.has_frag) {
			ASSERT_EQ(p.frag_sqn, q.frag_sqn);
			ASSERT_EQ(p.frag_off, q.frag_off);
			ASSERT_EQ(p.frag_len, q.frag_len);
		}
		switch (type) {
		case PGM_SPM:
			ASSERT_EQ(p.sqn, q.sqn);
			ASSERT_EQ(p.trail, q.trail);
			ASSERT_EQ(p.lead, q.lead);
			ASSERT_TRUE(nla_eq(&p.src_nla, &q.src_nla));
			ASSERT_EQ(0, q.grp_nla.afi);
			break;
		case PGM_ODATA:
		case PGM_RDATA:
			ASSERT_EQ(p.sqn, q.sqn);
			ASSERT_EQ(p.trail, q.trail);
			ASSERT_TRUE(q.data == buf + h);
			ASSERT_EQ(0, memcmp(q.data, payload, q.tsdu_len));
			break;
		case PGM_NAK:
		case PGM_NNAK:
		case PGM_NCF:
			ASSERT_EQ(p.sqn, q.sqn);
			ASSERT_TRUE(nla_eq(&p.src_nla, &q.src_nla));
			ASSERT_TRUE(nla_eq(&p.grp_nla, &q.grp_nla));
			break;
		case PGM_SPMR:
			ASSERT_EQ(0u, q.sqn);
			ASSERT_EQ(0, q.src_nla.afi);
			break;
		}
		if (!is_data(type))
			ASSERT_TRUE(!q.data);
	}
	ASSERT_EQ(7u * 2 * 2 * 8 * 4 * 5, n);
}

/* pgm_build(parse(x)) == x for packets pgm_build() made. */
TEST(roundtrip_bytes)
{
	struct pgm_pkt p, q;
	u8 a[BUF_MAX], b[BUF_MAX];
	size_t len, h;
	unsigned int t;

	fill_payload();
	for (t = 0; t < sizeof(all_types); t++) {
		base_pkt(&p, all_types[t], true);
		p.fin = true;
		p.nak_list_len = 3;
		p.tsdu_len = is_data(p.type) ? 11 : 0;
		len = make(a, &p, p.tsdu_len);
		ASSERT_EQ(0, pgm_parse(a, len, &q, true));
		h = pgm_build(b, sizeof(b), &q);
		ASSERT_EQ(len - q.tsdu_len * is_data(p.type), h);
		memcpy(b + h, payload, p.tsdu_len);
		pgm_csum_set(b, h, pgm_csum_partial(payload, p.tsdu_len, 0));
		ASSERT_EQ(0, memcmp(a, b, len));
	}
}

/* ---- truncation and extension ---- */

TEST(truncate_every_length)
{
	struct pgm_pkt p, q;
	u8 buf[BUF_MAX];
	unsigned int k, v6, opts, n = 0;
	size_t len, l;
	u8 *cut;

	fill_payload();
	for (k = 0; k < sizeof(all_types) * 4; k++) {
		v6 = k / 7 % 2;
		opts = k / 14;
		base_pkt(&p, all_types[k % 7], v6);
		if (opts) {
			p.has_frag = true;
			p.frag_sqn = p.sqn;
			p.frag_len = 1000;
			p.fin = true;
			p.syn = true;
			p.nak_list_len = 5;
		}
		p.tsdu_len = is_data(p.type) ? 9 : 0;
		len = make(buf, &p, p.tsdu_len);
		ASSERT_EQ(0, pgm_parse(buf, len, &q, true));
		for (l = 0; l < len; l++) {
			/* Exactly l bytes: ASan builds catch any overread. */
			cut = malloc(l ? l : 1);
			ASSERT_TRUE(!!cut);
			memcpy(cut, buf, l);
			EXPECT_GT(0, pgm_parse(cut, l, &q, false)) {
				TH_LOG("type %u v6 %u opts %u len %zu/%zu",
				       p.type, v6, opts, l, len);
			}
			EXPECT_GT(0, pgm_parse(cut, l, &q, true));
			free(cut);
			n++;
		}
		/* One trailing byte: data packets fail, others ignore it. */
		buf[len] = 0;
		if (is_data(p.type)) {
			ASSERT_EQ(-PGM_E_LEN, pgm_parse(buf, len + 1, &q, false));
		} else {
			ASSERT_EQ(0, pgm_parse(buf, len + 1, &q, false));
		}
	}
	ASSERT_LT(500u, n);
}

TEST(short_header)
{
	struct pgm_pkt q;
	u8 buf[16] = { 0 };

	ASSERT_EQ(-PGM_E_SHORT, pgm_parse(buf, 0, &q, true));
	ASSERT_EQ(-PGM_E_SHORT, pgm_parse(buf, 15, &q, true));
	buf[4] = PGM_SPMR;
	ASSERT_EQ(0, pgm_parse(buf, 16, &q, true));
	ASSERT_EQ(PGM_SPMR, q.type);
}

/* ---- hand-made option chains ---- */

/*
 * An ODATA (sqn 9, trail 1) with the option bytes @opts verbatim and a
 * 4-byte payload; PGM_OPT_PRESENT set, checksum valid.
 */
static size_t odata_opts(u8 *buf, const u8 *opts, size_t olen)
{
	struct pgm_pkt p;
	size_t h;

	memset(&p, 0, sizeof(p));
	p.type = PGM_ODATA;
	p.sqn = 9;
	p.trail = 1;
	p.tsdu_len = 4;
	h = pgm_build(buf, BUF_MAX, &p);
	buf[5] |= PGM_OPT_PRESENT;
	memcpy(buf + h, opts, olen);
	memcpy(buf + h + olen, "abcd", 4);
	refresh_csum(buf, h + olen + 4);
	return h + olen + 4;
}

/* Same for a NAK (IPv4 NLAs), no payload. */
static size_t nak_opts(u8 *buf, const u8 *opts, size_t olen)
{
	struct pgm_pkt p;
	size_t h;

	base_pkt(&p, PGM_NAK, false);
	h = pgm_build(buf, BUF_MAX, &p);
	buf[5] |= PGM_OPT_PRESENT;
	memcpy(buf + h, opts, olen);
	refresh_csum(buf, h + olen);
	return h + olen;
}

#define PARSE_ODATA(opts)						\
	({ u8 __b[BUF_MAX]; struct pgm_pkt __q;				\
	   pgm_parse(__b, odata_opts(__b, opts, sizeof(opts)), &__q, true); })
#define PARSE_NAK(opts)							\
	({ u8 __b[BUF_MAX]; struct pgm_pkt __q;				\
	   pgm_parse(__b, nak_opts(__b, opts, sizeof(opts)), &__q, true); })

TEST(opts_valid_reference)
{
	static const u8 fin[] = { 0, 4, 0, 8, 0x8e, 4, 0, 0 };
	static const u8 nak2[] = { 0, 4, 0, 16, 0x82, 12, 0, 0,
				   0, 0, 0, 10, 0, 0, 0, 11 };
	struct pgm_pkt q;
	u8 buf[BUF_MAX];

	ASSERT_EQ(0, pgm_parse(buf, odata_opts(buf, fin, sizeof(fin)), &q,
			       true));
	ASSERT_TRUE(q.fin);
	ASSERT_EQ(4, q.tsdu_len);
	ASSERT_EQ(0, memcmp(q.data, "abcd", 4));
	ASSERT_EQ(0, pgm_parse(buf, nak_opts(buf, nak2, sizeof(nak2)), &q,
			       true));
	ASSERT_EQ(2, q.nak_list_len);
	ASSERT_EQ(10u, q.nak_list[0]);
	ASSERT_EQ(11u, q.nak_list[1]);
}

TEST(opts_bad_opt_length)
{
	static const u8 type1[] = { 1, 4, 0, 8, 0x8e, 4, 0, 0 };
	static const u8 end_bit[] = { 0x80, 4, 0, 8, 0x8e, 4, 0, 0 };
	static const u8 len5[] = { 0, 5, 0, 8, 0x8e, 4, 0, 0 };
	static const u8 len3[] = { 0, 3, 0, 8, 0x8e, 4, 0, 0 };
	static const u8 total0[] = { 0, 4, 0, 0, 0x8e, 4, 0, 0 };
	static const u8 total4[] = { 0, 4, 0, 4, 0x8e, 4, 0, 0 };
	static const u8 total6[] = { 0, 4, 0, 6, 0x8e, 4, 0, 0 };
	static const u8 total7[] = { 0, 4, 0, 7, 0x8e, 4, 0, 0 };
	static const u8 total12[] = { 0, 4, 0, 12, 0x8e, 4, 0, 0 };
	static const u8 total_huge[] = { 0, 4, 0xff, 0xff, 0x8e, 4, 0, 0 };

	ASSERT_EQ(-PGM_E_OPTS, PARSE_ODATA(type1));
	ASSERT_EQ(-PGM_E_OPTS, PARSE_ODATA(end_bit));
	ASSERT_EQ(-PGM_E_OPTS, PARSE_ODATA(len5));
	ASSERT_EQ(-PGM_E_OPTS, PARSE_ODATA(len3));
	ASSERT_EQ(-PGM_E_OPTS, PARSE_ODATA(total0));
	ASSERT_EQ(-PGM_E_OPTS, PARSE_ODATA(total4));
	ASSERT_EQ(-PGM_E_OPTS, PARSE_ODATA(total6));
	/* Chain (8 bytes) longer than the total (7). */
	ASSERT_EQ(-PGM_E_OPTS, PARSE_ODATA(total7));
	/* Total 12 swallows the payload's first 4 bytes as options. */
	ASSERT_EQ(-PGM_E_OPTS, PARSE_ODATA(total12));
	ASSERT_EQ(-PGM_E_SHORT, PARSE_ODATA(total_huge));
	ASSERT_EQ(-PGM_E_OPTS, PARSE_NAK(total7));
	ASSERT_EQ(-PGM_E_SHORT, PARSE_NAK(total12));
}

TEST(opts_option_past_end)
{
	/* NAK list claims 12 bytes, only 8 inside the total. */
	static const u8 past[] = { 0, 4, 0, 12, 0x82, 12, 0, 0, 0, 0, 0, 1 };
	/* Option header cut by the total: 2 bytes left. */
	static const u8 stub[] = { 0, 4, 0, 10, 0x0e, 4, 0, 0, 0x8e, 4 };
	/* Length 255 option. */
	static const u8 l255[] = { 0, 4, 0, 8, 0x8e, 255, 0, 0 };

	ASSERT_EQ(-PGM_E_OPTS, PARSE_NAK(past));
	ASSERT_EQ(-PGM_E_OPTS, PARSE_NAK(stub));
	ASSERT_EQ(-PGM_E_OPTS, PARSE_NAK(l255));
}

TEST(opts_short_option_length)
{
	static const u8 l0[] = { 0, 4, 0, 8, 0x8e, 0, 0, 0 };
	static const u8 l1[] = { 0, 4, 0, 8, 0x8e, 1, 0, 0 };
	static const u8 l2[] = { 0, 4, 0, 8, 0x8e, 2, 0, 0 };
	/* Zero-length unknown option followed by a good one: no loop. */
	static const u8 l0u[] = { 0, 4, 0, 12, 0x20, 0, 0, 0, 0x8e, 4, 0, 0 };
	/* Unknown option of the minimal length 3 is fine. */
	static const u8 l3u[] = { 0, 4, 0, 11, 0x20, 3, 0, 0x8e, 4, 0, 0 };

	ASSERT_EQ(-PGM_E_OPTS, PARSE_NAK(l0));
	ASSERT_EQ(-PGM_E_OPTS, PARSE_NAK(l1));
	ASSERT_EQ(-PGM_E_OPTS, PARSE_NAK(l2));
	ASSERT_EQ(-PGM_E_OPTS, PARSE_NAK(l0u));
	ASSERT_EQ(0, PARSE_NAK(l3u));
}

TEST(opts_end_marker)
{
	static const u8 no_end[] = { 0, 4, 0, 12, 0x0d, 4, 0, 0, 0x0e, 4, 0, 0 };
	static const u8 early_end[] = { 0, 4, 0, 12, 0x8d, 4, 0, 0,
					0x0e, 4, 0, 0 };
	static const u8 good[] = { 0, 4, 0, 12, 0x0d, 4, 0, 0, 0x8e, 4, 0, 0 };
	struct pgm_pkt q;
	u8 buf[BUF_MAX];

	ASSERT_EQ(-PGM_E_OPTS, PARSE_ODATA(no_end));
	ASSERT_EQ(-PGM_E_OPTS, PARSE_ODATA(early_end));
	ASSERT_EQ(0, pgm_parse(buf, odata_opts(buf, good, sizeof(good)), &q,
			       true));
	ASSERT_TRUE(q.syn);
	ASSERT_TRUE(q.fin);
}

TEST(opts_nak_list_sizes)
{
	static const u8 n0[] = { 0, 4, 0, 8, 0x82, 4, 0, 0 };
	/* 63 entries would be 256 bytes: the length byte wraps to 0. */
	static const u8 n63[] = { 0, 4, 0, 8, 0x82, 0, 0, 0 };
	static const u8 n_odd[] = { 0, 4, 0, 13, 0x82, 9, 0, 0, 0, 0, 0, 1, 0 };
	static const u8 n_odd2[] = { 0, 4, 0, 14, 0x82, 10, 0, 0, 0, 0, 0, 1,
				     0, 0 };
	u8 n62[4 + 4 + 62 * 4], n61[4 + 4 + 61 * 4];
	struct pgm_pkt q;
	u8 buf[BUF_MAX];
	unsigned int i;

	ASSERT_EQ(-PGM_E_OPTS, PARSE_NAK(n0));
	ASSERT_EQ(-PGM_E_OPTS, PARSE_NAK(n63));
	ASSERT_EQ(-PGM_E_OPTS, PARSE_NAK(n_odd));
	ASSERT_EQ(-PGM_E_OPTS, PARSE_NAK(n_odd2));

	memset(n62, 0, sizeof(n62));
	n62[1] = 4;
	n62[2] = sizeof(n62) >> 8;	/* 256 */
	n62[3] = sizeof(n62) & 0xff;
	n62[4] = 0x82;
	n62[5] = 4 + 62 * 4;	/* 252 */
	for (i = 0; i < 62; i++)
		n62[8 + 4 * i + 3] = (u8)(100 + i);
	ASSERT_EQ(0, pgm_parse(buf, nak_opts(buf, n62, sizeof(n62)), &q,
			       true));
	ASSERT_EQ(62, q.nak_list_len);
	ASSERT_EQ(100u, q.nak_list[0]);
	ASSERT_EQ(161u, q.nak_list[61]);

	memcpy(n61, n62, sizeof(n61));
	n61[2] = 0;
	n61[3] = sizeof(n61);	/* 252 */
	n61[5] = 4 + 61 * 4;
	ASSERT_EQ(0, pgm_parse(buf, nak_opts(buf, n61, sizeof(n61)), &q,
			       true));
	ASSERT_EQ(61, q.nak_list_len);
}

TEST(opts_unknown_opx)
{
	/* Unknown option 0x20, 8 bytes, then OPT_FIN. */
	u8 o[] = { 0, 4, 0, 16, 0x20, 8, 0, 0, 1, 2, 3, 4, 0x8e, 4, 0, 0 };
	/* OPT_FIN, then unknown option 0x20 with the end bit. */
	u8 o2[] = { 0, 4, 0, 12, 0x0e, 4, 0, 0, 0xa0, 4, 0, 0 };
	struct pgm_pkt q;
	u8 buf[BUF_MAX];

	o[6] = PGM_OPX_IGNORE;
	ASSERT_EQ(0, pgm_parse(buf, odata_opts(buf, o, sizeof(o)), &q, true));
	ASSERT_TRUE(q.fin);
	o[6] = PGM_OPX_INVALIDATE | PGM_OP_ENCODED;
	ASSERT_EQ(0, pgm_parse(buf, odata_opts(buf, o, sizeof(o)), &q, true));
	ASSERT_TRUE(q.fin);
	o[6] = PGM_OPX_DISCARD;
	ASSERT_EQ(-PGM_E_OPTX, PARSE_ODATA(o));
	o[6] = 3;	/* reserved OPX value */
	ASSERT_EQ(-PGM_E_OPTX, PARSE_ODATA(o));
	/* An invalidated option (type 0x7f) is skipped whatever its OPX. */
	o[4] = 0x7f;
	o[6] = PGM_OPX_DISCARD;
	ASSERT_EQ(0, PARSE_ODATA(o));
	/* Unknown option last, with the end bit. */
	o2[10] = PGM_OPX_DISCARD;
	ASSERT_EQ(-PGM_E_OPTX, PARSE_ODATA(o2));
	o2[10] = PGM_OPX_IGNORE;
	ASSERT_EQ(0, pgm_parse(buf, odata_opts(buf, o2, sizeof(o2)), &q,
			       true));
	ASSERT_TRUE(q.fin);
}

/*
 * Options of RFC 3208/PGMCC we do not use are skipped even with OPX
 * discard (OpenPGM leaves OPX uninitialised on some); 0x06 and 0x14+
 * are unknown and obey OPX.
 */
TEST(opts_defined_unused_ignore_opx)
{
	u8 o[] = { 0, 4, 0, 16, 0, 8, PGM_OPX_DISCARD, 0, 1, 2, 3, 4,
		   0x8e, 4, 0, 0 };
	struct pgm_pkt q;
	u8 buf[BUF_MAX];
	unsigned int t;

	for (t = 0x03; t < 0x7f; t++) {
		bool unused = (t >= 0x03 && t <= 0x05) ||
			      (t >= 0x07 && t <= 0x0c) ||
			      (t >= 0x0f && t <= 0x13);

		if (t == PGM_OPT_SYN || t == PGM_OPT_FIN)
			continue;
		o[4] = (u8)t;
		EXPECT_EQ(unused ? 0 : -PGM_E_OPTX,
			  pgm_parse(buf, odata_opts(buf, o, sizeof(o)), &q,
				    true)) {
			TH_LOG("option type 0x%02x", t);
		}
	}
	/* Still bounded by their length. */
	o[4] = 0x08;
	o[5] = 2;
	ASSERT_EQ(-PGM_E_OPTS, PARSE_ODATA(o));
	o[5] = 13;
	ASSERT_EQ(-PGM_E_OPTS, PARSE_ODATA(o));
}

TEST(opts_known_bad_length_or_dup)
{
	static const u8 frag15[] = { 0, 4, 0, 19, 0x81, 15, 0, 0, 0, 0, 0, 9,
				     0, 0, 0, 0, 0, 0, 0 };
	static const u8 fin5[] = { 0, 4, 0, 9, 0x8e, 5, 0, 0, 0 };
	static const u8 syn3[] = { 0, 4, 0, 7, 0x8d, 3, 0 };
	static const u8 dup_fin[] = { 0, 4, 0, 12, 0x0e, 4, 0, 0, 0x8e, 4, 0, 0 };
	static const u8 dup_len[] = { 0, 4, 0, 12, 0x00, 4, 0, 0, 0x8e, 4, 0, 0 };

	ASSERT_EQ(-PGM_E_OPTS, PARSE_ODATA(frag15));
	ASSERT_EQ(-PGM_E_OPTS, PARSE_ODATA(fin5));
	ASSERT_EQ(-PGM_E_OPTS, PARSE_ODATA(syn3));
	ASSERT_EQ(-PGM_E_OPTS, PARSE_ODATA(dup_fin));
	ASSERT_EQ(-PGM_E_OPTS, PARSE_ODATA(dup_len));
}

/* Known options on a type that does not carry them are checked, not kept. */
TEST(opts_on_other_types)
{
	static const u8 nak_on_odata[] = { 0, 4, 0, 12, 0x82, 8, 0, 0,
					   0, 0, 0, 5 };
	static const u8 fin_on_nak[] = { 0, 4, 0, 8, 0x8e, 4, 0, 0 };
	static const u8 frag_on_nak[] = { 0, 4, 0, 20, 0x81, 16, 0, 0,
					  0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9 };
	struct pgm_pkt q;
	u8 buf[BUF_MAX];

	ASSERT_EQ(0, pgm_parse(buf, odata_opts(buf, nak_on_odata,
					       sizeof(nak_on_odata)), &q, true));
	ASSERT_EQ(0, q.nak_list_len);
	ASSERT_EQ(0, pgm_parse(buf, nak_opts(buf, fin_on_nak,
					     sizeof(fin_on_nak)), &q, true));
	ASSERT_FALSE(q.fin);
	ASSERT_EQ(0, pgm_parse(buf, nak_opts(buf, frag_on_nak,
					     sizeof(frag_on_nak)), &q, true));
	ASSERT_FALSE(q.has_frag);
}

TEST(opts_present_but_none)
{
	struct pgm_pkt p, q;
	u8 buf[BUF_MAX];
	size_t len;

	base_pkt(&p, PGM_SPM, false);
	len = make(buf, &p, 0);
	buf[5] = PGM_OPT_PRESENT;
	refresh_csum(buf, len);
	ASSERT_EQ(-PGM_E_SHORT, pgm_parse(buf, len, &q, true));
}

/* ---- other field checks ---- */

TEST(tsdu_len_mismatch)
{
	struct pgm_pkt p, q;
	u8 buf[BUF_MAX];
	size_t len;

	fill_payload();
	base_pkt(&p, PGM_RDATA, false);
	p.fin = true;
	p.tsdu_len = 10;
	len = make(buf, &p, 10);
	ASSERT_EQ(0, pgm_parse(buf, len, &q, true));
	buf[15] = 11;
	refresh_csum(buf, len);
	ASSERT_EQ(-PGM_E_LEN, pgm_parse(buf, len, &q, true));
	buf[15] = 9;
	refresh_csum(buf, len);
	ASSERT_EQ(-PGM_E_LEN, pgm_parse(buf, len, &q, true));
	buf[14] = 1;
	buf[15] = 10;
	refresh_csum(buf, len);
	ASSERT_EQ(-PGM_E_LEN, pgm_parse(buf, len, &q, true));
}

TEST(nla_unknown_afi)
{
	struct pgm_pkt p, q;
	u8 buf[BUF_MAX];
	size_t len;

	base_pkt(&p, PGM_SPM, false);
	len = make(buf, &p, 0);
	buf[29] = 3;		/* spm nla afi */
	refresh_csum(buf, len);
	ASSERT_EQ(-PGM_E_NLA, pgm_parse(buf, len, &q, true));
	buf[29] = 0;
	refresh_csum(buf, len);
	ASSERT_EQ(-PGM_E_NLA, pgm_parse(buf, len, &q, true));

	base_pkt(&p, PGM_NCF, false);
	len = make(buf, &p, 0);
	ASSERT_EQ(36u, len);
	buf[20] = 0xff;		/* src afi 0xff01 */
	refresh_csum(buf, len);
	ASSERT_EQ(-PGM_E_NLA, pgm_parse(buf, len, &q, true));
	buf[20] = 0;
	buf[29] = 0;		/* grp afi 0 */
	refresh_csum(buf, len);
	ASSERT_EQ(-PGM_E_NLA, pgm_parse(buf, len, &q, true));
	buf[29] = 2;		/* grp says IPv6 but only 4 bytes follow */
	refresh_csum(buf, len);
	ASSERT_EQ(-PGM_E_SHORT, pgm_parse(buf, len, &q, true));
}

TEST(types_refused)
{
	static const u8 bad[] = { PGM_POLL, PGM_POLR, PGM_ACK, 0x03, 0x06,
				  0x07, 0x0b, 0x0e, 0x0f, 0x10, 0x44, 0xff };
	struct pgm_pkt q;
	u8 buf[64];
	unsigned int i;

	for (i = 0; i < sizeof(bad); i++) {
		memset(buf, 0, sizeof(buf));
		buf[4] = bad[i];
		refresh_csum(buf, sizeof(buf));
		EXPECT_EQ(-PGM_E_TYPE, pgm_parse(buf, sizeof(buf), &q, true));
	}
}

TEST(parity_refused)
{
	struct pgm_pkt p, q;
	u8 buf[BUF_MAX];
	size_t len;
	unsigned int t;

	fill_payload();
	for (t = 0; t < sizeof(all_types); t++) {
		base_pkt(&p, all_types[t], false);
		p.tsdu_len = is_data(p.type) ? 4 : 0;
		len = make(buf, &p, p.tsdu_len);
		buf[5] |= PGM_OPT_PARITY | PGM_OPT_VAR_PKTLEN;
		refresh_csum(buf, len);
		if (is_data(p.type) || is_nak(p.type)) {
			EXPECT_EQ(-PGM_E_TYPE, pgm_parse(buf, len, &q, true));
		} else {
			EXPECT_EQ(0, pgm_parse(buf, len, &q, true));
		}
		/* VAR_PKTLEN alone is ignored. */
		buf[5] &= (u8)~PGM_OPT_PARITY;
		refresh_csum(buf, len);
		EXPECT_EQ(0, pgm_parse(buf, len, &q, true));
	}
}

static int frag_case(u32 sqn, u32 fsqn, u32 off, u32 flen, u16 tsdu)
{
	struct pgm_pkt p, q;
	u8 buf[BUF_MAX];

	base_pkt(&p, PGM_ODATA, false);
	p.sqn = sqn;
	p.has_frag = true;
	p.frag_sqn = fsqn;
	p.frag_off = off;
	p.frag_len = flen;
	p.tsdu_len = tsdu;
	return pgm_parse(buf, make(buf, &p, tsdu), &q, true);
}

TEST(frag_checks)
{
	fill_payload();
	ASSERT_EQ(0, frag_case(5, 5, 0, 10, 10));
	ASSERT_EQ(0, frag_case(6, 5, 10, 20, 10));
	ASSERT_EQ(0, frag_case(5, 5, 0, 100, 0));
	ASSERT_EQ(-PGM_E_FRAG, frag_case(5, 5, 0, 0, 0));	/* len 0 */
	ASSERT_EQ(-PGM_E_FRAG, frag_case(5, 5, 0, 9, 10));	/* past end */
	ASSERT_EQ(-PGM_E_FRAG, frag_case(6, 5, 11, 20, 10));
	ASSERT_EQ(-PGM_E_FRAG, frag_case(6, 5, 20, 20, 0));	/* off == len */
	/* off + tsdu overflows 32 bits. */
	ASSERT_EQ(-PGM_E_FRAG, frag_case(6, 5, 0xfffffffe, 0xffffffff, 10));
	ASSERT_EQ(0, frag_case(6, 5, 0xfffffff5, 0xffffffff, 10));
	/* First fragment must name itself, later ones an earlier sqn. */
	ASSERT_EQ(-PGM_E_FRAG, frag_case(5, 4, 0, 10, 10));
	ASSERT_EQ(-PGM_E_FRAG, frag_case(5, 5, 10, 20, 10));
	ASSERT_EQ(-PGM_E_FRAG, frag_case(5, 6, 10, 20, 10));
	/* ... across the sequence wrap. */
	ASSERT_EQ(0, frag_case(2, 0xfffffffe, 100, 1000, 10));
	ASSERT_EQ(-PGM_E_FRAG, frag_case(0xfffffffe, 2, 100, 1000, 10));
}

/* ---- build failures ---- */

TEST(build_refuses)
{
	static const u8 unbuildable[] = { PGM_POLL, PGM_POLR, PGM_ACK, 0x03,
					  0x0e, 0x33, 0xff };
	struct pgm_pkt p;
	u8 buf[BUF_MAX];
	size_t len;
	unsigned int i, t;

	for (i = 0; i < sizeof(unbuildable); i++) {
		base_pkt(&p, unbuildable[i], false);
		EXPECT_EQ(0u, pgm_hdr_len(&p));
		EXPECT_EQ(0u, pgm_build(buf, sizeof(buf), &p));
	}
	for (t = 0; t < sizeof(all_types); t++) {
		base_pkt(&p, all_types[t], true);
		p.fin = true;
		p.nak_list_len = 4;
		len = pgm_hdr_len(&p);
		ASSERT_NE(0u, len);
		/* Every capacity below the length fails, the length fits. */
		for (i = 0; i < len; i++)
			ASSERT_EQ(0u, pgm_build(buf, i, &p));
		ASSERT_EQ(len, pgm_build(buf, len, &p));

		/* Bad NLAs matter only where an NLA is written. */
		p.src_nla.afi = 3;
		len = pgm_build(buf, sizeof(buf), &p);
		ASSERT_EQ(pgm_hdr_len(&p), len);
		if (p.type == PGM_SPM || is_nak(p.type)) {
			ASSERT_EQ(0u, len);
		} else {
			ASSERT_NE(0u, len);
		}
		set_nla(&p.src_nla, false, false);
		p.grp_nla.afi = 0;
		len = pgm_build(buf, sizeof(buf), &p);
		ASSERT_EQ(pgm_hdr_len(&p), len);
		if (is_nak(p.type)) {
			ASSERT_EQ(0u, len);
		} else {
			ASSERT_NE(0u, len);
		}
		set_nla(&p.grp_nla, false, true);
		p.nak_list_len = PGM_NAK_LIST_MAX + 1;
		len = pgm_build(buf, sizeof(buf), &p);
		if (is_nak(p.type)) {
			ASSERT_EQ(0u, len);
		} else {
			ASSERT_NE(0u, len);
		}
	}
}

TEST(build_max_header)
{
	struct pgm_pkt p;
	u8 buf[PGM_MAX_HDR_LEN];

	base_pkt(&p, PGM_NCF, true);
	p.nak_list_len = PGM_NAK_LIST_MAX;
	ASSERT_EQ((size_t)PGM_MAX_HDR_LEN, pgm_hdr_len(&p));
	ASSERT_EQ((size_t)PGM_MAX_HDR_LEN, pgm_build(buf, sizeof(buf), &p));
}

/* ---- sequence arithmetic ---- */

TEST(seq_wrap)
{
	ASSERT_TRUE(pgm_seq_lt(0xffffffff, 0));
	ASSERT_TRUE(pgm_seq_gt(0, 0xffffffff));
	ASSERT_FALSE(pgm_seq_lt(0, 0xffffffff));
	ASSERT_TRUE(pgm_seq_le(7, 7));
	ASSERT_TRUE(pgm_seq_ge(7, 7));
	ASSERT_FALSE(pgm_seq_lt(7, 7));
	ASSERT_FALSE(pgm_seq_gt(7, 7));
	ASSERT_TRUE(pgm_seq_lt(0xfffffff0, 0x10));
	ASSERT_TRUE(pgm_seq_ge(0x10, 0xfffffff0));
	ASSERT_TRUE(pgm_seq_lt(0, 0x7fffffff));
	ASSERT_TRUE(pgm_seq_gt(0x7fffffff, 0));
	/* Half the space apart: 0x80000000 ahead reads as behind. */
	ASSERT_TRUE(pgm_seq_lt(0x80000000, 0));
	ASSERT_TRUE(pgm_seq_lt(0, 0x80000000));

	ASSERT_TRUE(pgm_seq_in(0, 0xfffffff0, 0x10));
	ASSERT_TRUE(pgm_seq_in(0xfffffff0, 0xfffffff0, 0x10));
	ASSERT_TRUE(pgm_seq_in(0x10, 0xfffffff0, 0x10));
	ASSERT_TRUE(pgm_seq_in(0xffffffff, 0xfffffff0, 0x10));
	ASSERT_FALSE(pgm_seq_in(0x11, 0xfffffff0, 0x10));
	ASSERT_FALSE(pgm_seq_in(0xffffffef, 0xfffffff0, 0x10));
	ASSERT_FALSE(pgm_seq_in(0x80000000, 0xfffffff0, 0x10));
	ASSERT_TRUE(pgm_seq_in(5, 5, 5));
	ASSERT_FALSE(pgm_seq_in(6, 5, 5));
	ASSERT_FALSE(pgm_seq_in(4, 5, 5));
}

TEST_HARNESS_MAIN
