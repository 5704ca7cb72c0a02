/* A cheap receiver for the capacity bench: counts the UDP packets and bytes mediasoup
 * forwards to one port (SRTP is not decrypted: what we measure is the sender), and prints
 * its counts once a second. recvmmsg keeps its own CPU small.
 *
 * With a second argument (the transport-wide-cc-01 header extension id; plain RTP only),
 * it also answers like a browser would, per sending transport (told apart by its source
 * port): transport-wide congestion control feedback every 100 ms and a receiver report per
 * second (with LSR/DLSR of the last sender report, so mediasoup measures the RTT). Then
 * mediasoup's bandwidth estimation runs on every transport, and our allocator sees real
 * estimates and round-trip times, as with browsers. A third argument (us) reports each
 * packet that much later than the one before it, as a filling queue would (the test that
 * mediasoup reads the feedback uses it). It prints "packets bytes feedback-packets". */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#define BATCH 64
#define RING 4096 /* transport-wide sequence numbers remembered per transport */
#define MAX_FB 1000 /* packets described by one feedback at most */

struct peer {
  struct sockaddr_in addr;
  uint32_t media_ssrc;
  /* transport-wide cc */
  int have_twcc;
  uint16_t next_base; /* first sequence number not yet reported */
  uint16_t highest;
  int64_t arrival[RING]; /* us, -1: not received */
  uint8_t fb_count;
  int64_t queue_us; /* the simulated queue */
  /* receiver report */
  uint16_t max_seq;
  int have_seq;
  uint32_t cycles;
  uint32_t lsr;
  int64_t sr_at;
  int have_sr;
};

static struct peer *peers[65536]; /* by source port */
static struct peer *active[65536]; /* the ones seen, in order */
static int nactive;
static uint32_t own_ssrc = 0x5eed5eed;
static int64_t queue_growth_us = 0;

static int64_t now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v & 0xff; }
static void put32(uint8_t *p, uint32_t v) { p[0] = v >> 24; p[1] = (v >> 16) & 0xff; p[2] = (v >> 8) & 0xff; p[3] = v & 0xff; }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

static struct peer *peer_for(const struct sockaddr_in *from) {
  unsigned port = ntohs(from->sin_port);
  struct peer *p = peers[port];
  if (!p) {
    p = calloc(1, sizeof *p);
    if (!p) return NULL;
    for (int i = 0; i < RING; i++) p->arrival[i] = -1;
    p->addr = *from;
    peers[port] = p;
    active[nactive++] = p;
  }
  return p;
}

/* One RTP packet: its transport-wide sequence number and, for the media stream, its sequence. */
static void on_rtp(struct peer *p, const uint8_t *b, int len, int twcc_id, int64_t at) {
  if (len < 12) return;
  int cc = b[0] & 0x0f;
  uint16_t seq = get16(b + 2);
  uint32_t ssrc = get32(b + 8);
  if (!p->media_ssrc && ssrc != 1234) p->media_ssrc = ssrc; /* 1234: mediasoup's probator */
  if (ssrc == p->media_ssrc) {
    if (!p->have_seq) { p->max_seq = seq; p->have_seq = 1; }
    else if ((int16_t)(seq - p->max_seq) > 0) { if (seq < p->max_seq) p->cycles += 65536; p->max_seq = seq; }
  }
  int off = 12 + 4 * cc;
  if (!(b[0] & 0x10) || len < off + 4) return;
  uint16_t profile = get16(b + off);
  int words = get16(b + off + 2);
  int end = off + 4 + 4 * words;
  if (profile != 0xBEDE || end > len) return;
  for (int i = off + 4; i < end;) {
    int id = b[i] >> 4, l = (b[i] & 0x0f) + 1;
    if (id == 0) { i++; continue; } /* padding */
    if (id == 15) break;
    if (id == twcc_id && l == 2 && i + 3 <= end) {
      uint16_t tseq = get16(b + i + 1);
      if (!p->have_twcc) { p->have_twcc = 1; p->next_base = tseq; p->highest = tseq; }
      if ((int16_t)(tseq - p->next_base) < 0) return; /* already reported */
      if ((int16_t)(tseq - p->highest) > 0) p->highest = tseq;
      p->queue_us += queue_growth_us;
      p->arrival[tseq % RING] = at + p->queue_us;
      return;
    }
    i += 1 + l;
  }
}

/* A sender report: remembered for the next receiver report's LSR/DLSR. */
static void on_rtcp(struct peer *p, const uint8_t *b, int len, int64_t at) {
  for (int off = 0; off + 4 <= len;) {
    int pt = b[off + 1];
    int plen = (get16(b + off + 2) + 1) * 4;
    if (off + plen > len) return;
    if (pt == 200 && plen >= 28 && get32(b + off + 4) == p->media_ssrc) {
      p->lsr = get32(b + off + 10);
      p->sr_at = at;
      p->have_sr = 1;
    }
    off += plen;
  }
}

/* Transport-wide feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01) for every
 * sequence number from next_base to the highest seen: run-length chunks, then deltas. */
