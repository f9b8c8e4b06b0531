"""Teleport's teleport.yaml (config v3) and resource field trees, and checks (tests only).

Written from Teleport's own Go types, in the v18-era sources stored for
gravitational/teleport:
  lib/config/fileconf.go            FileConfig, Global, JoinParams, Log, Service, Auth,
                                    AuthenticationConfig, Proxy, ACME, KeyPair, SSH, ...
                                    (the version with MCP app config, stable_unix_user_config
                                    and hardware_key.pin_cache_ttl; read by yaml.UnmarshalStrict,
                                    so an unknown key stops teleport from starting)
  api/proto/teleport/legacy/types/types.proto (commit 0003e5444d6e9318e020cf2109dcdc9b42f78959)
                                    RoleV6, RoleSpecV6, RoleOptions, RoleConditions,
                                    SessionJoinPolicy, KubernetesResource, Rule,
                                    GithubConnectorV3, GithubConnectorSpecV3, TeamRolesMapping
Only the sections this project renders are spelled out; the other top-level services are
MAP (never rendered). The pinned release (DEFAULT_TELEPORT_VERSION) is newer than these
sources may be: fields only ever get added within a major, and every field we set exists
since Teleport 15.
"""

from __future__ import annotations

from typing import Any

import yaml

from tests.kubeadm_v1beta4 import LEAF, MAP, unknown_keys

SERVICE = {"enabled": LEAF, "listen_addr": LEAF}
KEY_PAIR = [{"key_file": LEAF, "cert_file": LEAF}]
LOG = {"output": LEAF, "severity": LEAF, "format": {"output": LEAF, "extra_fields": LEAF}}

GLOBAL = {
    "nodename": LEAF,
    "data_dir": LEAF,
    "pid_file": LEAF,
    "join_params": {"token_name": LEAF, "method": LEAF, "azure": {"client_id": LEAF}},
    "auth_servers": LEAF,
    "auth_token": LEAF,
    "auth_server": LEAF,
    "proxy_server": LEAF,
    "connection_limits": {
        "max_connections": LEAF,
        "rates": [{"period": LEAF, "average": LEAF, "burst": LEAF}],
        "max_users": LEAF,
    },
    "log": LOG,
    "storage": MAP,
    "advertise_ip": LEAF,
    "cache": {"type": LEAF, "enabled": LEAF, "ttl": LEAF, "max_backoff": LEAF},
    "ciphersuites": LEAF,
    "ciphers": LEAF,
    "kex_algos": LEAF,
    "mac_algos": LEAF,
    "ca_signature_algo": LEAF,
    "ca_pin": LEAF,
    "diag_addr": LEAF,
}

AUTHENTICATION = {
    "type": LEAF,
    "second_factor": LEAF,
    "second_factors": LEAF,
    "connector_name": LEAF,
    "u2f": {"app_id": LEAF, "facets": LEAF, "device_attestation_cas": LEAF},
    "webauthn": {
        "rp_id": LEAF,
        "attestation_allowed_cas": LEAF,
        "attestation_denied_cas": LEAF,
        "disabled": LEAF,
    },
    "require_session_mfa": LEAF,
    "locking_mode": LEAF,
    "local_auth": LEAF,
    "passwordless": LEAF,
    "headless": LEAF,
    "device_trust": {"mode": LEAF, "auto_enroll": LEAF, "ekcert_allowed_cas": LEAF},
    "default_session_ttl": LEAF,
    "piv_slot": LEAF,
    "hardware_key": {
        "piv_slot": LEAF,
        "serial_number_validation": {"enabled": LEAF, "serial_number_trait_name": LEAF},
        "pin_cache_ttl": LEAF,
    },
    "signature_algorithm_suite": LEAF,
    "stable_unix_user_config": {"enabled": LEAF, "first_uid": LEAF, "last_uid": LEAF},
}

AUTH = {
    **SERVICE,
    "proxy_protocol": LEAF,
    "cluster_name": LEAF,
    "tokens": LEAF,
    "authentication": AUTHENTICATION,
    "session_recording": LEAF,
    "proxy_checks_host_keys": LEAF,
    "license_file": LEAF,
    "reverse_tunnels": [{"domain_name": LEAF, "addresses": LEAF}],
    "public_addr": LEAF,
    "client_idle_timeout": LEAF,
    "disconnect_expired_cert": LEAF,
    "session_control_timeout": LEAF,
    "kubeconfig_file": LEAF,
    "keep_alive_interval": LEAF,
    "keep_alive_count_max": LEAF,
    "client_idle_timeout_message": LEAF,
    "message_of_the_day": LEAF,
    "web_idle_timeout": LEAF,
    "ca_key_params": MAP,
    "proxy_listener_mode": LEAF,
    "routing_strategy": LEAF,
    "tunnel_strategy": MAP,
    "proxy_ping_interval": LEAF,
    "case_insensitive_routing": LEAF,
    "ssh_dial_timeout": LEAF,
    "load_all_cas": LEAF,
    "hosted_plugins": MAP,
    "access_monitoring": MAP,
}

