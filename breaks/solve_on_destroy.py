"""The solve that runs when a break is destroyed, staged encrypted on the node at break time.

pulumi-command's delete has no stdin and a command string is capped (128 KiB) and printed
when it fails. So the solve script is encrypted with a per-break random key and written
to the node by a command that has stdin (any size); the delete command string carries
only the script's sha256 and the file name, and the key arrives in the command's
environment (KEY_ENV), which pulumi-command never prints. Fixers are root on the node but
never see the key during the episode. The delete decrypts, checks the hash, runs the
solve, and removes the file only once the solve succeeded. The format is `openssl enc`'s
(AES-256-CBC, PBKDF2-HMAC-SHA256), so the node needs nothing but openssl. Pure functions.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import shlex

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from components.shell import render_script

STAGE_DIR = "/var/lib/klustered/solve"
ITERATIONS = 100_000
OPENSSL_ARGS = f"enc -d -aes-256-cbc -pbkdf2 -iter {ITERATIONS} -md sha256 -pass env:K"
_KEY = re.compile(r"^[A-Za-z0-9]{16,128}$")


def staged_path(break_id: str) -> str:
    """Where a break's encrypted solve lives on its target nodes."""
    return f"{STAGE_DIR}/{break_id}.enc"


def _check_key(key: str) -> None:
    if not _KEY.match(key):
        raise ValueError("the solve key must be 16-128 letters and digits")


def encrypt_solve(solve: str, key: str) -> bytes:
    """`solve` encrypted as `openssl enc -aes-256-cbc -pbkdf2 -iter N -md sha256` would.

    The salt is derived from key and text, so the same solve gives the same bytes (no
    diff on every `pulumi up`).
    """
    _check_key(key)
    data = solve.encode()
    salt = hmac.new(key.encode(), data, hashlib.sha256).digest()[:8]
    derived = hashlib.pbkdf2_hmac("sha256", key.encode(), salt, ITERATIONS, dklen=48)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(data) + padder.finalize()
    encryptor = Cipher(algorithms.AES(derived[:32]), modes.CBC(derived[32:])).encryptor()
    return b"Salted__" + salt + encryptor.update(padded) + encryptor.finalize()


def render_stage_script(break_id: str, solve: str, key: str) -> str:
    """The script (sent on stdin) that writes the encrypted solve to the node, root-only.

    The ciphertext is a here-document, not a variable: an exported value is capped at
    128 KiB by exec, and a solve may be bigger.
    """
    ciphertext = base64.encodebytes(encrypt_solve(solve, key)).decode()
    body = f"""\
#!/usr/bin/env bash
# Stage the encrypted solve of a break for its delete command; idempotent.
set -euo pipefail
: "${{STAGED:?}}"
umask 077
mkdir -p "$(dirname "$STAGED")"
base64 -d >"$STAGED.tmp" <<'KLUSTERED_CIPHERTEXT'
{ciphertext}KLUSTERED_CIPHERTEXT
mv -f "$STAGED.tmp" "$STAGED"
"""
    return render_script(
        body,
        {"STAGED": staged_path(break_id)},
        title=f"klustered break {break_id}: stage the solve for destroy",
    )


KEY_ENV = "LC_KLUSTERED_SOLVE_KEY"
"""The environment variable that brings the key to the delete command. pulumi-command
prints a failing command's string, never its environment; sshd passes `LC_*` variables
by default (`AcceptEnv LANG LC_*` on Ubuntu and Debian)."""


def render_delete_command(break_id: str, solve: str, shell: str = "bash -s") -> str:
    """The delete command: `shell` (root on the node) decrypts the staged solve with the key
    from KEY_ENV (set it in the command's environment), checks its hash and runs it. A node
    with nothing staged (solved already, never broken) is left alone. The command string
    holds no secret: the file name and the solve's hash only.
    """
    digest = hashlib.sha256(solve.encode()).hexdigest()
    path = shlex.quote(staged_path(break_id))
    script = (
        f"set -euo pipefail; H={digest}; F={path}; "
        'if [ ! -e "$F" ]; then echo "break '
        + break_id
        + ': nothing staged to solve"; exit 0; fi; '
        'if [ -z "${K:-}" ]; then echo "break '
        + break_id
        + f": the solve key did not arrive (sshd must accept {KEY_ENV}: AcceptEnv LC_*)"
        + '" >&2; exit 1; fi; export K; '
        f'got="$(openssl {OPENSSL_ARGS} -in "$F" | sha256sum)"; '
        'if [ "${got%% *}" != "$H" ]; then '
        'echo "break ' + break_id + ': the staged solve does not match" >&2; exit 1; fi; '
        f'openssl {OPENSSL_ARGS} -in "$F" | {{ unset K; bash -s; }}; '
        'rm -f "$F"'
    )
    # The key goes from the login's environment into the root shell's stdin, ahead of the
    # script: never on a command line, never in the command string.
    return (
        f"{{ printf 'K=%s\\n' \"${{{KEY_ENV}:-}}\"; printf '%s\\n' {shlex.quote(script)}; }} "
        f"| {shell}"
    )
