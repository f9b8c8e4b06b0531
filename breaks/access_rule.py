"""The access-path rule: a break must leave SSH and Teleport working for fixers and host.

Reads the commands a script runs (`breaks.shell_words`: comments, quoting, variables,
substitutions, `bash -c` and here-documents understood) and flags the common ways to cut
access: stopping, disabling, masking or removing the SSH/Teleport service or package,
killing its processes, firewall rules and default-drop policies that drop the access
ports (by number, name or range) in iptables, iptables-restore, nftables, ufw and
firewalld, taking the network interface or the default route down, and breaking the
login user, its keys, its shell or sudo. What a static reading cannot see (a value
computed at run time, an encoded payload) is proven by the break lifecycle's access
check instead (`breaks.access_guard`).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass

from breaks.shell_words import Command, commands

SSH_PORT = 22
TELEPORT_PORTS = range(3022, 3027)
"""Teleport's node (3022), proxy SSH (3023), tunnel (3024), auth (3025) and Kubernetes (3026)."""
NODE_PORT = 3022
"""What a node listens on for Teleport (the other Teleport ports are on the proxy)."""
HTTPS_PORT = 443
"""Teleport's proxy and the agents' reverse tunnel (outbound)."""
ACCESS_PORTS = frozenset({SSH_PORT, HTTPS_PORT, *TELEPORT_PORTS})
_PORT_NAMES = {"ssh": 22, "https": 443}
HOST_FIREWALL_CHAIN = "KLUSTERED-FIREWALL"
"""The chain the cluster's host firewall phase owns (components.cluster.host_firewall):
it accepts the access ports, then drops; a rule inserted or deleted there cuts access."""
_NOT_INBOUND_CHAINS = ("FORWARD", "POSTROUTING")
"""Chains whose rules do not stand between the host and a node's SSH or Teleport (any
other chain may be jumped to from INPUT or OUTPUT)."""
_ACCESS_UNITS = ("ssh", "sshd", "openssh-server", "teleport", "teleport-*", "ssh@*")
_ACCESS_PROCESSES = ("sshd", "ssh", "teleport", "sshd-session", "sshd-auth")
_ACCESS_PACKAGES = ("openssh-server", "openssh-*", "ssh", "teleport", "teleport-*")
LOGIN_USERS = ("root", "klustered", "ubuntu", "debian", "admin")
"""Users the host and Teleport log in as (the GCP machines' user is `klustered`)."""
_OVERLAY_INTERFACES = (
    "lo", "cilium*", "cni*", "flannel*", "vxlan*", "lxc*", "veth*", "wg*", "kube*",
    "docker*", "br-*", "tunl*", "geneve*", "genev_sys*", "kl-*", "klustered*", "dummy*",
)  # fmt: skip
_PROTECTED = (
    "/etc/ssh",
    "/etc/ssh/*",
    "*/.ssh",
    "*/.ssh/*",
    "*authorized_keys*",
    "/run/sshd",
    "/usr/sbin/sshd",
    "/usr/lib/openssh/*",
    "/etc/teleport*",
    "/var/lib/teleport",
    "/var/lib/teleport/*",
    "/usr/local/bin/teleport",
    "/usr/bin/teleport",
    "/etc/systemd/system/ssh*",
    "/etc/systemd/system/teleport*",
    "/lib/systemd/system/ssh*",
    "/usr/lib/systemd/system/ssh*",
    "/etc/pam.d/sshd",
    "/etc/pam.d/common-*",
    "/etc/nologin",
    "/etc/hosts.deny",
    "/etc/security/access.conf",
    "/etc/passwd",
    "/etc/shadow",
    "/etc/sudoers",
    "/etc/sudoers.d",
    "/etc/sudoers.d/*",
    "/bin/bash",
    "/usr/bin/bash",
    "/bin/sh",
    "/usr/bin/sh",
    "/usr/bin/sudo",
    "/etc/ld.so.preload",
    "/root",
    "/home/*",
)
"""Files whose change can lock the host and fixers out (config, keys, binaries, users)."""
_WRITERS = {
    "rm", "unlink", "shred", "truncate", "chmod", "chown", "chgrp", "chattr", "setfacl",
    "touch", "tee", "dd", "install", "ln", "mv", "cp", "rsync", "mount", "sed", "perl",
    "find", "rmdir", "mkfifo",
}  # fmt: skip
"""Commands that change the files they name (sed and perl only with -i; cp/rsync/install
and ln only their destination)."""


