"""A small bash tokenizer: the simple commands a script runs, as the shell would see them.

Enough of bash to read what a break does without running it: comments, quoting ('',
"", $'', backslashes, line continuations), variable assignments and expansion of their
literal values, command substitution ($() and backticks) and `bash -c` / `eval` strings
(read as scripts of their own), here-documents, redirections, and the wrappers that run
another command (sudo, env, nohup, timeout, ...). What it cannot know (a value computed
at run time) stays as its text; the break lifecycle's access check covers the rest.
Linear in the size of the script; nesting is bounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_NESTING = 8
"""Substitutions and `bash -c` strings read inside each other, at most this deep."""

_SEPARATORS = {";", "&", "&&", "||", "|", "|&", ";;", ";&", ";;&", "(", ")", "\n"}
_KEYWORDS = {
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "for", "in",
    "case", "esac", "!", "time", "{", "}", "[[", "]]", "select", "function", "coproc",
}  # fmt: skip
_REDIRECTS = ("&>>", "<<<", "<<-", ">>", "<<", "<>", ">|", "&>", ">&", "<&", ">", "<")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(\+?=)(.*)\Z", re.S)
_WRAPPERS = {
    "sudo": {"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T"},
    "doas": {"-u", "-C"},
    "env": {"-u", "-C", "-S"},
    "nohup": set(),
    "nice": {"-n"},
    "ionice": {"-c", "-n", "-p"},
    "timeout": {"-s", "-k", "--signal", "--kill-after"},
    "command": set(),
    "builtin": set(),
    "exec": {"-a"},
    "setsid": set(),
    "stdbuf": {"-i", "-o", "-e"},
    "chrt": set(),
    "taskset": set(),
    "unbuffer": set(),
    "xargs": {"-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s"},
    "flock": {"-w", "-E", "-c"},
    "systemd-run": {"-u", "--unit", "-p", "--property", "-M", "--on-active", "--on-calendar"},
    "watch": {"-n", "-d"},
    "chroot": set(),
    "nsenter": {"-t", "--target"},
    "runuser": {"-u", "-g"},
    "cgexec": {"-g"},
}
"""Commands that run the command after their own options (option -> takes an argument)."""
_SHELLS = {"bash", "sh", "dash", "zsh", "ksh", "busybox"}


@dataclass
class Command:
    """One simple command: its words after expansion, redirections and here-documents."""

    line: int
    """1-based line of the command's first word in the outermost script."""
    words: list[str]
    redirects: list[tuple[str, str]] = field(default_factory=list)
    """(operator, target) pairs: `('>', '/etc/ssh/sshd_config')`."""
    heredocs: list[str] = field(default_factory=list)
    """Bodies of here-documents and here-strings fed to the command."""
    raw: str = ""
    """The command's words before expansion, joined (for messages)."""

    @property
    def name(self) -> str:
        """The program's base name (`/usr/bin/systemctl` -> `systemctl`)."""
        return self.words[0].rsplit("/", 1)[-1] if self.words else ""


