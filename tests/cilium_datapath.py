"""A Cilium-shaped datapath on one interface, made with the bpf() syscall (no clang needed).

Run inside a node's network namespace (`python cilium_datapath.py attach BPFFS DEV`), it
loads what Cilium's agent leaves on a native device and how it depends on its maps:

- a prog array pinned as `BPFFS/tc/globals/cilium_calls_netdev_<ifindex>` (Cilium's tail
  call map) whose entry 0 is a program that passes the packet;
- `cil_from_netdev`, which tail-calls into that map and drops the packet when the call
  misses, attached twice: as a tcx link pinned under `BPFFS/cilium/devices/DEV/links/`
  (Cilium 1.16+ on kernels with tcx) and as a legacy tc bpf filter (pref 1, handle 1, as
  older kernels get it).

When the last pin of a prog array goes, the kernel empties it: a map removed while the
program is still attached drops every packet on DEV, as a real Cilium leftover would.
`python cilium_datapath.py tcx DEV` prints how many tcx programs DEV has on ingress.
"""

from __future__ import annotations

import ctypes
import os
import platform
import struct
import subprocess
import sys

SYS_BPF = {"x86_64": 321, "aarch64": 280}.get(platform.machine(), 0)
"""The bpf() syscall number of this machine (0: not known here)."""
BPF_MAP_CREATE, BPF_MAP_UPDATE_ELEM, BPF_PROG_LOAD, BPF_OBJ_PIN = 0, 2, 5, 6
BPF_PROG_QUERY, BPF_LINK_CREATE = 16, 28
BPF_MAP_TYPE_PROG_ARRAY, BPF_PROG_TYPE_SCHED_CLS, BPF_TCX_INGRESS = 3, 3, 46
TC_ACT_OK, TC_ACT_SHOT, BPF_FUNC_TAIL_CALL = 0, 2, 12

_libc = ctypes.CDLL(None, use_errno=True)
_keep: list[ctypes.Array[ctypes.c_char]] = []


def _bpf(cmd: int, attr: bytes) -> tuple[int, bytes]:
    if not SYS_BPF:
        raise OSError(f"bpf(): no syscall number known for {platform.machine()}")
    buf = ctypes.create_string_buffer(attr, 128)
    result = _libc.syscall(SYS_BPF, cmd, buf, 128)
    if result < 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"bpf({cmd}): {os.strerror(errno)}")
    return result, buf.raw


def _address(data: bytes) -> int:
    buf = ctypes.create_string_buffer(data)
    _keep.append(buf)
    return ctypes.addressof(buf)


def _insn(code: int, dst: int = 0, src: int = 0, imm: int = 0) -> bytes:
    return struct.pack("<BBhi", code, dst | (src << 4), 0, imm)


def _load(name: str, code: bytes) -> int:
    attr = struct.pack(
        "<IIQQIIQII16s",
        BPF_PROG_TYPE_SCHED_CLS,
        len(code) // 8,
        _address(code),
        _address(b"GPL"),
        0,
        0,
        0,
        0,
        0,
        name.encode(),
    )
    return _bpf(BPF_PROG_LOAD, attr)[0]


def _pin(fd: int, path: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    _bpf(BPF_OBJ_PIN, struct.pack("<QII", _address(path.encode()), fd, 0))


def _ifindex(dev: str) -> int:
    with open(f"/sys/class/net/{dev}/ifindex", encoding="ascii") as f:
        return int(f.read())


def attach(bpffs: str, dev: str) -> None:
    """Load and attach the datapath on `dev`, pinning its map and tcx link in `bpffs`."""
    ifindex = _ifindex(dev)
    calls = _bpf(BPF_MAP_CREATE, struct.pack("<IIII", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 1))[0]
    passing = _load("cil_pass", _insn(0xB7, 0, imm=TC_ACT_OK) + _insn(0x95))
    key, value = ctypes.c_uint32(0), ctypes.c_uint32(passing)
    _bpf(
        BPF_MAP_UPDATE_ELEM,
        struct.pack("<IIQQQ", calls, 0, ctypes.addressof(key), ctypes.addressof(value), 0),
    )
    entry = _load(
        "cil_from_netdev",
        _insn(0x18, 2, 1, imm=calls)  # r2 = the prog array (64-bit load, two slots)
        + _insn(0)
        + _insn(0xB7, 3, imm=0)  # r3 = index 0
        + _insn(0x85, imm=BPF_FUNC_TAIL_CALL)  # tail call; falls through when it misses
        + _insn(0xB7, 0, imm=TC_ACT_SHOT)
        + _insn(0x95),
    )
    _pin(calls, f"{bpffs}/tc/globals/cilium_calls_netdev_{ifindex:05d}")
    link = _bpf(BPF_LINK_CREATE, struct.pack("<IIII", entry, ifindex, BPF_TCX_INGRESS, 0))[0]
    _pin(link, f"{bpffs}/cilium/devices/{dev}/links/cil_from_netdev")
    # tc takes a program by its pin; iproute2 names the filter after it.
    staged = f"{bpffs}/cil_from_netdev-{dev}"
    _pin(entry, staged)
    try:
        subprocess.run(["tc", "qdisc", "replace", "dev", dev, "clsact"], check=True)
        filter_add = ["tc", "filter", "add", "dev", dev, "ingress", "pref", "1", "handle", "1"]
        subprocess.run([*filter_add, "bpf", "da", "object-pinned", staged], check=True)
    finally:
        os.unlink(staged)


def tcx_programs(dev: str) -> int:
    """How many programs are attached to `dev`'s tcx ingress."""
    attr = struct.pack("<IIIIQI", _ifindex(dev), BPF_TCX_INGRESS, 0, 0, 0, 0)
    _, raw = _bpf(BPF_PROG_QUERY, attr)
    return int(struct.unpack_from("<I", raw, 24)[0])


if __name__ == "__main__":
    if sys.argv[1] == "attach":
        attach(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "tcx":
        print(tcx_programs(sys.argv[2]))
    else:
        raise SystemExit(f"usage: {sys.argv[0]} attach BPFFS DEV | tcx DEV")
