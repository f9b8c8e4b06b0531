#!/usr/bin/env bash
# Phase 45 on every node: the control-plane endpoint name resolves to a real control plane
# (joins discover through it): this node's own API server on a bootstrapped control plane,
# otherwise the first control plane that answers /healthz (control-plane-1 on a fresh
# cluster). A node added while control-plane-1 is down joins through another one.
# Inputs: API_ENDPOINT_NAME, CONTROL_PLANE_ADDRESSES, NODE_ADDRESS.
: "${API_ENDPOINT_NAME:?}" "${CONTROL_PLANE_ADDRESSES:?}" "${NODE_ADDRESS:?}"

point_api_endpoint "$(choose_api_endpoint)"
