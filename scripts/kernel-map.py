#!/usr/bin/env python3
"""Generate docs/kernel-map.md: which Java method models which Linux 7.2 function.

    python3 scripts/kernel-map.py            # rewrite docs/kernel-map.md
    python3 scripts/kernel-map.py --check    # exit 1 if docs/kernel-map.md is not what it would write

Reads every main Java source (*/src/main/java) and takes the Javadoc comment attached to each method or
constructor. A method models the kernel functions its Javadoc starts with, written as calls: `name()` or
`name(args)`, optionally in {@code ...}, several joined by "/", "," or "and" (`folio_ref_freeze(folio, 1)
/ folio_ref_unfreeze(): ...`). System calls are written as the kernel's symbol, `sys_mlock2()`.

Every name is checked against scripts/linux-7.2-functions.txt (functions, macros and system calls of the
Linux 7.2 source with their files, made by scripts/kernel-functions.py), so no kernel source is needed.
A name that is not there fails the run, unless it is a function of the project's own conformance runner
(conformance/runner/runner.c), which is not a kernel function and is left out of the map. Each row gives
the kernel file that defines the function; where several do, the file the Javadoc names, else the one the
x86-64 configuration builds (see kernel_file).
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "kernel-map.md"
FUNCTIONS = ROOT / "scripts" / "linux-7.2-functions.txt"
RUNNER = ROOT / "conformance" / "runner" / "runner.c"
COMMAND = "python3 scripts/kernel-map.py"

IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
MODIFIERS = {"public", "protected", "private", "static", "final", "abstract", "synchronized", "native",
             "default", "strictfp", "sealed", "non-sealed", "transient", "volatile"}
TYPE_KEYWORDS = {"class", "interface", "enum", "record"}


def tokens(text):
    """Java tokens: (kind, value, line) with kind in ident, punct, javadoc. Skips comments and literals."""
    i, n, line = 0, len(text), 1
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif c.isspace():
            i += 1
        elif text.startswith("/**", i) and not text.startswith("/**/", i):
            j = text.find("*/", i + 3)
            j = n if j < 0 else j + 2
            yield "javadoc", text[i + 3:j - 2], line
            line += text.count("\n", i, j)
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            line += text.count("\n", i, j)
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith('"""', i):
            j = i + 3
            while j < n and not text.startswith('"""', j):
                j += 2 if text[j] == "\\" else 1
            j = min(n, j + 3)
            line += text.count("\n", i, j)
            yield "literal", "", line
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            yield "literal", "", line
            i = j + 1
        else:
            m = IDENT.match(text, i)
            if m:
                yield "ident", m.group(0), line
                i = m.end()
            else:
                yield "punct", c, line
                i += 1


class Declaration:
    def __init__(self, kind, name, type_path, line):
        self.kind, self.name, self.type_path, self.line = kind, name, type_path, line


def declarations(text):
    """Yield (javadoc, Declaration) for every Javadoc comment attached to a declaration."""
    toks = list(tokens(text))
    types = []  # (name, brace depth of its body)
    depth = 0
    pending_type = None
    i = 0
    while i < len(toks):
        kind, val, line = toks[i]
        if kind == "javadoc":
            decl, _ = read_declaration(toks, i + 1, types)
            if decl is not None:
                yield val, decl
            i += 1
            continue
        if kind == "ident" and val in TYPE_KEYWORDS and i + 1 < len(toks) and toks[i + 1][0] == "ident" \
                and not (i > 0 and toks[i - 1][1] == "."):
            pending_type = toks[i + 1][1]
        elif kind == "punct" and val == "{":
            depth += 1
            if pending_type is not None:
                types.append((pending_type, depth))
                pending_type = None
        elif kind == "punct" and val == "}":
            if types and types[-1][1] == depth:
                types.pop()
            depth -= 1
        elif kind == "punct" and val == ";":
            pending_type = None
        i += 1


def read_declaration(toks, i, types):
    """The declaration starting at toks[i] (after its Javadoc): a method, constructor, type or field."""
    # Annotations: @Name, @a.b.Name, @Name(...)
    while i < len(toks) and toks[i][1] == "@" and i + 1 < len(toks) and toks[i + 1][1] != "interface":
        i += 2
        while i + 1 < len(toks) and toks[i][1] == "." and toks[i + 1][0] == "ident":
            i += 2
        if i < len(toks) and toks[i][1] == "(":
            i = skip_group(toks, i, "(", ")")
    head = []
    angle = 0
    while i < len(toks):
        kind, val, line = toks[i]
        if kind == "javadoc":
            return None, i
        if val == "<":
            angle += 1
        elif val == ">":
            angle -= 1
        elif angle == 0 and val in ("(", "{", ";", "=", ","):
            break
        head.append(toks[i])
        i += 1
    if i >= len(toks):
        return None, i
    idents = [t for t in head if t[0] == "ident"]
    type_path = ".".join(t[0] for t in types)
    if any(t[1] in TYPE_KEYWORDS for t in idents) or (head and head[0][1] == "@"):
        return Declaration("type", "", type_path, head[0][2] if head else 0), i
    if toks[i][1] != "(" or not idents:
        return Declaration("field", "", type_path, 0), i
    # Drop modifiers and type parameters; what is left is "ReturnType name" or "Name" (constructor).
    words = []
    angle = 0
    for kind, val, line in head:
        if val == "<":
            angle += 1
        elif val == ">":
            angle -= 1
        elif angle == 0 and kind == "ident" and val not in MODIFIERS:
            words.append(val)
    name, line = idents[-1][1], idents[-1][2]
    if len(words) >= 2:
        return Declaration("method", name, type_path, line), i
    if types and name == types[-1][0]:
        return Declaration("constructor", name, type_path, line), i
    return Declaration("constant", name, type_path, line), i  # an enum constant with arguments


