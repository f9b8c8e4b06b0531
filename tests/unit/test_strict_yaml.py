"""Hand-written YAML read within limits, with scalars as Pulumi reads them."""

from __future__ import annotations

import pytest

from components.strict_yaml import YamlError, YamlLimits, load_yaml

LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n"
    for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_alias_bomb_is_refused_without_expanding_it() -> None:
    with pytest.raises(YamlError, match="expands to more than 100000 values"):
        load_yaml(LAUGHS)


def test_too_many_aliases_are_refused_even_when_small() -> None:
    doc = "a: &a x\nb: [" + ", ".join(["*a"] * 101) + "]\n"
    with pytest.raises(YamlError, match="more than 100 aliases"):
        load_yaml(doc)


def test_a_few_aliases_are_fine() -> None:
    assert load_yaml("a: &a {x: 1}\nb: *a\n") == {"a": {"x": 1}, "b": {"x": 1}}


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(YamlError, match="refers to a node that contains it"):
        load_yaml("a: &a [x, *a]\n")


def test_deep_nesting_is_refused_not_a_recursion_error() -> None:
    with pytest.raises(YamlError, match="nested deeper than 64 levels"):
        load_yaml("a: " + "[" * 5000 + "]" * 5000 + "\n")


def test_nesting_through_aliases_counts_too() -> None:
    limits = YamlLimits(max_depth=4)
    with pytest.raises(YamlError, match="once aliases are followed"):
        load_yaml("a: &a [[x]]\nb: [[*a]]\n", limits)


def test_size_is_checked_before_parsing() -> None:
    with pytest.raises(YamlError, match="more than the 10 allowed"):
        load_yaml("a: 123456789\n", YamlLimits(max_bytes=10))


def test_duplicate_key_is_refused_with_both_lines() -> None:
    with pytest.raises(YamlError, match=r"line 3: key 'a' appears twice \(first at line 1\)"):
        load_yaml("a: 1\nb: 2\na: 3\n")


def test_merge_keys_may_be_overridden() -> None:
    assert load_yaml("b: &b {x: 1, y: 2}\nc: {<<: *b, x: 3}\n")["c"] == {"x": 3, "y": 2}


@pytest.mark.parametrize(
    ("doc", "kind"),
    [("1: x\n", "a number"), ("true: x\n", "true/false"), ("? [a]\n: x\n", "a list")],
)
def test_non_string_keys_are_refused(doc: str, kind: str) -> None:
    with pytest.raises(YamlError, match=f"is {kind}, not a string"):
        load_yaml(doc)


@pytest.mark.parametrize(
    "tag", ["!!set {x}", "!!binary aGk=", "!!python/name:os.system ''", "!x y"]
)
def test_tags_beyond_the_core_schema_are_refused(tag: str) -> None:
    with pytest.raises(YamlError, match="is not allowed"):
        load_yaml(f"a: {tag}\n")


def test_scalars_are_read_as_pulumi_reads_them() -> None:
    doc = (
        "t: 2026-12-01T20:00:00Z\nd: 2026-12-01\ny: yes\no: off\nb: true\nn: ~\no8: 0755\nx: 0x1f\n"
    )
    assert load_yaml(doc) == {
        "t": "2026-12-01T20:00:00Z",
        "d": "2026-12-01",
        "y": "yes",
        "o": "off",
        "b": True,
        "n": None,
        "o8": 493,
        "x": 31,
    }


def test_control_character_in_the_file_is_refused_with_its_code_point() -> None:
    with pytest.raises(YamlError, match="U\\+001B"):
        load_yaml("a: b\x1bc\n")


def test_not_utf8_is_refused() -> None:
    with pytest.raises(YamlError, match="not UTF-8"):
        load_yaml(b"a: \xff\n")


def test_second_document_is_refused() -> None:
    with pytest.raises(YamlError, match="line 2"):
        load_yaml("a: 1\n---\nb: 2\n")
