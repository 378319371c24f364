"""Add network latency without netem: hold each packet of an NFQUEUE queue for a fixed time, then accept it.

Some kernels have neither netem nor fq (so no tc delay at all) but do have NFQUEUE. Run this inside a namespace
whose iptables rule sends packets to the queue, e.g. in a DC of the lab:
    iptables -I INPUT -s 198.18.77.1 -j NFQUEUE --queue-num 7
    python3 delay.py --queue 7 --ms 20
Packets leave in the order they came, each ``--ms`` after it came. The netlink protocol is spoken directly
(linux/netfilter/nfnetlink_queue.h), so nothing beyond Python is needed. Stops on SIGTERM or SIGINT and unbinds.
"""

import argparse
import collections
import os
import select
import signal
import socket
import struct
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET, NFQNL_MSG_VERDICT, NFQNL_MSG_CONFIG = 0, 1, 2
NFQA_PACKET_HDR, NFQA_VERDICT_HDR = 1, 2
NFQA_CFG_CMD, NFQA_CFG_PARAMS = 1, 2
NFQNL_CFG_CMD_BIND, NFQNL_CFG_CMD_UNBIND = 1, 2
NFQNL_COPY_META = 1
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2
NF_ACCEPT = 1


def _attr(kind, payload):
    """One netlink attribute, padded to 4 bytes."""
    length = 4 + len(payload)
    return struct.pack('=HH', length, kind) + payload + b'\0' * (-length % 4)


def message(msg_type, queue, attrs, flags=NLM_F_REQUEST):
    """A netlink message of the queue subsystem: header, nfgenmsg (AF_UNSPEC, version 0, the queue) and attributes."""
    body = struct.pack('=BBH', socket.AF_UNSPEC, 0, socket.htons(queue)) + b''.join(attrs)
    return struct.pack('=IHHII', 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | msg_type, flags, 0, 0) + body


def config(queue, command):
    return message(NFQNL_MSG_CONFIG, queue, [_attr(NFQA_CFG_CMD, struct.pack('!BxH', command, socket.AF_INET))],
                   NLM_F_REQUEST | NLM_F_ACK)


def verdict(queue, packet_id):
    return message(NFQNL_MSG_VERDICT, queue, [_attr(NFQA_VERDICT_HDR, struct.pack('!II', NF_ACCEPT, packet_id))])


def packet_ids(data):
    """The packet ids of the NFQNL_MSG_PACKET messages in one datagram; raises on a netlink error."""
    offset = 0
    while offset + 16 <= len(data):
        length, msg_type = struct.unpack_from('=IH', data, offset)
        if msg_type == NLMSG_ERROR:
            (code,) = struct.unpack_from('=i', data, offset + 16)
            if code:
                raise OSError(-code, 'nfqueue: %s' % os.strerror(-code))
        elif msg_type == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
            at = offset + 20
            while at + 4 <= offset + length:
                attr_len, kind = struct.unpack_from('=HH', data, at)
                if kind & 0x7fff == NFQA_PACKET_HDR:
                    yield struct.unpack_from('!I', data, at + 4)[0]
                at += (attr_len + 3) & ~3
        offset += (length + 3) & ~3


def run(queue, delay):
    """Hold each packet of ``queue`` for ``delay`` seconds, until SIGTERM or SIGINT."""
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    sock.bind((0, 0))
    sock.send(config(queue, NFQNL_CFG_CMD_BIND))
    list(packet_ids(sock.recv(65536)))  # the ack: raises when the queue is taken or unsupported
    sock.send(message(NFQNL_MSG_CONFIG, queue, [_attr(NFQA_CFG_PARAMS, struct.pack('!IB', 0, NFQNL_COPY_META))],
                      NLM_F_REQUEST | NLM_F_ACK))
    list(packet_ids(sock.recv(65536)))
    held = collections.deque()
    stop = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.append(True))
    print('delay: queue %d, %.1f ms' % (queue, delay * 1000), flush=True)
    while not stop:
        now = time.monotonic()
        while held and held[0][0] <= now:
            sock.send(verdict(queue, held.popleft()[1]))
        wait = max(0.0, held[0][0] - now) if held else 0.5
        try:
            ready = select.select([sock], [], [], wait)[0]
        except InterruptedError:
            continue
        if ready:
            due = time.monotonic() + delay
            held.extend((due, packet_id) for packet_id in packet_ids(sock.recv(65536)))
    while held:  # let what is held through
        sock.send(verdict(queue, held.popleft()[1]))
    sock.send(config(queue, NFQNL_CFG_CMD_UNBIND))
    sock.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--queue', type=int, required=True)
    parser.add_argument('--ms', type=float, required=True, help='how long each packet is held')
    args = parser.parse_args()
    run(args.queue, args.ms / 1000.0)


if __name__ == '__main__':
    main()