@dataclass(frozen=True)
class AccessCut:
    """One way a script cuts access: the line of the command, why, and the command."""

    line: int
    reason: str
    command: str


def _matches(value: str, patterns: Iterable[str]) -> bool:
    value = value.removesuffix(".service").removesuffix(".socket")
    for pattern in patterns:
        if fnmatch.fnmatchcase(value, pattern):
            return True
        # The script's own glob (`ss*`, `[s]shd`) may name an access unit.
        if any(c in value for c in "*?[") and fnmatch.fnmatchcase(pattern.rstrip("*"), value):
            return True
    return False


def _ports(spec: str) -> set[int]:
    """Ports a spec names: `22`, `ssh`, `20:30`, `3000-3100`, `22,443`, `{ 22, 443 }`."""
    out: set[int] = set()
    for item in re.split(r"[,\s{}]+", spec.strip()):
        part = item.split("/")[0]
        if not part:
            continue
        bounds = re.split(r"[:-]", part, maxsplit=1)
        try:
            numbers = [int(b) if b else (0 if i == 0 else 65535) for i, b in enumerate(bounds)]
        except ValueError:
            if part in _PORT_NAMES:
                out.add(_PORT_NAMES[part])
            continue
        low, high = numbers[0], numbers[-1]
        out |= {p for p in ACCESS_PORTS if low <= p <= high}
    return out


def _options(words: list[str]) -> dict[str, str]:
    """`--opt value` / `-o value` / `--opt=value` pairs of a command line (last wins)."""
    out: dict[str, str] = {}
    i = 0
    while i < len(words):
        word = words[i]
        if word.startswith("-") and "=" in word:
            key, value = word.split("=", 1)
            out[key] = value
        elif word.startswith("-") and i + 1 < len(words) and not words[i + 1].startswith("-"):
            out[word] = words[i + 1]
            i += 1
        elif word.startswith("-"):
            out[word] = ""
        i += 1
    return out


# --- services and processes ----------------------------------------------------------

_STOP_VERBS = {"stop", "disable", "mask", "kill", "freeze", "reset-failed"}
_HALT_VERBS = {"poweroff", "halt", "kexec", "rescue", "emergency", "suspend", "hibernate"}


def _services(cmd: Command) -> str | None:
    words, name = cmd.words, cmd.name
    if name == "systemctl":
        args = [w for w in words[1:] if not w.startswith("-")]
        if not args:
            return None
        verb, units = args[0], args[1:]
        if verb in _HALT_VERBS:
            return f"systemctl {verb} takes the host down"
        if verb == "isolate" and units and not _matches(units[0], ("default*", "multi-user*")):
            return f"isolates {units[0]}, which stops SSH"
        if verb in _STOP_VERBS and any(_matches(u, _ACCESS_UNITS) for u in units):
            return f"{verb}s the SSH/Teleport service"
        if verb == "set-property" and units and _matches(units[0], _ACCESS_UNITS):
            return "limits the SSH/Teleport service's resources"
        return None
    verb = words[2] if len(words) >= 3 else ""
    unit = words[1] if len(words) >= 2 else ""
    stopping = verb in ("stop", "disable", "kill")
    if (
        name in ("service", "invoke-rc.d", "rc-service")
        and stopping
        and _matches(unit, _ACCESS_UNITS)
    ):
        return f"{verb}s the SSH/Teleport service"
    if name == "update-rc.d" and verb in ("disable", "remove") and _matches(unit, _ACCESS_UNITS):
        return "disables the SSH/Teleport service"
    if re.fullmatch(r"/etc/init\.d/(ssh|sshd|teleport)", words[0]) and unit in ("stop", "kill"):
        return "stops the SSH/Teleport service"
    if name in ("poweroff", "halt"):
        return f"{name} takes the host down"
    if name == "shutdown" and not any(w in ("-r", "--reboot", "-c") for w in words[1:]):
        return "shutdown takes the host down"
    if name in ("init", "telinit") and len(words) > 1 and words[1] in ("0", "1", "s", "S"):
        return f"{name} {words[1]} stops SSH"
    return None


