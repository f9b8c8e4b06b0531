"""The mesh phase renderer: values exported on top of mesh.sh, inconsistent input refused."""

from __future__ import annotations

import ipaddress

import pytest

from components.mesh.phase import phase_file_name, render_mesh_phase

ADDRESS = ipaddress.IPv4Interface("10.254.0.6/24")
CONFIG = "[Interface]\nPrivateKey = x\nAddress = 10.254.0.6/24\nListenPort = 51820\nMTU = 1380\n"


def test_values_are_exported_at_the_top_and_the_body_follows() -> None:
    script = render_mesh_phase(
        node="blue-worker-1",
        config=CONFIG,
        address=ADDRESS,
        mtu=1380,
        port=51999,
        public_interface="bond0",
    )
    header, body = script.split("\nset -euo pipefail\n", 1)

    assert "export WG_ADDRESS=10.254.0.6/24" in header.splitlines()
    assert "export WG_MTU=1380" in header.splitlines()
    assert "export WG_PORT=51999" in header.splitlines()
    assert "export PUBLIC_INTERFACE=bond0" in header.splitlines()
    assert "export WG_INTERFACE=wg0" in header.splitlines()
    assert "export MESH_CHAIN=KLUSTERED-MESH" in header.splitlines()
    assert f"export WG_CONF='{CONFIG}'" in header
    assert "wg syncconf" in body


def test_a_config_for_another_address_or_mtu_is_refused() -> None:
    with pytest.raises(ValueError, match="does not carry address"):
        render_mesh_phase(
            node="blue-worker-1",
            config=CONFIG,
            address=ipaddress.IPv4Interface("10.254.0.7/24"),
            mtu=1380,
            port=51820,
        )
    with pytest.raises(ValueError, match="does not carry address"):
        render_mesh_phase(node="blue-worker-1", config=CONFIG, address=ADDRESS, mtu=1420, port=1)


@pytest.mark.parametrize(
    ("field", "value"),
    [("public_interface", "eth0; rm -rf /"), ("interface", "a-name-longer-than-15"), ("chain", "")],
)
def test_names_that_are_not_interface_or_chain_names_are_refused(field: str, value: str) -> None:
    with pytest.raises(ValueError, match="is not"):
        render_mesh_phase(
            node="blue-worker-1",
            config=CONFIG,
            address=ADDRESS,
            mtu=1380,
            port=51820,
            **{field: value},
        )


def test_phase_file_name_is_two_digit_numbered() -> None:
    assert phase_file_name(7) == "07-mesh.sh"
    assert phase_file_name() == "42-mesh.sh"  # where the Cluster runs a network phase
    with pytest.raises(ValueError):
        phase_file_name(100)
