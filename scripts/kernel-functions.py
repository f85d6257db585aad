#!/usr/bin/env python3
"""List the functions, function-like macros and system calls defined in a Linux source tree.

Writes scripts/linux-7.2-functions.txt, which scripts/kernel-map.py checks every kernel name in the
Javadoc against, so that the map can be generated (and checked by the build) without the kernel source:

    python3 scripts/kernel-functions.py /path/to/linux-7.2 > scripts/linux-7.2-functions.txt

(scripts/kernel-source.sh unpacks the source.) One line per lower-case name: the name, a tab, and the files that
define it, separated by spaces, relative to the source root. Only the parts of the tree FolioLab models
or calls into are scanned (SCOPE below). Definitions are found without a compiler: a top-level
declaration followed by a body, `#define name(`, `SYSCALL_DEFINEn(name, ...)` (listed as sys_name), and
the functions that header macros build by token pasting (FOLIO_FLAG(lru, ...) -> folio_test_lru, ...),
expanded from the macros of the same file. Every configuration variant counts: a name is listed if any
branch of an #if defines it.
"""
import pathlib
import re
import sys

# The files scanned: mm/*.[ch], the headers they include (<linux/...>, <asm/...> resolved for x86 and
# asm-generic) and the <asm/...> headers those include, and the few other files FolioLab models.
SCOPE = [
    "mm/*.[ch]",
    "kernel/fork.c",
    "kernel/workqueue.c",
    "kernel/sched/completion.c",
    "kernel/locking/rwsem.c",
    "kernel/locking/mutex.c",
    "kernel/locking/spinlock.c",
    "kernel/cpu.c",
    "arch/x86/kernel/sys_x86_64.c",
    "arch/x86/mm/pgtable.c",
    "fs/proc/page.c",
    "fs/proc/internal.h",
    "include/linux/spinlock.h",
    "include/linux/local_lock.h",
    "include/linux/local_lock_internal.h",
    "include/linux/completion.h",
    "include/linux/cpumask.h",
    "include/linux/lockdep.h",
    "include/linux/list.h",
    "include/linux/page_ref.h",
    "include/linux/percpu-defs.h",
]
INCLUDE_DIRS = {"linux": ["include/linux"], "asm": ["arch/x86/include/asm", "include/asm-generic"]}
INCLUDE = re.compile(r"^#\s*include\s*<(linux|asm)/([^>]+)>", re.M)


def included(src, path):
    """The in-tree headers a file includes with <linux/...> or <asm/...>."""
    out = []
    for kind, rel in INCLUDE.findall(path.read_text(errors="replace")):
        for d in INCLUDE_DIRS[kind]:
            f = src / d / rel
            if f.is_file():
                out.append(f)
                break
    return out


def scope_files(src):
    files = set()
    for entry in SCOPE:
        files.update(p for p in src.glob(entry) if p.is_file())
    headers = set()
    for f in sorted(p for p in files if p.parent.name == "mm"):
        headers.update(included(src, f))
    for h in sorted(headers):
        headers.update(f for f in included(src, h) if "/asm" in f.parent.as_posix())
    return sorted(files | headers)


IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
# Only lower-case names are listed: kernel-map.py looks for nothing else (VM_BUG_ON() is not a function).
LOWER = re.compile(r"_*[a-z][a-z0-9_]*$")
KEYWORDS = {"if", "for", "while", "switch", "return", "sizeof", "typeof", "__typeof__", "defined",
            "__attribute__", "__attribute", "asm", "__asm__", "alignof", "_Alignof", "__alignof__",
            "_Static_assert", "static_assert", "__builtin_expect", "likely", "unlikely"}