def _processes(cmd: Command) -> str | None:
    words, name = cmd.words, cmd.name
    if name == "killall5":
        return "killall5 kills every process, SSH included"
    if name in ("pkill", "killall"):
        patterns: list[str] = []
        skip = False
        for word in words[1:]:
            if skip:
                skip = False
            elif word in ("-u", "-U", "-g", "-G", "-t", "-P", "-s", "--signal", "-n", "-o"):
                skip = True
            elif not word.startswith("-"):
                patterns.append(word)
        for pattern in patterns:
            for process in _ACCESS_PROCESSES:
                try:
                    hit = re.search(pattern, process) if name == "pkill" else None
                except re.error:
                    hit = None
                if hit or _matches(pattern, [process]) or _matches(process, [pattern]):
                    return f"{name} {pattern} kills the SSH/Teleport daemon"
    if name == "kill":
        rest = " ".join(words[1:])
        if re.search(r"(^|\s)-[-A-Z0-9]*\s+-1(\s|$)|(^|\s)-1(\s|$)", rest):
            return "kill -1 signals every process, SSH included"
        if re.search(r"(pidof|pgrep|pkill)[^)]*\b(sshd?|teleport)\b|/run/sshd\.pid", rest):
            return "kills the SSH/Teleport daemon"
    if name == "fuser" and any(
        w in ("-k", "--kill") or re.fullmatch(r"-\w*k\w*", w) for w in words
    ):
        targets = " ".join(w for w in words[1:] if not w.startswith("-"))
        if _ports(re.sub(r"/(tcp|udp)", "", targets)) or "sshd" in targets:
            return "fuser -k kills whatever holds an access port"
    return None


def _packages(cmd: Command) -> str | None:
    words, name = cmd.words, cmd.name
    if name in ("apt-get", "apt", "aptitude", "dpkg", "snap", "yum", "dnf"):
        removing = {"remove", "purge", "autoremove", "-r", "-P", "--remove", "--purge", "erase"}
        args = words[1:]
        packages = [w for w in args if not w.startswith("-")]
        if removing & set(args) and any(_matches(p, _ACCESS_PACKAGES) for p in packages):
            return "removes the SSH/Teleport package"
        if "install" in args and any(
            p.endswith("-") and _matches(p[:-1], _ACCESS_PACKAGES) for p in packages
        ):
            return "removes the SSH/Teleport package (install pkg-)"
    return None


# --- files and users ---------------------------------------------------------------


def _protected(path: str) -> bool:
    normal = re.sub(r"/+", "/", path.strip())
    if normal != "/" and normal.endswith("/"):
        normal = normal.rstrip("/")
    return any(fnmatch.fnmatchcase(normal, p) for p in _PROTECTED) or normal in ("~/.ssh", "~")


def _written_paths(cmd: Command) -> list[str]:
    """The paths a command changes (its redirections and, for writers, its arguments)."""
    paths = [t for op, t in cmd.redirects if op in (">", ">>", ">|", "&>", "&>>", "<>")]
    name, args = cmd.name, [w for w in cmd.words[1:] if not w.startswith("-")]
    options = cmd.words[1:]
    if name not in _WRITERS or not args:
        return paths
    if name in ("sed", "perl"):
        if not any(
            o.startswith("-i") or o.startswith("--in-place") or re.fullmatch(r"-\w*i\w*", o)
            for o in options
        ):
            return paths
        return paths + args[1:]
    if name in ("cp", "rsync", "install", "ln"):
        return paths + args[-1:]
    if name == "mv":
        return paths + args
    if name == "dd":
        return paths + [w[3:] for w in cmd.words if w.startswith("of=")]
    if name == "find":
        return paths + (args[:1] if {"-delete", "-exec"} & set(options) else [])
    if name == "mount":
        return paths + args[-1:]
    return paths + args


