"""The access-path rule reads scripts as bash does: what cuts SSH/Teleport, and what does not."""

from __future__ import annotations

import pytest

from breaks.access_rule import access_cuts
from breaks.shell_words import commands

CUTS = [
    # services, in any quoting or spelling
    "systemctl stop ssh",
    "systemctl stop sshd.service",
    "systemctl disable --now ssh.socket",
    "systemctl mask teleport",
    "systemctl kill -s KILL ssh",
    "systemctl isolate rescue.target",
    "systemctl poweroff",
    "sudo -n /usr/bin/systemctl stop ssh",
    "s\"y\"stemctl stop 'ss'h",
    "\\systemctl stop ssh",
    "systemctl stop $'\\x73\\x73h'",
    'svc=ssh; systemctl stop "$svc"',
    "systemctl stop ${UNIT:-sshd}",
    "systemctl stop $(echo ssh)",
    "systemctl stop 'ss*'",
    "timeout 10 nohup env A=b systemctl stop ssh &",
    "bash -c 'systemctl stop ssh'",
    'sh -c "service ssh stop"',
    "eval 'systemctl stop teleport'",
    "bash <<EOF\nsystemctl stop ssh\nEOF",
    "service ssh stop",
    "/etc/init.d/ssh stop",
    "update-rc.d ssh disable",
    "shutdown -h now",
    "init 1",
    # processes
    "pkill sshd",
    "pkill -9 -f 'ss.d'",
    "killall -KILL teleport",
    "kill -9 $(pidof sshd)",
    "kill `pgrep -f teleport`",
    "kill -9 -1",
    "killall5 -9",
    "fuser -k 22/tcp",
    # packages
    "apt-get purge -y openssh-server",
    "DEBIAN_FRONTEND=noninteractive apt-get remove -y teleport",
    "dpkg -P openssh-server",
    "apt-get install -y openssh-server-",
    # files, keys and users
    "echo 'PermitRootLogin no' >> /etc/ssh/sshd_config",
    "sed -i 's/^Port 22/Port 2222/' /etc/ssh/sshd_config",
    "rm -f /root/.ssh/authorized_keys",
    "truncate -s0 /home/klustered/.ssh/authorized_keys",
    "chmod 000 /etc/ssh/ssh_host_ed25519_key",
    "chmod 777 /root",
    "mv /usr/sbin/sshd /usr/sbin/sshd.bak",
    "rm -rf /var/lib/teleport",
    "cat > /etc/teleport.yaml <<'EOF'\nversion: v3\nEOF",
    "touch /etc/nologin",
    "echo 'sshd: ALL' >> /etc/hosts.deny",
    "chmod -x /usr/bin/sudo",
    "rm /etc/sudoers.d/90-cloud-init-users",
    "usermod -L root",
    "usermod -s /usr/sbin/nologin klustered",
    "passwd -l",
    "userdel -r klustered",
    "chage -E 0 ubuntu",
    # firewalls
    "iptables -A INPUT -p tcp --dport 22 -j DROP",
    "iptables -I INPUT 1 -p tcp --dport ssh -j REJECT",
    "iptables -A INPUT -p tcp -m multiport --dports 3000:3100 -j DROP",
    "iptables -A INPUT -p tcp -m multiport --dports 80,443 -j DROP",
    "iptables -A INPUT -p tcp ! --dport 80 -j DROP",
    "iptables -A INPUT -j DROP",
    "iptables -P INPUT DROP",
    "iptables -P OUTPUT DROP",
    "iptables -P INPUT DROP\niptables -I INPUT -p tcp --dport 22 -j ACCEPT\niptables -F INPUT",
    "ip6tables -A INPUT -p tcp --dport 22 -j DROP",
    "iptables -I KLUSTERED-FIREWALL 1 -p tcp --dport 22 -j DROP",
    "iptables -I KLUSTERED-FIREWALL -j DROP",
    "iptables -D KLUSTERED-FIREWALL -p tcp --dport 22 -j ACCEPT",
    "iptables -t filter -A some-custom-chain -p tcp --dport 3022 -j REJECT",
    "iptables -I KUBE-FIREWALL -p tcp --dport 22 -j DROP",
    "iptables-restore <<'EOF'\n*filter\n:INPUT DROP [0:0]\nCOMMIT\nEOF",
    "iptables-restore <<EOF\n*filter\n-A INPUT -p tcp --dport 22 -j DROP\nCOMMIT\nEOF",
    "nft flush ruleset",
    "nft add rule inet filter input tcp dport { 22, 3022-3026 } drop",
    "nft add rule inet filter input tcp dport ssh reject",
    "nft add chain inet filter input '{ type filter hook input priority 0; policy drop; }'",
    "nft -f - <<'EOF'\ntable inet f {\n chain input {\n"
    "  type filter hook input priority 0; policy drop;\n }\n}\nEOF",
    "ufw enable",
    "ufw --force enable",
    "ufw default deny incoming",
    "ufw default deny outgoing",
    "ufw deny ssh",
    "ufw deny 22/tcp",
    "ufw insert 1 deny proto tcp to any port 3022",
    "ufw delete allow OpenSSH",
    "firewall-cmd --remove-service=ssh",
    "firewall-cmd --set-default-zone=drop",
    # interfaces and routes
    "ip link set eth0 down",
    "ip l s dev ens4 down",
    "ifdown eth0",
    "ifconfig eth0 down",
    "ip addr flush dev eth0",
    "ip route del default",
    "ip r d default",
    "ip route flush table main",
    "ip route replace blackhole default",
    "ip route add unreachable 0.0.0.0/0",
    "ip rule add prohibit",
    "route del default",
    "nmcli networking off",
    "ip link set eth0 mtu 100",
    "tc qdisc add dev eth0 root netem loss 100%",
    ":(){ :|:& };:",
]