class _Lexer:
    """Splits one script into commands; `variables` carries literal assignments across."""

    def __init__(self, text: str, variables: dict[str, str], base_line: int, depth: int):
        self.text = text
        self.pos = 0
        self.line = base_line
        self.base_line = base_line
        self.variables = variables
        self.depth = depth
        self.commands: list[Command] = []
        self.nested: list[Command] = []
        self.pending_heredocs: list[tuple[str, bool, Command]] = []

    # -- reading characters ---------------------------------------------------------

    def peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.text[index] if index < len(self.text) else ""

    def advance(self, count: int = 1) -> str:
        chunk = self.text[self.pos : self.pos + count]
        self.line += chunk.count("\n")
        self.pos += count
        return chunk

    # -- the main loop ---------------------------------------------------------------

    def run(self) -> list[Command]:
        words: list[str] = []
        raws: list[str] = []
        redirects: list[tuple[str, str]] = []
        start_line = self.line
        current: Command | None = None

        def finish() -> None:
            nonlocal words, raws, redirects, current
            if words or redirects:
                current = Command(start_line, words, redirects, raw=" ".join(raws))
                self.commands.append(current)
            words, raws, redirects = [], [], []

        while self.pos < len(self.text):
            char = self.peek()
            if char in " \t":
                self.advance()
                continue
            if char == "\\" and self.peek(1) == "\n":
                self.advance(2)
                continue
            if char == "#" and (self.pos == 0 or self.text[self.pos - 1] in " \t\n;&|()"):
                while self.pos < len(self.text) and self.peek() != "\n":
                    self.advance()
                continue
            operator = self._operator()
            if operator:
                if operator in _REDIRECTS:
                    while self.peek() in (" ", "\t"):
                        self.advance()
                    target, raw = self._word()
                    redirects.append((operator, target))
                    if operator in ("<<", "<<-"):
                        quoted = any(q in raw for q in "'\"\\")
                        self.pending_heredocs.append((target, quoted, Command(0, [])))
                    elif operator == "<<<":
                        self.pending_heredocs.append(("", True, Command(0, [])))
                        self.pending_heredocs[-1][2].heredocs.append(target)
                    continue
                finish()
                if operator == "\n":
                    self._read_heredocs()
                start_line = self.line
                continue
            if not words and not redirects:
                start_line = self.line
            word, raw = self._word()
            if raw.isdigit() and self.peek() in ("<", ">"):
                continue  # a file descriptor: `2>/dev/null`
            if not words and raw in _KEYWORDS:
                continue
            if not words:
                assignment = _ASSIGNMENT.match(word)
                if assignment and _NAME.fullmatch(raw.split("=", 1)[0].rstrip("+")):
                    name, op, value = assignment.groups()
                    old = self.variables.get(name, "") if op == "+=" else ""
                    self.variables[name] = old + value
                    continue
            words.append(word)
            raws.append(raw)
            if len(words) == 1 and raw.endswith("()"):
                # `name() { ...; }`: a function definition; its body reads as commands.
                words.clear()
                raws.clear()
        finish()
        self._read_heredocs()
        self._attach_heredocs()
        return self.commands + self.nested

    def _operator(self) -> str:
        rest = self.text[self.pos : self.pos + 3]
        for op in ("&>>", "<<<", "<<-", ";;&", "&&", "||", "|&", ";;", ";&", *_REDIRECTS):
            if rest.startswith(op):
                self.advance(len(op))
                return op
        if rest[:1] in (";", "&", "|", "(", ")", "\n"):
            return self.advance()
        return ""

    def _read_heredocs(self) -> None:
        """Read the bodies of here-documents opened on the line just ended."""
        waiting = [h for h in self.pending_heredocs if h[0] and not h[2].heredocs]
        for delimiter, quoted, holder in waiting:
            body: list[str] = []
            while self.pos < len(self.text):
                end = self.text.find("\n", self.pos)
                end = len(self.text) if end < 0 else end
                line = self.text[self.pos : end]
                self.advance(end - self.pos + (1 if end < len(self.text) else 0))
                if line.strip("\t") == delimiter:
                    break
                body.append(line)
            text = "\n".join(body) + "\n"
            holder.heredocs.append(text if quoted else self._expand_text(text))

    def _attach_heredocs(self) -> None:
        """Give every command the here-documents its redirections opened."""
        queue = list(self.pending_heredocs)
        for command in self.commands:
            for op, _ in command.redirects:
                if op in ("<<", "<<-", "<<<") and queue:
                    command.heredocs += queue.pop(0)[2].heredocs
        for command in list(self.commands):
            if command.heredocs and command.name in _SHELLS:
                for body in command.heredocs:
                    self.nested += _read(body, self.variables, command.line, self.depth + 1)

    # -- words ------------------------------------------------------------------------

    def _word(self) -> tuple[str, str]:
        """One word: (its value after quote removal and expansion, its raw text)."""
        start = self.pos
        out: list[str] = []
        while self.pos < len(self.text):
            char = self.peek()
            if char in " \t\n;&|()<>":
                break
            if char == "\\":
                self.advance()
                nxt = self.advance()
                if nxt != "\n":
                    out.append(nxt)
            elif char == "'":
                self.advance()
                end = self.text.find("'", self.pos)
                end = len(self.text) if end < 0 else end
                out.append(self.advance(end - self.pos))
                self.advance()
            elif char == "$" and self.peek(1) == "'":
                self.advance(2)
                out.append(self._ansi_c())
            elif char == '"':
                self.advance()
                out.append(self._double_quoted())
            elif char in ("$", "`"):
                out.append(self._dollar())
            else:
                out.append(self.advance())
        return "".join(out), self.text[start : self.pos]

    def _double_quoted(self) -> str:
        out: list[str] = []
        while self.pos < len(self.text) and self.peek() != '"':
            char = self.peek()
            if char == "\\" and self.peek(1) in '$`"\\\n':
                self.advance()
                nxt = self.advance()
                if nxt != "\n":
                    out.append(nxt)
            elif char in "$`":
                out.append(self._dollar())
            else:
                out.append(self.advance())
        self.advance()
        return "".join(out)

    def _ansi_c(self) -> str:
        out: list[str] = []
        escapes = {"n": "\n", "t": "\t", "r": "\r", "e": "\x1b", "E": "\x1b", "a": "\a"}
        while self.pos < len(self.text) and self.peek() != "'":
            char = self.advance()
            if char != "\\":
                out.append(char)
                continue
            nxt = self.advance()
            if nxt in escapes:
                out.append(escapes[nxt])
            elif nxt == "x":
                digits = re.match(r"[0-9a-fA-F]{1,2}", self.text[self.pos :])
                if digits:
                    out.append(chr(int(self.advance(len(digits.group(0))), 16)))
            elif nxt in "01234567":
                digits = re.match(r"[0-7]{0,2}", self.text[self.pos :])
                extra = self.advance(len(digits.group(0))) if digits else ""
                out.append(chr(int(nxt + extra, 8)))
            else:
                out.append(nxt)
        self.advance()
        return "".join(out)

    def _balanced(self, opener: str, closer: str) -> str:
        """The text up to the matching closer (quotes respected); the closer is consumed."""
        level = 1
        start = self.pos
        while self.pos < len(self.text):
            char = self.peek()
            if char == "\\":
                self.advance(2)
                continue
            if char == "'":
                end = self.text.find("'", self.pos + 1)
                self.advance((len(self.text) if end < 0 else end + 1) - self.pos)
                continue
            if char == opener:
                level += 1
            elif char == closer:
                level -= 1
                if level == 0:
                    inner = self.text[start : self.pos]
                    self.advance()
                    return inner
            self.advance()
        return self.text[start:]

    def _dollar(self) -> str:
        """`$NAME`, `${...}`, `$(...)`, `$((...))` or a backtick substitution."""
        line = self.line
        if self.peek() == "`":
            self.advance()
            end = self.text.find("`", self.pos)
            end = len(self.text) if end < 0 else end
            inner = self.advance(end - self.pos)
            self.advance()
            return self._substitute(inner, line)
        self.advance()
        char = self.peek()
        if char == "(" and self.peek(1) == "(":
            self.advance(2)
            inner = self._balanced("(", ")")
            self.advance()
            return f"$(({inner}))"
        if char == "(":
            self.advance()
            return self._substitute(self._balanced("(", ")"), line)
        if char == "{":
            self.advance()
            inner = self._balanced("{", "}")
            return self._parameter(inner)
        name = _NAME.match(self.text, self.pos)
        if name:
            self.advance(len(name.group(0)))
            return self.variables.get(name.group(0), f"${name.group(0)}")
        if char and char in "@*#?$!-0123456789":
            self.advance()
            return f"${char}"
        return "$"

    def _parameter(self, inner: str) -> str:
        """`${NAME}`, `${NAME:-default}` and friends, with what is known."""
        match = re.match(r"([A-Za-z_][A-Za-z0-9_]*)(?::?[-=+?](.*))?\Z", inner, re.S)
        if not match:
            return "${" + inner + "}"
        name, default = match.group(1), match.group(2)
        if name in self.variables:
            return self.variables[name]
        if default is not None:
            return _Lexer(default, self.variables, self.line, self.depth)._word()[0]
        return "${" + inner + "}"

    def _substitute(self, inner: str, line: int) -> str:
        """Read a command substitution as a script; `$(echo x)` becomes x."""
        if self.depth >= MAX_NESTING:
            return f"$({inner})"
        commands = _read(inner, dict(self.variables), line, self.depth + 1)
        self.nested += commands
        if len(commands) == 1 and commands[0].name in ("echo", "printf"):
            args = [w for w in commands[0].words[1:] if not w.startswith("-")]
            if commands[0].name == "printf" and args and "%" in args[0]:
                args = args[1:]
            return " ".join(args)
        return f"$({inner})"

    def _expand_text(self, text: str) -> str:
        """Expand `$NAME` and `${NAME}` in an unquoted here-document body."""

        def one(match: re.Match[str]) -> str:
            name = match.group(1) or match.group(2)
            return self.variables.get(name, match.group(0))

        return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)", one, text)


