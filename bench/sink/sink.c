/* A cheap receiver for the capacity bench: counts the UDP packets and bytes mediasoup
 * forwards to one port (SRTP is not decrypted: what we measure is the sender), and prints
 * "packets bytes" once a second. recvmmsg keeps its own CPU small. */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#define BATCH 64

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: sink PORT\n"); return 2; }
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  int size = 16 << 20;
  setsockopt(s, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  struct timeval wait = { 0, 100 * 1000 };
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait); /* report even when idle */
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)atoi(argv[1]));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(s, (struct sockaddr *)&addr, sizeof addr) != 0) { perror("bind"); return 1; }
  static char bufs[BATCH][2048];
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  for (int i = 0; i < BATCH; i++) {
    iov[i].iov_base = bufs[i];
    iov[i].iov_len = sizeof bufs[i];
    memset(&msgs[i], 0, sizeof msgs[i]);
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  unsigned long long packets = 0, bytes = 0;
  struct timespec last, now;
  clock_gettime(CLOCK_MONOTONIC, &last);
  printf("ready\n");
  fflush(stdout);
  for (;;) {
    int n = recvmmsg(s, msgs, BATCH, MSG_WAITFORONE, NULL);
    for (int i = 0; i < n; i++) { packets++; bytes += msgs[i].msg_len; }
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec > last.tv_sec) {
      printf("%llu %llu\n", packets, bytes);
      fflush(stdout);
      last = now;
    }
  }
}