def _files(cmd: Command) -> str | None:
    for path in _written_paths(cmd):
        if _protected(path):
            return f"changes {path}, which SSH/Teleport or the login needs"
    return None


_USER_EDITS = {
    "usermod": {"-L", "--lock", "-e", "--expiredate", "-s", "--shell", "-d", "--home",
                "-l", "--login", "-p", "--password", "-U"},
    "passwd": {"-l", "--lock", "-d", "--delete", "-e", "--expire"},
    "chage": {"-E", "--expiredate"},
    "chsh": {"-s", "--shell"},
}  # fmt: skip


def _users(cmd: Command) -> str | None:
    name, words = cmd.name, cmd.words
    if name in ("userdel", "deluser"):
        users = [w for w in words[1:] if not w.startswith("-")]
        if any(u in LOGIN_USERS or u.startswith("$") for u in users):
            return "deletes the login user"
    if name in _USER_EDITS:
        flags = {w.split("=", 1)[0] for w in words[1:] if w.startswith("-")}
        if not flags & _USER_EDITS[name]:
            return None
        users = [w for w in words[1:] if not w.startswith("-")]
        user = users[-1] if users else "root"
        if user in LOGIN_USERS or user.startswith("$"):
            return f"{name} breaks the login of {user}"
    return None


# --- firewalls -------------------------------------------------------------------------


@dataclass
class _Firewall:
    """What the script does to the firewall so far (policies and allowances)."""

    drop_policy: bool = False
    allowed: set[int] | None = None
    reported: bool = False
    """A deny-by-default was reported already (ufw's `default deny` then `enable`)."""

    def allow(self, ports: set[int]) -> None:
        self.allowed = (self.allowed or set()) | ports

    def unprotected(self) -> set[int]:
        """Inbound access ports (SSH, Teleport's node port) the script does not accept."""
        return {SSH_PORT, NODE_PORT} - (self.allowed or set())


