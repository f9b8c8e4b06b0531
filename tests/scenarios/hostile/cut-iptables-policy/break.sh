#!/usr/bin/env bash
set -euo pipefail
iptables -P INPUT DROP
