#!/usr/bin/env bash
set -euo pipefail
iptables -I INPUT -p tcp --dport ssh -j DROP
