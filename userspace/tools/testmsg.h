/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Self-verifying test messages shared by rmcast-send and rmcast-recv.
 *
 * Message i of a sender with seed S and total length L is the first L
 * bytes of:
 *
 *   offset  size  field (big-endian)
 *   0       2     magic 0x524d ("RM")
 *   2       2     seed S, which is also the sender id
 *   4       8     index i (0, 1, 2, ...)
 *   12      4     total length L
 *   16      L-16  payload: the byte stream of splitmix64 seeded from
 *                 (S, i), each 64-bit output taken least significant
 *                 byte first
 *
 * A message shorter than the 16-byte header carries only a prefix of it:
 * from 12 bytes on it names its index, from 4 bytes its seed; anything
 * shorter can only be checked against the header the receiver expects
 * next.  The receiver verifies a message by regenerating it from
 * (seed, index, L) and comparing every byte, so a length field that
 * disagrees with the received length is detected too.
 */
#ifndef RMCAST_TESTMSG_H
#define RMCAST_TESTMSG_H

#include <stddef.h>
#include <stdint.h>

#define TESTMSG_HDR_LEN		16
#define TESTMSG_MAGIC		0x524d
#define TESTMSG_SEED_END	4	/* bytes needed to read the seed */
#define TESTMSG_INDEX_END	12	/* bytes needed to read the index */

/* What a (possibly short) message says about itself. */
struct testmsg_hdr {
	int		has_magic;	/* len >= 2 */
	int		has_seed;	/* len >= TESTMSG_SEED_END */
	int		has_index;	/* len >= TESTMSG_INDEX_END */
	int		has_len;	/* len >= TESTMSG_HDR_LEN */
	uint16_t	magic;
	uint16_t	seed;
	uint64_t	index;
	uint32_t	len;
};

/* Write message (seed, index) of length len into buf. */
void testmsg_fill(uint8_t *buf, size_t len, uint16_t seed, uint64_t index);

/* Decode whatever header fields fit in len bytes. */
void testmsg_parse(const uint8_t *buf, size_t len, struct testmsg_hdr *h);

/*
 * Compare buf[0..len) with message (seed, index) of length len; scratch
 * must hold len bytes.  Returns -1 if identical, else the offset of the
 * first differing byte.
 */
long testmsg_check(const uint8_t *buf, size_t len, uint16_t seed,
		   uint64_t index, uint8_t *scratch);

/* Message sizes: fixed (min == max) or the skewed mix of -S min:max. */
struct testmsg_sizes {
	size_t		min;
	size_t		max;
	uint64_t	rng;	/* generator state */
};

void testmsg_sizes_init(struct testmsg_sizes *sz, size_t min, size_t max,
			uint16_t seed);

/*
 * Next size.  When max > min: 90% uniform in [min, 1024], 9% in
 * [1024, 8192], 1% in [8192, max], each band clipped to [min, max] (an
 * empty band falls back to uniform in [min, max]).
 */
size_t testmsg_sizes_next(struct testmsg_sizes *sz);

/* FNV-1a-64: start with FNV1A64_INIT, feed chunks in order. */
#define FNV1A64_INIT	0xcbf29ce484222325ULL
uint64_t fnv1a64(uint64_t h, const void *p, size_t n);

#endif /* RMCAST_TESTMSG_H */
