#!/usr/bin/env bash
# Phase 80 on control-plane-1: print the admin kubeconfig on stdout (a secret output). Reads only.
# Inputs: none.
[ -s /etc/kubernetes/admin.conf ] || die "no /etc/kubernetes/admin.conf: run kubeadm init first"
cat /etc/kubernetes/admin.conf