def strip_comments_and_strings(text):
    """Blank out comments and string/char literals, keeping newlines (so line numbers stay)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "/" and text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "/" and text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(c + " " * max(0, j - i - 2) + c)
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def split_directives(text):
    """Return (code without preprocessor lines, list of (name, params, body) function-like macros)."""
    macros = []
    lines = text.split("\n")
    code = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith("#"):
            full = line
            while full.endswith("\\") and i + 1 < len(lines):
                i += 1
                full = full[:-1] + " " + lines[i]
                code.append("")
            code.append("")
            m = re.match(r"\s*#\s*define\s+(" + IDENT + r")\(([^)]*)\)(.*)", full)
            if m:
                params = [p.strip() for p in m.group(2).split(",") if p.strip()]
                macros.append((m.group(1), params, m.group(3)))
        else:
            code.append(line)
        i += 1
    return "\n".join(code), macros


def top_level_statements(code):
    """Yield the text of each top-level (brace depth 0) declaration that is followed by a body '{'."""
    depth = 0
    start = 0
    paren = 0
    for i, c in enumerate(code):
        if c == "(":
            paren += 1
        elif c == ")":
            paren -= 1
        elif c == "{":
            if depth == 0 and paren == 0:
                yield code[start:i]
            depth += 1
        elif c == "}":
            depth = max(0, depth - 1)
            if depth == 0:
                start = i + 1
        elif c == ";" and depth == 0 and paren == 0:
            start = i + 1


def defined_function(stmt):
    """The function a top-level 'declaration {' defines, or None (struct, enum, initializer...)."""
    flat = " ".join(stmt.split())
    if not flat or "(" not in flat:
        return None
    # An initializer ('= {') or a struct/union/enum body is not a function.
    depth = 0
    for c in flat:
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "=" and depth == 0:
            return None
    if re.search(r"\b(?:struct|union|enum)\s+" + IDENT + r"\s*$", flat):
        return None
    # The last parenthesised group at depth 0 named by an identifier that is not an attribute: the
    # parameter list (attributes such as __acquires(x) may follow it; macro invocations without a
    # semicolon, such as FOLIO_FLAG(...) lines, may precede the declaration).
    found = None
    depth = 0
    for m in re.finditer(r"(" + IDENT + r")\s*\(|[()]", flat):
        if m.group(1) is None:
            depth += 1 if m.group(0) == "(" else -1
            continue
        if depth == 0 and m.group(1) not in KEYWORDS and not is_attribute(m.group(1)):
            found = m
        depth += 1
    if found is None:
        return None
    name = found.group(1)
    if re.fullmatch(r"(?:COMPAT_)?SYSCALL_DEFINE\d", name):
        arg = re.match(r"\s*(" + IDENT + r")", flat[found.end():])
        return "sys_" + arg.group(1) if arg and not name.startswith("COMPAT_") else None
    return name


ATTRIBUTE = re.compile(r"^(?:__attribute__|__printf|__scanf|__section|__aligned|__alloc_size|__assume_aligned"
                       r"|__acquires|__releases|__must_hold|__cond_acquires|__cond_releases|__no_context_analysis"
                       r"|__diag\w*|__counted_by|__malloc|__realloc_size|__designated_init|__nocapture"
                       r"|__no_sanitize\w*|__nonstring|__access|__DECLARE\w*|__free|__cleanup"
                       r"|__acquires_shared|__releases_shared|__must_hold_shared|__cond_acquires_shared"
                       r"|__assumes_ctx\w*|__context\w*|__guarded\w*|__pt_guarded\w*|__returns_ctx\w*|__requires\w*"
                       r"|__excludes\w*|__user|__percpu|__rcu|__iomem|__force|__bitwise)$")


def is_attribute(name):
    return bool(ATTRIBUTE.match(name))


def expand(name, args, macros, depth=0):
    """Expand a function-like macro invocation with '##' pasting; nested invocations recursively."""
    if depth > 8 or name not in macros:
        return ""
    params, body = macros[name]
    if len(params) != len(args):
        return ""
    text = body
    for p, a in zip(params, args):
        text = re.sub(r"\b" + re.escape(p) + r"\b", a, text)
    text = re.sub(r"\s*##\s*", "", text)
    # Expand nested invocations of the same file's pasting macros.
    out = []
    pos = 0
    for m in re.finditer(r"\b(" + IDENT + r")\s*\(", text):
        if m.start() < pos or m.group(1) not in macros:
            continue
        inner_args, end = parse_args(text, m.end())
        if inner_args is None:
            continue
        out.append(text[pos:m.start()])
        out.append(expand(m.group(1), inner_args, macros, depth + 1))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def parse_args(text, pos):
    """Arguments of an invocation whose '(' ends just before pos; returns (args, end) or (None, pos)."""
    depth = 1
    args = []
    cur = []
    i = pos
    while i < len(text):
        c = text[i]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                args.append("".join(cur).strip())
                return [a for a in args if a or len(args) > 1], i + 1
        elif c == "," and depth == 1:
            args.append("".join(cur).strip())
            cur = []
            i += 1
            continue
        cur.append(c)
        i += 1
    return None, pos


def functions_in(path):
    text = strip_comments_and_strings(path.read_text(errors="replace"))
    code, macro_list = split_directives(text)
    names = set()
    for name, params, body in macro_list:
        names.add(name)
    for stmt in top_level_statements(code):
        fn = defined_function(stmt)
        if fn:
            names.add(fn)
    pasting = {n: (p, b) for n, p, b in macro_list if "##" in b}
    # Macros that only call pasting macros (PAGEFLAG -> TESTPAGEFLAG ...) expand too.
    changed = True
    while changed:
        changed = False
        for n, p, b in macro_list:
            if n not in pasting and any(re.search(r"\b" + re.escape(k) + r"\s*\(", b) for k in pasting):
                pasting[n] = (p, b)
                changed = True
    if pasting:
        for m in re.finditer(r"^\s*(" + IDENT + r")\s*\(", code, re.M):
            if m.group(1) not in pasting:
                continue
            args, _ = parse_args(code, m.end())
            if args is None:
                continue
            expanded = expand(m.group(1), args, pasting)
            for stmt in top_level_statements(expanded):
                fn = defined_function(stmt)
                if fn:
                    names.add(fn)
    return names


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: kernel-functions.py LINUX_SOURCE_DIR > scripts/linux-7.2-functions.txt")
    src = pathlib.Path(sys.argv[1])
    if not (src / "mm" / "swap.c").is_file():
        sys.exit(f"{src} is not a Linux source tree (no mm/swap.c); scripts/kernel-source.sh unpacks one")
    where = {}
    for f in scope_files(src):
        rel = f.relative_to(src).as_posix()
        for name in functions_in(f):
            where.setdefault(name, set()).add(rel)
    out = sys.stdout
    for name in sorted(n for n in where if LOWER.match(n)):
        out.write(name + "\t" + " ".join(sorted(where[name])) + "\n")


if __name__ == "__main__":
    main()
