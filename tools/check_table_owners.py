#!/usr/bin/env python3
"""Checks that the directory is the only owner of its tables: fails (exit 1) when SQL that reads
or writes accounts, aliases, attrs, domains or cos appears in src/ outside src/directory and the
schema migrations, or when code outside src/directory reaches into directory::detail. Other
modules go through the directory's API (Directory, DirectoryReader, AccountWriter).

SQL is looked for in the string literals of C++ files (adjacent literals joined, as the compiler
joins them): a FROM, JOIN, INTO or UPDATE naming one of the tables. Schema migrations (files named
migrations.cpp or *_migrations.cpp) may name them: foreign keys point at accounts.

usage: tools/check_table_owners.py [source root]   (default: the repository this file is in)"""
import pathlib
import re
import sys

TABLES = ("accounts", "aliases", "attrs", "domains", "cos")
OWNER = "src/directory/"
SQL = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE)\s+(" + "|".join(TABLES) + r")\b")
MIGRATION_FILE = re.compile(r"(^|/)\w*migrations\.(cpp|hpp)$")
DETAIL = re.compile(r"\bdirectory::detail\b")


def literals(text):
    """The string literals of C++ source as (line, text), adjacent literals joined into one."""
    out, i, n, line = [], 0, len(text), 1
    joinable = False  # only whitespace and comments since the last literal
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            line += text.count("\n", i, j)
            i = j
        elif text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'R"([^(]*)\(', text[i:])
            end = text.find(")" + m.group(1) + '"', i) if m else -1
            body_start = i + (m.end() if m else 2)
            j = n if end < 0 else end + len(m.group(1)) + 2
            body = text[body_start:end if end >= 0 else n]
            add(out, joinable, line, body)
            joinable = True
            line += text.count("\n", i, j)
            i = j
        elif c == "'" and i > 0 and text[i - 1].isalnum():  # a digit separator: 900'000
            i += 1
            joinable = False
        elif c in "\"'":
            j, chars = i + 1, []
            while j < n and text[j] != c and text[j] != "\n":
                if text[j] == "\\" and j + 1 < n:
                    chars.append(text[j:j + 2])
                    j += 2
                else:
                    chars.append(text[j])
                    j += 1
            if c == '"':
                add(out, joinable, line, "".join(chars))
                joinable = True
            else:
                joinable = False
            i = j + 1
        else:
            if c == "\n":
                line += 1
            elif not c.isspace():
                joinable = False
            i += 1
    return out


def add(out, joinable, line, text):
    if joinable and out:
        out[-1] = (out[-1][0], out[-1][1] + text)
    else:
        out.append((line, text))


def violations(root):
    found = []
    for path in sorted((root / "src").rglob("*")):
        if path.suffix not in (".cpp", ".hpp", ".inc") or not path.is_file():
            continue
        rel = path.relative_to(root).as_posix()
        if rel.startswith(OWNER):
            continue
        text = path.read_text(errors="replace")
        for no, line in enumerate(text.split("\n"), 1):
            if DETAIL.search(line) and not line.lstrip().startswith("//"):
                found.append(f"{rel}:{no}: uses directory::detail (internal to src/directory)")
        if MIGRATION_FILE.search(rel):
            continue
        for no, sql in literals(text):
            m = SQL.search(sql)
            if m:
                snippet = " ".join(sql.split())
                found.append(f"{rel}:{no}: SQL on the directory's table {m.group(1)}: "
                             f"{snippet[:110]}")
    return found


def main():
    root = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent
    found = violations(root)
    for f in found:
        print(f)
    if found:
        print(f"{len(found)} place(s) outside {OWNER} use the directory's tables or internals; "
              "use Directory, DirectoryReader or AccountWriter instead", file=sys.stderr)
        return 1
    print(f"ok: only {OWNER} and the schema migrations name {', '.join(TABLES)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
