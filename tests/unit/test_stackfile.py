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


def test_stack_file_outside_a_project_reads_namespaced_keys(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.loose.yaml"
    path.write_text("config:\n  klustered:teams: [{name: blue}]\n")
    stack = load_stack_file(str(path))
    assert (stack.in_project, stack.project_dir) == (False, tmp_path)
    assert stack.config == {"klustered:teams": [{"name": "blue"}]}


def test_stack_file_outside_a_project_refuses_a_key_without_namespace(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.loose.yaml"
    path.write_text("config:\n  teams: [{name: blue}]\n")
    with pytest.raises(StackFileError, match=r"no namespace and no Pulumi\.yaml"):
        load_stack_file(str(path))


def test_key_without_namespace_takes_the_project_name(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: klustered\nruntime: python\n")
    path = tmp_path / "Pulumi.s.yaml"
    path.write_text("config:\n  teams: [{name: blue}]\n")
    assert list(load_stack_file(str(path)).config) == ["klustered:teams"]


def test_same_key_with_and_without_namespace_is_refused(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: klustered\nruntime: python\n")
    path = tmp_path / "Pulumi.s.yaml"
    path.write_text("config:\n  teams: []\n  klustered:teams: []\n")
    with pytest.raises(StackFileError, match="given twice"):
        load_stack_file(str(path))


@pytest.mark.parametrize(
    ("project", "message"),
    [
        ("name: [a]\n", "is not a Pulumi project name"),
        ("name: k\nruntime: python\nstackConfigDir: ../..\n", "leaves the project directory"),
        ("name: k\nname: j\n", "appears twice"),
        ("- a\n", "must be a mapping"),
    ],
)
def test_a_broken_project_file_is_named(tmp_path: Path, project: str, message: str) -> None:
    (tmp_path / "Pulumi.yaml").write_text(project)
    (tmp_path / "Pulumi.s.yaml").write_text("config: {}\n")
    with pytest.raises(StackFileError, match=message) as caught:
        load_stack_file("s", cwd=tmp_path)
    assert "Pulumi.yaml" in str(caught.value)


def test_unquoted_timestamp_is_the_text_the_user_wrote(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.s.yaml"
    path.write_text("config:\n  klustered:expires: 2026-12-01T20:00:00Z\n")
    stack = load_stack_file(str(path))
    assert stack.config["klustered:expires"] == "2026-12-01T20:00:00Z"
    assert stack.pulumi_config()["klustered:expires"] == "2026-12-01T20:00:00Z"


def test_stack_name_from_a_file_name_must_be_a_pulumi_stack_name(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.a b.yaml"
    path.write_text("config: {}\n")
    with pytest.raises(StackFileError, match="not a Pulumi stack name"):
        load_stack_file(str(path))


def test_a_directory_named_like_a_stack_file_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.d.yaml").mkdir()
    with pytest.raises(StackFileError, match="not a regular file"):
        load_stack_file(str(tmp_path / "Pulumi.d.yaml"))


def test_error_messages_escape_control_characters(tmp_path: Path) -> None:
    with pytest.raises(StackFileError) as caught:
        load_stack_file("evil\x1b[2J", cwd=REPO)
    assert "\x1b" not in str(caught.value) and "\\x1b" in str(caught.value)