def _iptables_rule(args: list[str], state: _Firewall) -> str | None:
    """One iptables rule (argv after the program name, or an iptables-restore line)."""
    options = _options(args)
    table = options.get("-t", options.get("--table", "filter"))
    if table not in ("filter", "raw", "mangle"):
        return None
    for flag in ("-P", "--policy"):
        if flag in args:
            i = args.index(flag)
            chain, target = [*args[i + 1 : i + 3], "", ""][:2]
            if target in ("DROP", "REJECT") and chain in ("INPUT", "OUTPUT"):
                state.drop_policy = True
                if chain == "OUTPUT":
                    return "sets a DROP policy on OUTPUT: SSH replies and Teleport's tunnel die"
                missing = state.unprotected()
                if missing:
                    return f"sets a DROP policy on INPUT without accepting {_ranges(missing)} first"
            return None
    for flag in ("-F", "--flush", "-X"):
        if flag in args:
            i = args.index(flag)
            chain = args[i + 1] if i + 1 < len(args) and not args[i + 1].startswith("-") else ""
            if state.drop_policy and chain in ("", "INPUT", "OUTPUT"):
                return "flushes the rules that let SSH/Teleport through a DROP policy"
            return None
    chain, deleting = "", False
    for flag in ("-A", "--append", "-I", "--insert", "-R", "--replace", "-D", "--delete"):
        if flag in args:
            i = args.index(flag)
            chain = args[i + 1] if i + 1 < len(args) else ""
            deleting = flag in ("-D", "--delete")
    if not chain or chain.startswith(_NOT_INBOUND_CHAINS):
        return None
    target = options.get("-j", options.get("--jump", ""))
    ports: set[int] = set()
    port_given = False
    for key in ("--dport", "--dports", "--destination-port", "--sport", "--sports"):
        if key in options:
            port_given = True
            negated = f"! {key}" in " ".join(args)
            named = _ports(options[key])
            ports |= ({SSH_PORT, *TELEPORT_PORTS, HTTPS_PORT} - named) if negated else named
    if target == "ACCEPT" and deleting:
        if ports & {SSH_PORT, *TELEPORT_PORTS, HTTPS_PORT}:
            return f"deletes the rule that lets port(s) {_ranges(ports)} in"
        return None
    if target == "ACCEPT":
        if port_given and chain in ("INPUT", HOST_FIREWALL_CHAIN):
            state.allow(ports)
        return None
    if target not in ("DROP", "REJECT") or deleting:
        return None
    if port_given:
        return f"drops traffic to port(s) {_ranges(ports)}" if ports else None
    proto = options.get("-p", options.get("--protocol", "all"))
    narrowed = any(
        key in options for key in ("-s", "--source", "-d", "--destination", "-m", "--match")
    ) and options.get("-s", options.get("--source", "")) not in ("0.0.0.0/0", "::/0")
    interface = options.get("-i", options.get("--in-interface", options.get("-o", "")))
    if proto not in ("all", "tcp", "6") or narrowed:
        return None
    if interface and _matches(interface, _OVERLAY_INTERFACES):
        return None
    if chain not in ("INPUT", "OUTPUT", HOST_FIREWALL_CHAIN):
        return None
    what = "packet" if proto == "all" else f"{proto} packet"
    return f"drops every {what} on {chain}, SSH and Teleport included"


def _ranges(ports: set[int]) -> str:
    listed = sorted(ports)
    return ", ".join(str(p) for p in listed)


def _iptables(cmd: Command, state: _Firewall) -> str | None:
    if re.fullmatch(r"ip6?tables(-legacy|-nft)?", cmd.name):
        return _iptables_rule(cmd.words[1:], state)
    if re.fullmatch(r"ip6?tables(-legacy|-nft)?-restore", cmd.name):
        for body in cmd.heredocs:
            for line in body.splitlines():
                policy = re.match(r":(INPUT|OUTPUT)\s+(DROP|REJECT)", line.strip())
                if policy:
                    reason = _iptables_rule(["-P", policy.group(1), policy.group(2)], state)
                    if reason:
                        return reason
                elif line.strip().startswith("-"):
                    reason = _iptables_rule(line.split(), state)
                    if reason:
                        return reason
    return None


def _nft_text(text: str, state: _Firewall) -> str | None:
    flat = re.sub(r"\s+", " ", text)
    if re.search(r"\bflush ruleset\b", flat):
        return "flushes every nftables rule, the host firewall's accepts for SSH included"
    for match in re.finditer(
        r"(?:tcp|th|udp) (?:dport|sport) (\{[^}]*\}|\S+)[^;{}]*?\baccept\b", flat
    ):
        state.allow(_ports(match.group(1)))
    if re.search(r"\bhook (input|output)\b[^}]*\bpolicy drop\b", flat) or re.search(
        r"\bchain \S+ \S+ (input|output) \{[^}]*policy drop", flat
    ):
        state.drop_policy = True
        missing = state.unprotected()
        if missing:
            return f"sets a drop policy without accepting {_ranges(missing)}"
    if state.drop_policy and re.search(r"\bflush (chain|table)\b", flat):
        return "flushes the rules that let SSH/Teleport through a drop policy"
    for match in re.finditer(
        r"(?:tcp|th) (?:dport|sport) (\{[^}]*\}|\S+)[^;{}]*?\b(drop|reject)\b", flat
    ):
        ports = _ports(match.group(1))
        if ports:
            return f"drops traffic to port(s) {_ranges(ports)} in nftables"
    if re.search(r"\b(add|insert) rule \S+ \S+ (input|output) (counter )?(drop|reject)\b", flat):
        return "drops every packet in an input/output chain"
    return None


