#!/usr/bin/env python3
"""Drive a lab guest's QEMU through QMP.

    qmp.py SOCKET dump OUTPUT [elf|kdump-zlib]   dump-guest-memory of the guest, then quit QEMU
    qmp.py SOCKET nmi                            inject an NMI into every CPU (the guest goes on)

dump: paging=false, the guest's physical memory plus per-CPU register notes; no VMCOREINFO.
"""
import json
import socket
import sys


def main() -> int:
    sock_path, action = sys.argv[1], sys.argv[2]
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
    if action == "nmi":
        command("inject-nmi")
        return 0
    if action != "dump":
        raise SystemExit(f"qmp.py: unknown action {action}")
    out, fmt = sys.argv[3], (sys.argv[4] if len(sys.argv) > 4 else "elf")
    command("dump-guest-memory", paging=False, protocol=f"file:{out}", format=fmt)
    try:
        command("quit")
    except (OSError, json.JSONDecodeError, ValueError):
        pass  # QEMU may close the socket before answering
    return 0


if __name__ == "__main__":
    sys.exit(main())