def _unwrap(command: Command) -> Command:
    """The command a wrapper runs (`sudo -n systemctl stop ssh` -> `systemctl stop ssh`)."""
    words = command.words
    for _ in range(8):
        if not words:
            break
        name = words[0].rsplit("/", 1)[-1]
        if name not in _WRAPPERS:
            break
        takes = _WRAPPERS[name]
        i = 1
        while i < len(words):
            word = words[i]
            if word == "--":
                i += 1
                break
            if name == "env" and _ASSIGNMENT.match(word):
                i += 1
                continue
            if not word.startswith("-"):
                if name == "timeout" and re.fullmatch(r"[0-9.]+[smhd]?", word):
                    i += 1
                if name in ("chroot", "flock") and i < len(words) - 1:
                    i += 1
                if name in ("chrt", "taskset") and i < len(words) - 1:
                    i += 1
                break
            option = word.split("=", 1)[0]
            i += 2 if option in takes and "=" not in word else 1
        words = words[i:]
    if words is command.words:
        return command
    return Command(command.line, list(words), command.redirects, command.heredocs, command.raw)


def _read(text: str, variables: dict[str, str], line: int, depth: int) -> list[Command]:
    if depth > MAX_NESTING:
        return []
    out: list[Command] = []
    for lexed in _Lexer(text, variables, line, depth).run():
        command = _unwrap(lexed)
        out.append(command)
        inner = _inline_script(command)
        if inner is not None:
            out += _read(inner, dict(variables), command.line, depth + 1)
    return out


def _inline_script(command: Command) -> str | None:
    """The script a command runs from a string: `bash -c '...'`, `eval ...`, `su -c '...'`."""
    name, args = command.name, command.words[1:]
    if name == "eval":
        return " ".join(args)
    if name in _SHELLS or name in ("su", "runuser"):
        for i, word in enumerate(args[:-1]):
            if word == "-c" or (word.startswith("-") and not word.startswith("--") and "c" in word):
                return args[i + 1]
    return None


def commands(text: str) -> list[Command]:
    """Every simple command `text` runs, nested ones (substitutions, `bash -c`) included."""
    return _read(text, {}, 1, 0)
