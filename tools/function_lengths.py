#!/usr/bin/env python3
"""Lists the functions in src/ whose bodies are longer than a limit (default 80 lines), longest
first. With --check it exits 1 when any function is over the limit (the test suite runs it so).

A function is a top-level or class-level brace block whose opening line looks like a definition
(a parameter list before the brace, not a namespace/class/struct/enum/initialiser); lambdas and
nested blocks count towards the function that holds them."""
import argparse
import pathlib
import re
import sys

SKIP = re.compile(r"^\s*(namespace|class|struct|enum|union|extern)\b|=\s*$|=\s*\{")


def strip(text):
    """Removes comments, string and character literals, keeping line breaks."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif text.startswith('R"', i):
            m = re.match(r'R"([^(]*)\(', text[i:])
            end = text.find(")" + m.group(1) + '"', i) if m else -1
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append('""' + "\n" * text.count("\n", i, j))
            i = j
        elif c == "'" and i > 0 and text[i - 1].isalnum():  # a digit separator: 900'000
            out.append(c)
            i += 1
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(path):
    lines = strip(path.read_text(errors="replace")).split("\n")
    depth, stack, found = 0, [], []
    head = ""  # text since the last ; { or } at the current depth: the declaration before a brace
    for no, line in enumerate(lines, 1):
        for ch in line:
            if ch == "{":
                is_fn = ")" in head and not SKIP.search(head) and not stack_has_fn(stack)
                name = re.findall(r"([~\w:]+)\s*\(", head)
                stack.append((no, is_fn, name[0] if name else "?"))
                depth += 1
                head = ""
            elif ch == "}":
                if stack:
                    start, is_fn, name = stack.pop()
                    if is_fn:
                        found.append((no - start + 1, name, start))
                depth -= 1
                head = ""
            elif ch == ";":
                head = ""
            else:
                head += ch
        head += " "
    return found


def stack_has_fn(stack):
    return any(is_fn for _, is_fn, _ in stack)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=80)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("root", nargs="?", default=str(pathlib.Path(__file__).resolve().parent.parent / "src"))
    args = ap.parse_args()
    root = pathlib.Path(args.root)
    over = []
    for p in sorted(root.rglob("*")):
        if p.suffix in (".cpp", ".hpp", ".cc", ".h"):
            over += [(n, name, f"{p.relative_to(root.parent)}:{line}") for n, name, line in functions(p) if n > args.limit]
    for n, name, where in sorted(over, reverse=True):
        print(f"{n:5d}  {name}  {where}")
    print(f"{len(over)} function(s) over {args.limit} lines")
    return 1 if args.check and over else 0


if __name__ == "__main__":
    sys.exit(main())
