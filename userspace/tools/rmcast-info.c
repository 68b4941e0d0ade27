// SPDX-License-Identifier: GPL-2.0
/*
 * rmcast-info: show the AF_RMCAST family and check that a socket can be
 * opened; optionally hold a (bound and/or connected) socket open for a
 * while, for module lifecycle and namespace tests.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rmcast.h"

static const char usage_text[] =
"usage: rmcast-info [-T udp|ip] [--hold SECONDS [--bind GROUP:PORT[%IF]]\n"
"                   [--connect GROUP:PORT[%IF]]]\n"
"  Without --hold: print \"family=N\", open and close an AF_RMCAST socket,\n"
"  print \"socket=ok\".\n"
"  --hold SECONDS  keep the socket open that long (killing the process\n"
"                  ends it early); after the socket is set up prints\n"
"                  \"holding fd=N seconds=S\" (flushed) so scripts can wait\n"
"                  for that line\n"
"  --bind ADDR     bind() the socket to ADDR first (receive side)\n"
"  --connect ADDR  connect() the socket to ADDR (send side); may be\n"
"                  combined with --bind\n"
"  -T udp|ip       RMCAST_TRANSPORT before bind/connect\n"
"Exit status 0 on success, 1 on error, 2 on bad usage.\n";

struct info_opts {
	long		hold;		/* seconds, -1: no --hold */
	const char	*bind_addr;
	const char	*connect_addr;
	int		transport;	/* -1: default */
};

/* A hint after the error text of rmcast_addr_parse() / rmcast_family(). */
static const char *addr_hint(int err)
{
	if (err == EINVAL)
		return " (expected GROUP:PORT[%IFNAME], IPv6 in [])";
	if (err == EAFNOSUPPORT)
		return " (is rmcast.ko loaded?)";
	return "";
}

static void die_usage(const char *msg)
{
	fprintf(stderr, "rmcast-info: %s\n%s", msg, usage_text);
	exit(2);
}

static void parse_args(int argc, char **argv, struct info_opts *o)
{
	static const struct option long_opts[] = {
		{ "hold",	required_argument, NULL, 'H' },
		{ "bind",	required_argument, NULL, 'b' },
		{ "connect",	required_argument, NULL, 'c' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	o->hold = -1;
	o->bind_addr = o->connect_addr = NULL;
	o->transport = -1;
	while ((c = getopt_long(argc, argv, "T:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			errno = 0;
			o->hold = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || o->hold < 0)
				die_usage("bad --hold SECONDS");
			break;
		case 'b': o->bind_addr = optarg; break;
		case 'c': o->connect_addr = optarg; break;
		case 'T':
			if (strcmp(optarg, "udp") == 0)
				o->transport = RMCAST_TRANSPORT_UDP;
			else if (strcmp(optarg, "ip") == 0)
				o->transport = RMCAST_TRANSPORT_IP;
			else
				die_usage("-T wants udp or ip");
			break;
		case 'h': fputs(usage_text, stdout); exit(0);
		default: die_usage("bad option");
		}
	}
	if (optind != argc)
		die_usage("unexpected argument");
	if (o->hold < 0 && (o->bind_addr || o->connect_addr))
		die_usage("--bind/--connect need --hold");
}

/* bind() (is_bind) or connect() fd to text address a; 0 or -1 (reported). */
static int attach(int fd, const char *a, int is_bind)
{
	struct sockaddr_rmcast addr;
	const char *what = is_bind ? "bind" : "connect";
	int r;

	if (rmcast_addr_parse(a, &addr)) {
		int err = errno;

		fprintf(stderr, "rmcast-info: %s: %s%s\n", a,
			strerror(err), addr_hint(err));
		return -1;
	}
	r = is_bind ? bind(fd, (struct sockaddr *)&addr, sizeof(addr)) :
		      connect(fd, (struct sockaddr *)&addr, sizeof(addr));
	if (r) {
		fprintf(stderr, "rmcast-info: %s %s: %s\n", what, a,
			strerror(errno));
		return -1;
	}
	return 0;
}

static int setup(int fd, const struct info_opts *o)
{
	if (o->transport >= 0 &&
	    rmcast_setopt_int(fd, RMCAST_TRANSPORT, o->transport)) {
		fprintf(stderr, "rmcast-info: setsockopt(RMCAST_TRANSPORT): %s\n",
			strerror(errno));
		return -1;
	}
	if (o->bind_addr && attach(fd, o->bind_addr, 1))
		return -1;
	if (o->connect_addr && attach(fd, o->connect_addr, 0))
		return -1;
	return 0;
}

static void hold(int fd, long seconds)
{
	struct timespec ts = { .tv_sec = seconds, .tv_nsec = 0 };

	printf("holding fd=%d seconds=%ld\n", fd, seconds);
	fflush(stdout);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	struct info_opts o;
	int fam, fd;

	parse_args(argc, argv, &o);
	fam = rmcast_family();
	if (fam < 0) {
		int err = errno;

		fprintf(stderr, "rmcast-info: %s: %s%s\n", RMCAST_FAMILY_PATH,
			strerror(err), addr_hint(err));
		return 1;
	}
	printf("family=%d\n", fam);
	fd = rmcast_socket(SOCK_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "rmcast-info: socket(%d, SOCK_RDM, 0): %s\n",
			fam, strerror(errno));
		return 1;
	}
	if (setup(fd, &o)) {
		close(fd);
		return 1;
	}
	if (o.hold >= 0)
		hold(fd, o.hold);
	if (close(fd)) {
		fprintf(stderr, "rmcast-info: close: %s\n", strerror(errno));
		return 1;
	}
	printf("socket=ok\n");
	return 0;
}
