"""The mock engine: real throwaway keys and certificates, recorded secrets and dependencies."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pulumi
import pulumi_random as random
import pulumi_tls as tls
import pytest
from conftest import Runner
from pulumi.runtime import rpc
from pulumi.runtime.proto import resource_pb2
from pulumi_command import local

from klustered.offline import SECRET_SIG, SIG_KEY, json_properties


def _pki() -> Any:
    ca_key = tls.PrivateKey("ca-key", algorithm="ECDSA", ecdsa_curve="P256")
    ca = tls.SelfSignedCert(
        "ca",
        private_key_pem=ca_key.private_key_pem,
        is_ca_certificate=True,
        validity_period_hours=87600,
        allowed_uses=["cert_signing", "key_encipherment", "digital_signature"],
        subject=tls.SelfSignedCertSubjectArgs(common_name="kubernetes"),
    )
    leaf_key = tls.PrivateKey("leaf-key", algorithm="ECDSA", ecdsa_curve="P256")
    csr = tls.CertRequest(
        "leaf-csr",
        private_key_pem=leaf_key.private_key_pem,
        subject=tls.CertRequestSubjectArgs(common_name="kube-apiserver"),
        dns_names=["blue.example.test"],
        ip_addresses=["10.254.0.1"],
    )
    leaf = tls.LocallySignedCert(
        "leaf",
        cert_request_pem=csr.cert_request_pem,
        ca_private_key_pem=ca_key.private_key_pem,
        ca_cert_pem=ca.cert_pem,
        validity_period_hours=24,
        allowed_uses=["server_auth", "digital_signature"],
    )
    ssh = tls.PrivateKey("ssh", algorithm="ED25519")
    return {
        "ca": ca.cert_pem,
        "leaf": leaf.cert_pem,
        "ssh_private": ssh.private_key_openssh,
        "ssh_public": ssh.public_key_openssh,
    }


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_mock_certificates_verify_with_openssl(offline: Runner, tmp_path: Path) -> None:
    value = offline(_pki).value
    (tmp_path / "ca.pem").write_text(value["ca"])
    (tmp_path / "leaf.pem").write_text(value["leaf"])
    done = subprocess.run(
        ["openssl", "verify", "-CAfile", str(tmp_path / "ca.pem"), str(tmp_path / "leaf.pem")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    text = subprocess.run(
        ["openssl", "x509", "-noout", "-text", "-in", str(tmp_path / "leaf.pem")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "DNS:blue.example.test" in text
    assert "IP Address:10.254.0.1" in text


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen is not installed")
def test_mock_ssh_key_pair_matches_what_ssh_keygen_derives(offline: Runner, tmp_path: Path) -> None:
    value = offline(_pki).value
    key = tmp_path / "id"
    key.write_text(value["ssh_private"])
    key.chmod(0o600)
    derived = subprocess.run(
        ["ssh-keygen", "-y", "-f", str(key)], capture_output=True, text=True, check=True
    ).stdout
    assert derived.split()[:2] == value["ssh_public"].split()[:2]
    assert value["ssh_public"].startswith("ssh-ed25519 ")


def test_two_runs_of_one_program_give_the_same_values(offline: Runner) -> None:
    def program() -> Any:
        token = random.RandomPassword("token", length=16, special=False, upper=False)
        raw = random.RandomBytes("key", length=32)
        return {"token": token.result, "key": raw.base64}

    first, second = offline(program).value, offline(program).value
    assert first == second
    assert len(first["token"]) == 16
    assert first["token"] == first["token"].lower()
    assert first["token"].isalnum()


def test_different_resources_get_different_values(offline: Runner) -> None:
    def program() -> Any:
        return [random.RandomPassword(f"p{i}", length=20).result for i in range(3)]

    values = offline(program).value
    assert len(set(values)) == 3


def test_secret_inputs_are_flagged_and_unwrapped(offline: Runner) -> None:
    def program() -> None:
        local.Command("c", create="cat", stdin=pulumi.Output.secret("hunter2"))

    reg = offline(program).named("c")
    assert reg.secret_inputs == ["stdin"]
    assert reg.inputs["stdin"] == "hunter2"
    assert reg.inputs["create"] == "cat"


def test_dependencies_sent_by_the_sdk_are_recorded(offline: Runner) -> None:
    def program() -> None:
        first = local.Command("first", create="true")
        local.Command("second", create="true", opts=pulumi.ResourceOptions(depends_on=[first]))
        local.Command("third", create=first.stdout)

    run = offline(program)
    first = run.named("first")
    assert run.named("second").dependencies == [first.urn]
    assert run.named("third").property_dependencies["create"] == [first.urn]
    assert first.dependencies == []


def test_outputs_a_provider_marks_secret_come_back_secret(offline: Runner) -> None:
    def program() -> Any:
        key = tls.PrivateKey("k", algorithm="ED25519")
        raw = random.RandomBytes("b", length=32)
        local.Command("uses-key", create="true", stdin=key.private_key_openssh)
        local.Command("uses-bytes", create="true", stdin=raw.base64)
        local.Command("uses-public", create="true", stdin=key.public_key_openssh)
        return None

    run = offline(program)
    assert run.named("uses-key").secret_inputs == ["stdin"]
    assert run.named("uses-bytes").secret_inputs == ["stdin"]
    assert run.named("uses-public").secret_inputs == []


def _sent_by_the_sdk(state: dict[str, Any]) -> Any:
    return asyncio.run(rpc.serialize_properties(state, {}))


def _sent_by_the_engine(state: dict[str, Any]) -> Any:
    plain = json_properties(state)
    assert plain is not None
    response = resource_pb2.RegisterResourceResponse()
    response.object.update(plain)
    return response.object


def test_plain_outputs_go_back_exactly_as_the_sdk_would_serialise_them(offline: Runner) -> None:
    run = offline(_pki)
    states = [{**r.raw_inputs, "id": f"{r.name}-id"} for r in run.registrations]
    states.append(
        {
            "absent": None,  # the SDK leaves a None property out, but keeps a nested None
            "nested": {"none": None, "items": [1, 2.5, True, None, "x", {"deep": []}]},
            "secret": {SIG_KEY: SECRET_SIG, "value": {"token": "t"}},
            "unknown": rpc.UNKNOWN,
            "empty": {},
        }
    )
    for state in states:
        assert _sent_by_the_engine(state) == _sent_by_the_sdk(state)


@pytest.mark.parametrize(
    "value",
    [pulumi.StringAsset("x"), ("a", "b"), {1: "int key"}, {"inner": [object()]}],
    ids=["asset", "tuple", "int-key", "nested-object"],
)
def test_anything_but_plain_json_is_left_to_the_sdk(value: Any) -> None:
    assert json_properties({"value": value}) is None
