#!/usr/bin/env python3
"""Opens one TUN device per emulated host, moves each into its network namespace,
configures its address and route, then execs the Node shaper with the TUN fds as
fds 3, 4, ... Node cannot issue the TUNSETIFF ioctl itself; everything else (the
shaping) lives in TypeScript. The TUN devices disappear when the shaper exits.

usage: tun-launcher.py NAME:NETNS:ADDR/PREFIX:ROUTE [...] -- node ARGS...
"""
import fcntl, os, struct, subprocess, sys

TUNSETIFF, IFF_TUN, IFF_NO_PI = 0x400454CA, 0x0001, 0x1000

def ip(*args):
    subprocess.run(["ip", *args], check=True)

def main():
    sep = sys.argv.index("--")
    specs, command = sys.argv[1:sep], sys.argv[sep + 1:]
    fds = []
    for spec in specs:
        name, netns, addr, route = spec.split(":")
        fd = os.open("/dev/net/tun", os.O_RDWR)
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
        ip("link", "set", name, "netns", netns)
        ip("-n", netns, "addr", "add", addr, "dev", name)
        ip("-n", netns, "link", "set", name, "mtu", "1500", "up")
        ip("-n", netns, "route", "add", route, "dev", name)
        fds.append(fd)
    # Hand the fds over as 3, 4, ... in order (dup2 clears O_CLOEXEC on the copies).
    tmp = [os.dup(fd) for fd in fds]
    for i, fd in enumerate(tmp):
        os.dup2(fd, 3 + i)
    env = dict(os.environ, UV_THREADPOOL_SIZE=str(len(fds) + 4))
    os.execvpe(command[0], command, env)

main()