def skip_group(toks, i, open_, close):
    depth = 0
    while i < len(toks):
        if toks[i][1] == open_:
            depth += 1
        elif toks[i][1] == close:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


def doc_text(raw):
    lines = [re.sub(r"^\s*\*?\s?", "", l) for l in raw.splitlines()]
    text = " ".join(l.strip() for l in lines).strip()
    return re.sub(r"\{@(?:code|link|linkplain|literal)\s+([^{}]*)\}", r"\1", text)


CALL = re.compile(r"(_*[a-z][a-z0-9_]*)\(")


def leading_functions(doc):
    """The kernel names a Javadoc starts with: name() / name(args), joined by '/', ',' or 'and'."""
    names = []
    pos = 0
    while True:
        m = CALL.match(doc, pos)
        if not m:
            break
        end = close_paren(doc, m.end() - 1)
        if end is None:
            break
        # name(2) is the manual page of a system call: the kernel's sys_name.
        names.append("sys_" + m.group(1) if doc[m.end():end] == "2)" else m.group(1))
        sep = re.match(r"\s*(?:/|,|\band\b|\bor\b)\s*", doc[end:])
        if not sep:
            break
        pos = end + sep.end()
    return names


def close_paren(text, i):
    depth = 0
    for j in range(i, len(text)):
        if text[j] == "(":
            depth += 1
        elif text[j] == ")":
            depth -= 1
            if depth == 0:
                return j + 1
    return None


def load_functions():
    table = {}
    for line in FUNCTIONS.read_text().splitlines():
        name, _, files = line.partition("\t")
        table[name] = files.split()
    return table


def runner_functions():
    if not RUNNER.is_file():
        return set()
    return set(re.findall(r"^[a-z][\w \t*]*?\b([a-z_][a-z0-9_]*)\s*\([^;]*$", RUNNER.read_text(), re.M))


# Files of configurations the x86-64 kernel FolioLab models does not build (no MMU, PREEMPT_RT locks).
NOT_BUILT = ("mm/nommu.c", "include/linux/spinlock_rt.h")
# Where several files define a name: an x86 definition overrides the generic one, mm/ is preferred to
# the headers, and include/linux to include/asm-generic.
RANK = ("arch/x86/", "mm/*.c", "mm/", "include/linux/", "include/asm-generic/", "")


def rank(f):
    for i, prefix in enumerate(RANK):
        if prefix == "mm/*.c" and f.startswith("mm/") and f.endswith(".c") or f.startswith(prefix) and "*" not in prefix:
            return i
    return len(RANK)


def kernel_file(files, doc):
    named = [f for f in files if f in doc]
    if named:
        return named
    files = [f for f in files if f not in NOT_BUILT] or files
    best = min(rank(f) for f in files)
    return [f for f in files if rank(f) == best]


def generate():
    known = load_functions()
    runner = runner_functions()
    rows, unknown = [], []
    for path in sorted(ROOT.glob("*/src/main/java/**/*.java")):
        rel = path.relative_to(ROOT).as_posix()
        module = rel.split("/")[0]
        cls = path.stem
        text = path.read_text()
        # A Javadoc may start with a call of a Java method of the same file: not a kernel name.
        java_methods = set(re.findall(r"[\w>\]]\s+([a-z]\w*)\s*\([^;{}]*\)\s*(?:throws [\w., ]+)?\{", text))
        for raw, decl in declarations(text):
            if decl.kind not in ("method", "constructor"):
                continue
            doc = doc_text(raw)
            for fn in dict.fromkeys(leading_functions(doc)):
                if fn in known:
                    owner = decl.type_path or cls
                    rows.append((fn, f"{owner}.{decl.name}", module, " ".join(kernel_file(known[fn], doc))))
                elif fn not in runner and fn not in java_methods:
                    unknown.append(f"{rel}:{decl.line}: {fn}() is not a Linux 7.2 function")
    rows = sorted(set(rows), key=lambda r: (r[0].lstrip("_"), r[0], r[2], r[1]))
    out = ["# Kernel functions and their Java models", "",
           f"Generated by `{COMMAND}` from the Javadoc of the main sources: every method whose",
           "documentation starts with the Linux 7.2 function(s) it models, and the kernel file that defines",
           "each function. Do not edit by hand: the build fails when this file is not what the command writes.",
           "", "| kernel function | kernel file | Java | module |", "|---|---|---|---|"]
    out += [f"| `{fn}` | {kf} | `{java}` | {module} |" for fn, java, module, kf in rows]
    out += ["", f"{len(rows)} entries.", ""]
    return "\n".join(out), unknown


def main():
    text, unknown = generate()
    if unknown:
        sys.stderr.write("\n".join(unknown) + "\nFix the Javadoc (or, for a function added to the kernel list's "
                         "scope, regenerate scripts/linux-7.2-functions.txt with scripts/kernel-functions.py).\n")
        sys.exit(2)
    if sys.argv[1:] == ["--check"]:
        current = OUTPUT.read_text() if OUTPUT.is_file() else ""
        if current != text:
            sys.stderr.write(f"docs/kernel-map.md is stale: regenerate it with `{COMMAND}`\n")
            sys.exit(1)
        return
    if sys.argv[1:]:
        sys.exit(f"usage: {COMMAND} [--check]")
    OUTPUT.write_text(text)


if __name__ == "__main__":
    main()
