#!/usr/bin/env bash
set -euo pipefail
iptables -I INPUT -p tcp --dport 10250 -j DROP