def _nft(cmd: Command, state: _Firewall) -> str | None:
    if cmd.name != "nft":
        return None
    text = " ".join(cmd.words[1:])
    if "-f" in cmd.words or "--file" in cmd.words:
        text += "\n" + "\n".join(cmd.heredocs)
    return _nft_text(text, state)


def _ufw(cmd: Command, state: _Firewall) -> str | None:
    if cmd.name != "ufw":
        return None
    args = [w for w in cmd.words[1:] if not w.startswith("--")]
    if not args:
        return None
    verb = args[0]
    if verb == "insert" and len(args) > 2:
        args, verb = args[2:], args[2]
    if verb == "allow":
        spec = " ".join(args[1:])
        ports = _ports(re.sub(r"\b(in|on|proto|tcp|udp|from|to|any|port)\b", " ", spec))
        if re.search(r"\b(OpenSSH|ssh)\b", spec):
            ports.add(SSH_PORT)
        state.allow(ports)
        return None
    direction = args[2] if len(args) > 2 else "incoming"
    denying = len(args) > 1 and args[1] in ("deny", "reject")
    if verb == "default" and denying and direction in ("incoming", "outgoing"):
        state.drop_policy = True
        if direction == "outgoing":
            return "denies outgoing traffic: Teleport's tunnel dies"
        missing = state.unprotected()
        if missing:
            state.reported = True
            return f"denies incoming traffic without allowing {_ranges(missing)}"
    if verb == "enable":
        missing = state.unprotected()
        if missing and not state.reported:
            return f"enables ufw (incoming denied) without allowing {_ranges(missing)}"
        return None
    if verb in ("deny", "reject") or (verb == "delete" and len(args) > 1 and args[1] == "allow"):
        spec = " ".join(args[1:])
        ports = _ports(re.sub(r"\b(in|out|on|proto|tcp|udp|from|to|any|port|allow)\b", " ", spec))
        if re.search(r"\b(OpenSSH|ssh)\b", spec):
            ports.add(SSH_PORT)
        if ports:
            return f"ufw {verb} {spec} cuts port(s) {_ranges(ports)}"
    return None


def _firewalld(cmd: Command) -> str | None:
    if cmd.name != "firewall-cmd":
        return None
    text = " ".join(cmd.words[1:])
    if re.search(
        r"--remove-service=?\s*ssh\b|--panic-on|--set-default-zone=?\s*(drop|block)", text
    ):
        return "firewalld stops letting SSH in"
    match = re.search(r"--remove-port=?\s*(\S+)", text)
    if match and _ports(match.group(1)):
        return "firewalld closes an access port"
    return None


# --- network ---------------------------------------------------------------------------

_IP_OBJECTS = {"link": "link", "l": "link", "li": "link", "lin": "link",
               "route": "route", "r": "route", "ro": "route", "rou": "route", "rout": "route",
               "address": "addr", "addr": "addr", "a": "addr", "ad": "addr", "add": "addr",
               "rule": "rule", "ru": "rule", "rul": "rule"}  # fmt: skip


