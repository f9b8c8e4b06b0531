"""klustered:sshKey, hosts and the Equinix Metal notice, as `klustered validate` reports them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from klustered.config import check_stack_config
from klustered.ssh_keys import public_key_of
from tests.machines_fixtures import SSH_KEY_CONFIG, host_private_key, stack

REPO = Path(__file__).resolve().parents[2]
KEY = host_private_key("config")
LAB = {
    "name": "lab",
    "workers": 0,
    "machines": {"provider": "existing"},
    "hosts": {"control-plane-1": {"address": "192.0.2.10"}},
}


def _validate(path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "klustered", "validate", *extra, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _write(tmp_path: Path, config: dict[str, object], name: str = "lab") -> Path:
    path = tmp_path / f"Pulumi.{name}.yaml"
    path.write_text(yaml.safe_dump({"config": config}), encoding="ascii")
    return path


def test_validate_prints_the_public_key_of_a_plain_ssh_key(tmp_path: Path) -> None:
    done = _validate(_write(tmp_path, stack([LAB], ssh_key=KEY)))
    assert done.returncode == 0, done.stderr
    assert public_key_of(KEY) in done.stdout
    derived = subprocess.run(
        ["ssh-keygen", "-y", "-f", "/dev/stdin"],
        input=KEY,
        capture_output=True,
        text=True,
        check=True,
    )
    assert derived.stdout.split()[1] in done.stdout
    assert "PRIVATE KEY" not in done.stdout + done.stderr
    # A private key in plain text in a stack file is valid, and the host is told.
    assert "warning: sshKey: a private key in plain text in the stack file" in done.stderr


def test_validate_explains_how_to_get_the_public_key_of_an_encrypted_one(
    tmp_path: Path,
) -> None:
    config = stack([LAB], ssh_key="placeholder")
    config[SSH_KEY_CONFIG] = {"secure": "v1:AAAAAAAAAAAAAAAA"}
    done = _validate(_write(tmp_path, config, "episode-7"))
    assert done.returncode == 0, done.stderr
    assert (
        "`pulumi config get klustered:sshKey -s episode-7 | ssh-keygen -y -f /dev/stdin`"
        in done.stdout
    )
    assert "stack output sshPublicKey" in done.stdout
    assert "warning" not in done.stderr


def test_a_bad_ssh_key_is_refused_without_echoing_it() -> None:
    secret = (
        "-----BEGIN OPENSSH PRIVATE KEY-----\nbm90LWEta2V5LWhlbGxv\n"
        "-----END OPENSSH PRIVATE KEY-----"
    )
    for value, message in (
        (secret, "sshKey: is not a readable private key (OpenSSH or PEM)"),
        ({"nested": secret}, "sshKey: is not a string: give the private key's text"),
        (KEY.replace("\n", "\u00e9\n", 1), "sshKey: is not a private key: it holds non-ASCII"),
    ):
        result = check_stack_config(stack([{"name": "blue"}], ssh_key=value))  # type: ignore[arg-type]
        text = "\n".join(str(e) for e in result.errors)
        assert text.startswith(message), text
        assert "bm90LWEta2V5" not in text and KEY.splitlines()[1] not in text


def test_a_passphrase_protected_key_is_refused(tmp_path: Path) -> None:
    key = tmp_path / "key"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "hunter2", "-f", str(key)], check=True
    )
    result = check_stack_config(stack([{"name": "blue"}], ssh_key=key.read_text()))
    assert [str(e) for e in result.errors] == [
        "sshKey: is encrypted with a passphrase: give the key without one (kept as a Pulumi secret)"
    ]


def test_equinix_metal_stacks_are_warned_the_service_shut_down() -> None:
    config = stack([{"name": "blue"}, {"name": "old", "workerMachines": {"provider": "gcp"}}])
    config["klustered:machines"]["equinixMetal"] = {
        "project": "00000000-0000-4000-8000-000000000001"
    }  # type: ignore[index]
    config["klustered:teams"][1]["machines"] = {"provider": "equinix-metal"}  # type: ignore[index]
    result = check_stack_config(config)
    assert [str(w) for w in result.warnings] == [
        "teams[1].machines.provider: Equinix Metal shut down on 2026-06-30: this team's "
        "machines cannot be created; move it to gcp, scaleway or existing"
    ]


EQUINIX_STACK = """
config:
  klustered:machines:
    provider: equinix-metal
    equinixMetal: {project: 00000000-0000-4000-8000-000000000001}
  klustered:teams:
    - name: old
"""

# Python 3.12+ as the Equinix SDK sees it: no pkg_resources (None in sys.modules makes the
# import fail the way a missing module does).
WITHOUT_PKG_RESOURCES = (
    "import sys; sys.modules['pkg_resources'] = None; "
    "sys.argv = ['klustered', 'validate', sys.argv[1]]; "
    "from klustered.cli import main; main()"
)


def test_equinix_metal_that_cannot_load_is_one_line_naming_the_field(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.old.yaml"
    path.write_text(EQUINIX_STACK, encoding="ascii")
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_PKG_RESOURCES, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=REPO,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    [line] = [x for x in done.stderr.splitlines() if "teams[0].machines.provider: 'equinix" in x]
    assert "Python 3.11" in line and "2026-06-30" in line
    assert "pulumi-equinix-metal" in line


def test_an_encrypted_ssh_key_still_plans_offline(tmp_path: Path) -> None:
    from klustered.plan import plan_stack
    from klustered.stackfile import load_stack_file

    config = stack([LAB, {"name": "blue", "workers": 0}], ssh_key="placeholder")
    config[SSH_KEY_CONFIG] = {"secure": "v1:AAAAAAAAAAAAAAAA"}
    plan = plan_stack(load_stack_file(str(_write(tmp_path, config))))
    [instance] = plan.run.by_type("gcp:compute/instance:Instance")
    # The plan cannot decrypt the key: the public key is a marked stand-in, never a guess.
    assert instance.inputs["metadata"]["ssh-keys"] == (
        "klustered:[public key of klustered:sshKey] klustered"
    )
    [host] = [r for r in plan.run.registrations if r.name.endswith("lab-control-plane-1-host")]
    assert host.secret_inputs == ["connection"]


def test_the_teleport_server_cannot_be_an_existing_machine() -> None:
    config = stack([{"name": "blue"}])
    config["klustered:access"] = {
        "teleport": {
            "githubOrg": "klustered-live",
            "githubClientId": "Iv1.0123",
            "githubClientSecret": "s3cret-value",
            "acmeEmail": "ops@example.com",
            "machine": {"provider": "existing"},
        }
    }
    errors = [str(e) for e in check_stack_config(config).errors]
    assert (
        "access.teleport.machine.provider: 'existing' is not offered for the Teleport server "
        "(it has no hosts entry); use gcp or scaleway"
    ) in errors
