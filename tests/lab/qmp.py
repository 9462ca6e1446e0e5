#!/usr/bin/env python3
"""Take QEMU's dump-guest-memory of a running guest through QMP, then quit QEMU.

    qmp-dump.py SOCKET OUTPUT [elf|kdump-zlib]

paging=false: the guest's physical memory plus per-CPU register notes; no VMCOREINFO.
"""
import json
import socket
import sys


def main() -> int:
    sock_path, out, fmt = sys.argv[1], sys.argv[2], (sys.argv[3] if len(sys.argv) > 3 else "elf")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock_path)
    f = s.makefile("rw")

    def command(name: str, **args) -> dict:
        f.write(json.dumps({"execute": name, "arguments": args} if args else {"execute": name}))
        f.write("\n")
        f.flush()
        while True:  # skip asynchronous events until our answer
            reply = json.loads(f.readline())
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise SystemExit(f"qmp {name}: {reply['error'].get('desc', reply)}")

    json.loads(f.readline())  # greeting
    command("qmp_capabilities")
    command("dump-guest-memory", paging=False, protocol=f"file:{out}", format=fmt)
    try:
        command("quit")
    except (OSError, json.JSONDecodeError, ValueError):
        pass  # QEMU may close the socket before answering
    return 0


if __name__ == "__main__":
    sys.exit(main())