static int build_twcc(struct peer *p, uint8_t *out) {
  uint16_t count = (uint16_t)(p->highest - p->next_base + 1);
  if (count > MAX_FB) { p->next_base = (uint16_t)(p->highest - MAX_FB + 1); count = MAX_FB; }
  /* The reference time is the first received packet's arrival, in 64 ms units. */
  int64_t first = -1;
  for (uint16_t i = 0; i < count; i++) { int64_t a = p->arrival[(uint16_t)(p->next_base + i) % RING]; if (a >= 0) { first = a; break; } }
  if (first < 0) return 0;
  int64_t ref = first / 64000;
  uint8_t symbols[MAX_FB];
  int16_t deltas[MAX_FB];
  int64_t prev = ref * 64000;
  for (uint16_t i = 0; i < count; i++) {
    int64_t a = p->arrival[(uint16_t)(p->next_base + i) % RING];
    if (a < 0) { symbols[i] = 0; continue; }
    int64_t d = (a - prev) / 250; /* 250 us units */
    if (d > 32767) d = 32767;
    if (d < -32768) d = -32768;
    deltas[i] = (int16_t)d;
    symbols[i] = (d >= 0 && d <= 255) ? 1 : 2;
    prev += d * 250;
  }
  int n = 20;
  put32(out + 4, own_ssrc);
  put32(out + 8, p->media_ssrc);
  put16(out + 12, p->next_base);
  put16(out + 14, count);
  put32(out + 16, ((uint32_t)(ref & 0xffffff) << 8) | p->fb_count++);
  for (uint16_t i = 0; i < count;) {
    uint16_t run = 1;
    while (i + run < count && symbols[i + run] == symbols[i] && run < 8191) run++;
    put16(out + n, (uint16_t)((symbols[i] << 13) | run));
    n += 2;
    i += run;
  }
  for (uint16_t i = 0; i < count; i++) {
    if (symbols[i] == 1) out[n++] = (uint8_t)deltas[i];
    else if (symbols[i] == 2) { put16(out + n, (uint16_t)deltas[i]); n += 2; }
  }
  while (n % 4) out[n++] = 0;
  out[0] = 0x80 | 15;
  out[1] = 205;
  put16(out + 2, (uint16_t)(n / 4 - 1));
  for (uint16_t i = 0; i < count; i++) p->arrival[(uint16_t)(p->next_base + i) % RING] = -1;
  p->next_base = (uint16_t)(p->highest + 1);
  return n;
}

static int build_rr(struct peer *p, uint8_t *out, int64_t at) {
  out[0] = 0x81;
  out[1] = 201;
  put16(out + 2, 7);
  put32(out + 4, own_ssrc);
  put32(out + 8, p->media_ssrc);
  put32(out + 12, 0); /* fraction and cumulative lost: loopback loses nothing */
  put32(out + 16, p->cycles + p->max_seq);
  put32(out + 20, 0); /* jitter */
  put32(out + 24, p->have_sr ? p->lsr : 0);
  put32(out + 28, p->have_sr ? (uint32_t)(((at - p->sr_at) * 65536) / 1000000) : 0);
  return 32;
}

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: sink PORT [TWCC_EXTENSION_ID [QUEUE_GROWTH_US]]\n"); return 2; }
  int twcc_id = argc > 2 ? atoi(argv[2]) : 0;
  queue_growth_us = argc > 3 ? atoll(argv[3]) : 0;
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  int size = 16 << 20;
  setsockopt(s, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  struct timeval wait = { 0, 20 * 1000 };
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait); /* report even when idle */
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)atoi(argv[1]));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(s, (struct sockaddr *)&addr, sizeof addr) != 0) { perror("bind"); return 1; }
  static uint8_t bufs[BATCH][2048];
  static struct sockaddr_in from[BATCH];
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  for (int i = 0; i < BATCH; i++) {
    iov[i].iov_base = bufs[i];
    iov[i].iov_len = sizeof bufs[i];
    memset(&msgs[i], 0, sizeof msgs[i]);
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_name = &from[i];
    msgs[i].msg_hdr.msg_namelen = sizeof from[i];
  }
  unsigned long long packets = 0, bytes = 0, feedback = 0;
  int64_t last_print = now_us(), last_fb = last_print, last_rr = last_print;
  static uint8_t out[8192];
  printf("ready\n");
  fflush(stdout);
  for (;;) {
    int n = recvmmsg(s, msgs, BATCH, MSG_WAITFORONE, NULL);
    int64_t at = now_us();
    for (int i = 0; i < n; i++) {
      int len = (int)msgs[i].msg_len;
      msgs[i].msg_hdr.msg_namelen = sizeof from[i];
      packets++;
      bytes += len;
      if (!twcc_id || len < 2) continue;
      struct peer *p = peer_for(&from[i]);
      if (!p) continue;
      int pt = bufs[i][1];
      if (pt >= 200 && pt <= 206) on_rtcp(p, bufs[i], len, at);
      else on_rtp(p, bufs[i], len, twcc_id, at);
    }
    if (twcc_id && at - last_fb >= 100000) {
      int rr = at - last_rr >= 1000000;
      for (int k = 0; k < nactive; k++) {
        struct peer *p = active[k];
        if (!p->media_ssrc) continue;
        if (p->have_twcc && (int16_t)(p->highest - p->next_base) >= 0) {
          int len = build_twcc(p, out);
          if (len > 0 && sendto(s, out, len, 0, (struct sockaddr *)&p->addr, sizeof p->addr) == len) feedback++;
        }
        if (rr && p->have_seq) {
          int len = build_rr(p, out, at);
          sendto(s, out, len, 0, (struct sockaddr *)&p->addr, sizeof p->addr);
        }
      }
      last_fb = at;
      if (rr) last_rr = at;
    }
    if (at - last_print >= 1000000) {
      printf("%llu %llu %llu\n", packets, bytes, feedback);
      fflush(stdout);
      last_print = at;
    }
  }
}
