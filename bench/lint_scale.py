"""How long the break lint's access-path reading takes, by script size and shape.

Run: .venv/bin/python bench/lint_scale.py
Scripts are capped at MAX_SCRIPT_BYTES (breaks/sources.py); the reading should grow
linearly with size, including the shapes built to make a tokenizer or a regex backtrack.
"""

from __future__ import annotations

import time

from breaks.access_rule import access_cuts
from breaks.sources import MAX_SCRIPT_BYTES

LINE = (
    "kubectl -n default get pods -o wide | grep -v Running || true\n"
    'if [ -f /x ]; then echo "$(date) ok"; fi\n'
)
SHAPES = {
    "ordinary lines": lambda n: LINE * (n // len(LINE)),
    "one long word": lambda n: "a" * n,
    "many quoted words": lambda n: "'a' " * (n // 4),
    "nested substitutions": lambda n: "$(" * (n // 200) + ")" * (n // 200),
    "a long here-document": lambda n: "cat <<E\n" + "x\n" * (n // 2) + "E\n",
    "line continuations": lambda n: "\\\n" * (n // 2),
    "unclosed quote": lambda n: "echo '" + "a" * n,
}


def main() -> None:
    print(f"{'shape':24} {'KiB':>5} {'seconds':>8}")
    for name, make in SHAPES.items():
        for size in (MAX_SCRIPT_BYTES // 4, MAX_SCRIPT_BYTES // 2, MAX_SCRIPT_BYTES):
            text = make(size)
            start = time.perf_counter()
            access_cuts(text)
            print(f"{name:24} {len(text) // 1024:>5} {time.perf_counter() - start:>8.3f}")


if __name__ == "__main__":
    main()