def _network(cmd: Command) -> str | None:
    name, words = cmd.name, cmd.words
    if name in ("ifdown", "ifconfig"):
        iface = next((w for w in words[1:] if not w.startswith("-")), "")
        if (
            (name == "ifdown" or "down" in words)
            and iface
            and not _matches(iface, _OVERLAY_INTERFACES)
        ):
            return f"takes {iface} down"
    if name == "nmcli" and (("off" in words and "networking" in words) or "disconnect" in words):
        return "takes the network down"
    if name == "networkctl" and "down" in words:
        return "takes a network interface down"
    if name == "route" and "del" in words and "default" in words:
        return "deletes the default route"
    if name != "ip":
        return None
    args = [w for w in words[1:] if not w.startswith("-")]
    if not args:
        return None
    obj, rest = _IP_OBJECTS.get(args[0], args[0]), args[1:]
    verb = rest[0] if rest else ""
    if obj == "link" and verb in ("set", "s", "se", "del", "delete", "d"):
        iface = next((w for w in rest[1:] if w != "dev"), "")
        if _matches(iface, _OVERLAY_INTERFACES):
            return None
        if verb.startswith("d"):
            return f"deletes the interface {iface}"
        if "down" in rest:
            return f"takes {iface} down"
        if "mtu" in rest:
            mtu = rest[rest.index("mtu") + 1] if rest.index("mtu") + 1 < len(rest) else ""
            if mtu.isdigit() and int(mtu) < 576:
                return f"sets {iface}'s MTU to {mtu}: TCP cannot pass"
    if obj == "addr" and verb in ("flush", "f", "fl", "del", "delete", "d"):
        iface = rest[rest.index("dev") + 1] if "dev" in rest[:-1] else ""
        if not iface or not _matches(iface, _OVERLAY_INTERFACES):
            return f"removes the addresses of {iface or 'an interface'}"
    if obj == "route":
        target = " ".join(rest[1:])
        default = re.search(r"\b(default|0\.0\.0\.0/0|0/0)\b", target) or not rest[1:]
        if verb in ("del", "delete", "d", "de") and default:
            return "deletes the default route"
        if verb in ("flush", "f", "fl") and (
            not rest[1:] or re.search(r"\b(table (main|all|default)|default|0/0|all)\b", target)
        ):
            return "flushes the routing table"
        if verb in ("add", "a", "replace", "r", "change", "c") and default:
            if re.search(r"\b(blackhole|prohibit|unreachable|throw)\b", target):
                return "blackholes the default route"
            if verb not in ("add", "a"):
                return "replaces the default route"
    if (
        obj == "rule"
        and verb in ("add", "a")
        and re.search(r"\b(blackhole|prohibit|unreachable)\b", " ".join(rest))
    ):
        return "adds a policy rule that drops traffic"
    return None


def _tc(cmd: Command) -> str | None:
    if cmd.name != "tc":
        return None
    text = " ".join(cmd.words[1:])
    dev = re.search(r"\bdev (\S+)", text)
    if dev and _matches(dev.group(1), _OVERLAY_INTERFACES):
        return None
    loss = re.search(r"\bloss (?:random )?([0-9.]+)%", text)
    if "netem" in text and loss and float(loss.group(1)) >= 50:
        return f"drops {loss.group(1)}% of the host's packets"
    return None


# --- the rule ----------------------------------------------------------------------------

_FORK_BOMB = re.compile(r"([^\s(){}|&;]{1,64})\s*\(\)\s*\{\s*\1\s*\|\s*\1\s*&\s*\}\s*;\s*\1")


def access_cuts(text: str) -> list[AccessCut]:
    """Every command of `text` that would cut SSH or Teleport access, with its line."""
    out: list[AccessCut] = []
    state = _Firewall()
    if _FORK_BOMB.search(text):
        line = text[: _FORK_BOMB.search(text).start()].count("\n") + 1  # type: ignore[union-attr]
        out.append(AccessCut(line, "a fork bomb: no process can start, SSH logins included", ""))
    for cmd in commands(text):
        if not cmd.words and not cmd.redirects:
            continue
        checks = (
            _services(cmd) if cmd.words else None,
            _processes(cmd) if cmd.words else None,
            _packages(cmd) if cmd.words else None,
            _files(cmd),
            _users(cmd) if cmd.words else None,
            _iptables(cmd, state) if cmd.words else None,
            _nft(cmd, state) if cmd.words else None,
            _ufw(cmd, state) if cmd.words else None,
            _firewalld(cmd) if cmd.words else None,
            _network(cmd) if cmd.words else None,
            _tc(cmd) if cmd.words else None,
        )
        reason = next((r for r in checks if r), None)
        if reason:
            out.append(AccessCut(cmd.line, reason, " ".join(cmd.words)))
    return out