PROXY = {
    **SERVICE,
    "web_listen_addr": LEAF,
    "tunnel_listen_addr": LEAF,
    "peer_listen_addr": LEAF,
    "peer_public_addr": LEAF,
    "https_key_file": LEAF,
    "https_cert_file": LEAF,
    "proxy_protocol": LEAF,
    "proxy_protocol_allow_downgrade": LEAF,
    "kubernetes": {
        **SERVICE,
        "public_addr": LEAF,
        "kubeconfig_file": LEAF,
        "cluster_name": LEAF,
    },
    "kube_listen_addr": LEAF,
    "kube_public_addr": LEAF,
    "public_addr": LEAF,
    "ssh_public_addr": LEAF,
    "tunnel_public_addr": LEAF,
    "https_keypairs": KEY_PAIR,
    "https_keypairs_reload_interval": LEAF,
    "acme": {"enabled": LEAF, "email": LEAF, "uri": LEAF},
    "mysql_listen_addr": LEAF,
    "mysql_public_addr": LEAF,
    "mysql_server_version": LEAF,
    "postgres_listen_addr": LEAF,
    "postgres_public_addr": LEAF,
    "mongo_listen_addr": LEAF,
    "mongo_public_addr": LEAF,
    "idp": {"saml": {"enabled": LEAF, "base_url": LEAF}},
    "ui": {"scrollback_lines": LEAF, "show_resources": LEAF},
    "trust_x_forwarded_for": LEAF,
    "automatic_upgrades_channels": MAP,
}

SSH = {
    **SERVICE,
    "namespace": LEAF,
    "labels": MAP,
    "commands": [{"name": LEAF, "command": LEAF, "period": LEAF}],
    "permit_user_env": LEAF,
    "pam": {"enabled": LEAF, "service_name": LEAF, "use_pam_auth": LEAF, "environment": MAP},
    "public_addr": LEAF,
    "enhanced_recording": {
        "enabled": LEAF,
        "command_buffer_size": LEAF,
        "disk_buffer_size": LEAF,
        "network_buffer_size": LEAF,
        "cgroup_path": LEAF,
        "root_path": LEAF,
    },
    "restricted_session": {"enabled": LEAF, "events_buffer_size": LEAF},
    "port_forwarding": LEAF,
    "x11": {"enabled": LEAF, "display_offset": LEAF, "max_display": LEAF},
    "ssh_file_copy": LEAF,
    "disable_create_host_user": LEAF,
    "force_listen": LEAF,
}

FILE_CONFIG = {
    "version": LEAF,
    "teleport": GLOBAL,
    "auth_service": AUTH,
    "ssh_service": SSH,
    "proxy_service": PROXY,
    # Services this project never renders: any mapping passes.
    "kubernetes_service": MAP,
    "app_service": MAP,
    "db_service": MAP,
    "metrics_service": MAP,
    "debug_service": MAP,
    "windows_desktop_service": MAP,
    "tracing_service": MAP,
    "discovery_service": MAP,
    "okta_service": MAP,
    "jamf_service": MAP,
    "plugin_service": MAP,
    "access_graph": MAP,
}

METADATA = {
    "name": LEAF,
    "description": LEAF,
    "labels": MAP,
    "expires": LEAF,
    "revision": LEAF,
}
HEADER = {"kind": LEAF, "sub_kind": LEAF, "version": LEAF, "metadata": METADATA}

ROLE_OPTIONS = {
    "forward_agent": LEAF,
    "max_session_ttl": LEAF,
    "port_forwarding": LEAF,
    "cert_format": LEAF,
    "client_idle_timeout": LEAF,
    "disconnect_expired_cert": LEAF,
    "enhanced_recording": LEAF,
    "permit_x11_forwarding": LEAF,
    "max_connections": LEAF,
    "max_sessions": LEAF,
    "request_access": LEAF,
    "request_prompt": LEAF,
    "lock": LEAF,
    "record_session": {"desktop": LEAF, "default": LEAF, "ssh": LEAF},
    "desktop_clipboard": LEAF,
    "cert_extensions": [{"type": LEAF, "mode": LEAF, "name": LEAF, "value": LEAF}],
    "max_kubernetes_connections": LEAF,
    "desktop_directory_sharing": LEAF,
    "create_host_user": LEAF,
    "pin_source_ip": LEAF,
    "ssh_file_copy": LEAF,
    "require_session_mfa": LEAF,
    "device_trust_mode": LEAF,
    "idp": MAP,
    "create_desktop_user": LEAF,
    "create_db_user": LEAF,
    "create_host_user_mode": LEAF,
    "create_db_user_mode": LEAF,
    "mfa_verification_interval": LEAF,
    "create_host_user_default_shell": LEAF,
    "ssh_port_forwarding": {"local": {"enabled": LEAF}, "remote": {"enabled": LEAF}},
}

