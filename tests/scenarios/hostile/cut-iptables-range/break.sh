#!/usr/bin/env bash
set -euo pipefail
iptables -A INPUT -p tcp -m multiport --dports 3000:3100 -j REJECT
