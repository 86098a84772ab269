/*
 * LD_PRELOAD shim for tests: hdhomerun_config always sends discovery to UDP port 65001 (compiled into
 * libhdhomerun). When a test cannot bind 65001, it runs the tool with this shim and HDHR_DISCOVER_PORT=<port>, and
 * every sendto() towards port 65001 goes to that port instead. Nothing else changes.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/types.h>
typedef ssize_t (*sendto_fn)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr, socklen_t alen) {
  static sendto_fn real;
  if (!real) real = (sendto_fn)dlsym(RTLD_NEXT, "sendto");
  const char *port = getenv("HDHR_DISCOVER_PORT");
  if (port && addr && addr->sa_family == AF_INET && ntohs(((const struct sockaddr_in *)addr)->sin_port) == 65001) {
    struct sockaddr_in moved = *(const struct sockaddr_in *)addr;
    moved.sin_port = htons((unsigned short)atoi(port));
    return real(fd, buf, len, flags, (const struct sockaddr *)&moved, sizeof moved);
  }
  return real(fd, buf, len, flags, addr, alen);
}
