#!/usr/bin/env bash
set -euo pipefail
apt-get purge -y openssh-server