SAFE = [
    "# systemctl stop ssh",
    "echo 'systemctl stop ssh'",
    'echo "iptables -A INPUT -p tcp --dport 22 -j DROP"  # a hint, not a command',
    "printf '%s\\n' 'pkill sshd'",
    "cat <<'EOF'\nsystemctl stop ssh\nEOF",
    "systemctl restart ssh",
    "systemctl stop kubelet",
    "systemctl stop containerd",
    "systemctl disable --now etcd",
    "pkill kube-apiserver",
    "killall -9 kubelet",
    "grep -q PermitRootLogin /etc/ssh/sshd_config",
    "sed -n '1p' /etc/ssh/sshd_config",
    "cp /etc/ssh/sshd_config /tmp/sshd_config.bak",
    "cat /root/.ssh/authorized_keys >/dev/null",
    "chmod -x /usr/bin/kubectl",
    "rm -f /etc/kubernetes/manifests/kube-scheduler.yaml",
    "echo 'net.ipv4.ip_forward=0' > /etc/sysctl.d/99-zz.conf",
    "iptables -A INPUT -p tcp --dport 10250 -j DROP",
    "iptables -I INPUT -p tcp --dport 6443 -j REJECT",
    "iptables -A INPUT -m conntrack --ctstate INVALID -j DROP",
    "iptables -A INPUT -s 10.0.0.5 -j DROP",
    "iptables -A FORWARD -j DROP",
    "iptables -A FORWARD -p tcp --dport 22 -j DROP",
    "iptables -D KLUSTERED-FIREWALL -p tcp --dport 6443 -j ACCEPT",
    "iptables -A INPUT -p udp --dport 8472 -j DROP",
    "iptables -A INPUT -i cilium_vxlan -j DROP",
    "iptables -F",
    "iptables -F KUBE-SERVICES",
    "nft add rule inet filter input tcp dport 10250 drop",
    "ufw allow 22/tcp\nufw allow 3022/tcp\nufw --force enable",
    "ufw allow OpenSSH\nufw allow 3022\nufw default deny incoming\nufw enable",
    "iptables -I INPUT -p tcp --dport 22 -j ACCEPT\n"
    "iptables -I INPUT -p tcp --dport 3022 -j ACCEPT\niptables -P INPUT DROP",
    "ufw deny 10250/tcp",
    "ip link set cilium_host down",
    "ip link set wg0 down",
    "ip link del cni0",
    "ip route del 10.244.1.0/24",
    "ip route add 10.96.0.0/12 via 10.0.0.1",
    "tc qdisc add dev eth0 root netem delay 200ms",
    "tc qdisc add dev eth0 root netem loss 5%",
    "shutdown -r +1",
    "usermod -L kube",
    "apt-get remove -y kubelet",
    "kubectl -n default delete svc ssh-bastion",
]


@pytest.mark.parametrize("script", CUTS)
def test_a_way_to_cut_access_is_caught(script: str) -> None:
    assert access_cuts(script), script


@pytest.mark.parametrize("script", SAFE)
def test_a_script_that_keeps_access_is_not_flagged(script: str) -> None:
    assert access_cuts(script) == [], [c.reason for c in access_cuts(script)]


def test_the_cut_is_reported_at_the_line_of_its_command() -> None:
    script = "set -euo pipefail\n# comment\nkubectl get nodes\n\\\n  systemctl stop ssh\n"
    assert [cut.line for cut in access_cuts(script)] == [5]


def test_a_nested_command_is_reported_at_its_own_line() -> None:
    script = "true\nbash -c '\nsystemctl stop ssh\n'\n"
    assert [cut.line for cut in access_cuts(script)] == [3]


def test_an_encoded_payload_is_left_to_the_lifecycle_check() -> None:
    # Statically unknowable: the Break's access check proves it on the node instead.
    assert access_cuts('eval "$(echo c3lzdGVtY3RsIHN0b3Agc3No | base64 -d)"') == []


def test_the_tokenizer_keeps_quoted_text_as_one_word() -> None:
    [cmd] = commands("echo 'a; b' \"c $X\" d\\ e # f")
    assert cmd.words == ["echo", "a; b", "c $X", "d e"]


def test_nesting_is_bounded() -> None:
    script = "bash -c " * 50 + "'systemctl stop ssh'"
    commands(script)  # returns without a RecursionError