ROLE_CONDITIONS = {
    "logins": LEAF,
    "node_labels": MAP,
    "rules": [{"resources": LEAF, "verbs": LEAF, "where": LEAF, "actions": LEAF}],
    "kubernetes_groups": LEAF,
    "request": MAP,
    "kubernetes_users": LEAF,
    "app_labels": MAP,
    "cluster_labels": MAP,
    "kubernetes_labels": MAP,
    "db_labels": MAP,
    "db_names": LEAF,
    "db_users": LEAF,
    "impersonate": {"users": LEAF, "roles": LEAF, "where": LEAF},
    "review_requests": MAP,
    "aws_role_arns": LEAF,
    "windows_desktop_logins": LEAF,
    "windows_desktop_labels": MAP,
    "require_session_join": [
        {
            "name": LEAF,
            "filter": LEAF,
            "kinds": LEAF,
            "count": LEAF,
            "modes": LEAF,
            "on_leave": LEAF,
        }
    ],
    "join_sessions": [{"name": LEAF, "roles": LEAF, "kinds": LEAF, "modes": LEAF}],
    "host_groups": LEAF,
    "host_sudoers": LEAF,
    "azure_identities": LEAF,
    "kubernetes_resources": [{"kind": LEAF, "namespace": LEAF, "name": LEAF, "verbs": LEAF}],
    "gcp_service_accounts": LEAF,
    "db_service_labels": MAP,
    "group_labels": MAP,
    "desktop_groups": LEAF,
    "db_roles": LEAF,
    "node_labels_expression": LEAF,
    "app_labels_expression": LEAF,
    "cluster_labels_expression": LEAF,
    "kubernetes_labels_expression": LEAF,
    "db_labels_expression": LEAF,
    "db_service_labels_expression": LEAF,
    "windows_desktop_labels_expression": LEAF,
    "group_labels_expression": LEAF,
    "db_permissions": [{"permissions": LEAF, "match": MAP}],
    "spiffe": [{"path": LEAF, "dns_sans": LEAF, "ip_sans": LEAF}],
    "account_assignments": [{"permission_set": LEAF, "account": LEAF}],
    "github_permissions": [{"orgs": LEAF}],
    "workload_identity_labels": MAP,
    "workload_identity_labels_expression": LEAF,
}

ROLE_V7 = {
    **HEADER,
    "spec": {"options": ROLE_OPTIONS, "allow": ROLE_CONDITIONS, "deny": ROLE_CONDITIONS},
}

GITHUB_CONNECTOR_V3 = {
    **HEADER,
    "spec": {
        "client_id": LEAF,
        "client_secret": LEAF,
        "redirect_url": LEAF,
        "teams_to_logins": [
            {
                "organization": LEAF,
                "team": LEAF,
                "logins": LEAF,
                "kubernetes_groups": LEAF,
                "kubernetes_users": LEAF,
            }
        ],
        "display": LEAF,
        "teams_to_roles": [{"organization": LEAF, "team": LEAF, "roles": LEAF}],
        "endpoint_url": LEAF,
        "api_endpoint_url": LEAF,
        "client_redirect_settings": {
            "allowed_https_hostnames": LEAF,
            "insecure_allowed_cidr_ranges": LEAF,
        },
    },
}

RESOURCES = {("role", "v7"): ROLE_V7, ("github", "v3"): GITHUB_CONNECTOR_V3}

# Values the types only accept from a fixed set (types.go / constants.go of the same era).
AUTH_TYPES = {"local", "github", "oidc", "saml"}
LISTENER_MODES = {"separate", "multiplex"}
JOIN_METHODS = {"token", "ec2", "iam", "github", "circleci", "kubernetes", "azure", "gcp"}
SESSION_KINDS = {"ssh", "k8s", "db", "app", "desktop"}
JOIN_MODES = {"observer", "peer", "moderator"}


def check_file_config(text: str) -> dict[str, Any]:
    """Parse a rendered teleport.yaml and fail on any field or enum value v3 does not have."""
    doc = yaml.safe_load(text)
    assert doc["version"] == "v3"
    assert unknown_keys(doc, FILE_CONFIG) == []
    auth = doc.get("auth_service") or {}
    if "authentication" in auth:
        assert auth["authentication"]["type"] in AUTH_TYPES
    if "proxy_listener_mode" in auth:
        assert auth["proxy_listener_mode"] in LISTENER_MODES
    join = doc["teleport"].get("join_params")
    if join is not None:
        assert join["method"] in JOIN_METHODS
    return dict(doc)


def check_resource(text: str) -> dict[str, Any]:
    """Parse one rendered resource and fail on any field its kind and version do not have."""
    doc = yaml.safe_load(text)
    tree = RESOURCES[(doc["kind"], doc["version"])]
    assert unknown_keys(doc, tree) == [], doc["metadata"]["name"]
    if doc["kind"] == "role":
        for side in ("allow", "deny"):
            for policy in doc["spec"].get(side, {}).get("join_sessions", []):
                assert set(policy["kinds"]) <= SESSION_KINDS
                assert set(policy["modes"]) <= JOIN_MODES
    return dict(doc)
