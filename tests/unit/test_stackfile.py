"""Stack files: found by name or path, secure values never decrypted."""

from __future__ import annotations

from pathlib import Path

import pytest

from klustered.stackfile import SECRET_PLACEHOLDER, StackFileError, load_stack_file

REPO = Path(__file__).resolve().parents[2]


def test_stack_name_is_looked_up_in_the_stack_config_dir() -> None:
    stack = load_stack_file("episode-42", cwd=REPO / "tests")
    assert stack.path == REPO / "stacks" / "Pulumi.episode-42.yaml"
    assert stack.name == "episode-42"
    assert "klustered:teams" in stack.config


def test_unknown_stack_names_the_stacks_that_exist() -> None:
    with pytest.raises(StackFileError, match="episode-42"):
        load_stack_file("episode-0", cwd=REPO)


def test_secure_values_become_placeholders_and_mark_their_key_secret(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.s.yaml"
    path.write_text(
        "config:\n"
        "  gcp:credentials: {secure: v1:abc}\n"
        "  klustered:teams:\n"
        "    - name: blue\n"
        "      breaks:\n"
        "        - inline: {id: ours, break: {secure: v1:def}, solve: {secure: v1:ghi}}\n"
    )
    stack = load_stack_file(str(path))
    assert stack.config["gcp:credentials"] == SECRET_PLACEHOLDER
    inline = stack.config["klustered:teams"][0]["breaks"][0]["inline"]
    assert inline == {"id": "ours", "break": SECRET_PLACEHOLDER, "solve": SECRET_PLACEHOLDER}
    assert stack.secret_keys == ["gcp:credentials", "klustered:teams"]
    assert "v1:def" not in stack.pulumi_config()["klustered:teams"]


def test_unknown_top_level_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.s.yaml"
    path.write_text("confg:\n  klustered:teams: []\n")
    with pytest.raises(StackFileError, match="unknown top-level key"):
        load_stack_file(str(path))
