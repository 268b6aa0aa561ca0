"""Hostile text and the checks that say an output stayed closed to it.

One payload set for every writer (``PAYLOADS``, by the context each one attacks),
and one checker per kind of consumer: TeX (:func:`tex_problems`), HTML shown by
feed readers and web pages (:func:`html_problems`, :func:`link_problems`),
spreadsheets (:func:`formula_problems`) and file names derived from content
(:func:`file_name_problems`). Each checker returns what it found wrong, an empty
list when nothing. ``tests/test_injection.py`` runs them over every writer and
the fuzz harnesses (``fuzz/harnesses.py``) over arbitrary papers; the export
command's file names go through :func:`file_name_problems` once it exists.

Importable on its own: no pytest, nothing but the standard library and arxport.
"""

from __future__ import annotations

import functools
import re
from html.parser import HTMLParser

from converters.text.latex import MATH_COMMANDS

#: Hostile values, by what they attack. Every writer gets every one of them in every text field.
PAYLOADS: dict[str, tuple[str, ...]] = {
    "tex": (
        r"\input{/etc/passwd}",
        r"\include{/etc/passwd}",
        r"\immediate\write18{touch pwned}",
        r"\write18{rm -rf ~}",
        r"\catcode`\@=11 \makeatletter",
        r"\csname input\endcsname{/etc/passwd}",
        r"\def\x{\x}\x",
        r"\openout1=pwned.tex \openin1=/etc/passwd",
        "^^5cinput{/etc/passwd}",
        "^^5c^^69nput{/etc/passwd}",
        r"\^^5cinput",
        r"$\input{/etc/passwd}$",
        r"$\write18{id}$",
        r"$\immediate\write18{id}$",
        "$^^5cinput{/etc/passwd}$",
        r"$\csname input\endcsname{x}$",
        r"$\catcode 92=12$",
        r"$\def\x{\x}\x$",
        r"$\text{\input{/etc/passwd}}$",
        r"$\mathrm{\input{x}}$",
        r"$$\write18{ls}$$",
        r"$x}\input{a}{y$",
        r"}\input{x}{",
        "}} @misc{evil, title={pwned}} {{",
        r"\\input{x}",
        r"\$\input{x}\$",
        r"$\alpha$ \relax \expandafter\input\jobname",
        r"\usepackage{shellesc}\ShellEscape{id}",
        r"\directlua{os.execute('id')}",
        r"\scantokens{\input x}",
        r"% comment } \input{x}",
        "\\\ninput{x}",
    ),
    "html": (
        "<script>alert(1)</script>",
        "</script><script>alert(1)</script>",
        "</SCRIPT ><script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "<svg/onload=alert(1)>",
        '"><svg onload=alert(1)>',
        "' onmouseover='alert(1)",
        '<a href="javascript:alert(1)">click</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
        '<iframe src="//evil.example"></iframe>',
        "<style>body{display:none}</style>",
        '<meta http-equiv="refresh" content="0;url=https://evil.example">',
        "<!-- <script>alert(1)</script> -->",
        "<![CDATA[<script>alert(1)</script>]]>",
        "]]><script>alert(1)</script>",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&#60;script&#62;alert(1)&#60;/script&#62;",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "\u2028\u2029<script>",
        '{"@context": "https://evil.example", "@id": "javascript:alert(1)"}',
    ),
    "formula": (
        '=HYPERLINK("http://evil.example","click")',
        "=cmd|' /C calc'!A0",
        "+1+1",
        "-2+3",
        "@SUM(A1:A9)",
        "\t=1+1",
        "\r=1+1",
        "\n=1+1",
        "'=1+1",
        " =1+1",
        '=1+2";=1+2',
    ),
    "file-name": (
        "../../etc/passwd",
        "..",
        ".",
        "/etc/passwd",
        "a/b",
        "a\\b",
        "C:evil",
        "CON",
        "con.txt",
        "NUL",
        "aux.bib",
        "COM1",
        "LPT9.csv",
        "name.",
        "name ",
        "a:b*c?d",
        'a"b<c>d|e',
        "x\x00y",
        "x\ny",
        "-rf",
        "~",
        "",
        "a" * 300,
        "\u202etxt.exe",
        "ＣＯＮ",
    ),
    # Characters that break lines, files or XML, and text that ends fields early.
    "text": (
        "\x00\x01\x07\x08\x0b\x0c\x1b\x7f",
        "\u0085\u2028\u2029\x1c\x1d\x1e\r\v\f",
        "\ufeff\u200b\u202e\ufffe\uffff",
        "line one\n\n### [9] [Injected](https://arxiv.org/abs/2501.99999)\n",
        "</details>\n\n## cs.XX",
        "x\ny: error: forged problem [forged]",
        "\ud800 lone surrogate \udfff",
        "𝕏 emoji 👩‍👩‍👧 中文 한국어 العربية",
    ),
}

#: Every payload, once, in a stable order.
ALL_PAYLOADS: tuple[str, ...] = tuple(dict.fromkeys(p for group in PAYLOADS.values() for p in group))

# --- TeX ------------------------------------------------------------------------------------

#: Text-mode commands arxport's LaTeX escaping writes (see converters/text/latex.py).
_TEXT_COMMANDS = frozenset(
    """textbackslash textasciitilde textasciicircum textless textgreater textbar textbraceleft textbraceright
    texttt ensuremath""".split()  # noqa: SIM905
)
#: Primitives and macros that read or write files, run programs, change category codes or define
#: anything: none may ever appear as a command, whatever else is allowed.
DANGEROUS_TEX = frozenset(
    """input include InputIfFileExists openin openout read readline write write18 immediate ShellEscape
    directlua luaexec latelua catcode lccode uccode sfcode mathcode delcode csname endcsname string
    expandafter def edef gdef xdef let futurelet newcommand renewcommand providecommand
    DeclareRobustCommand usepackage RequirePackage documentclass special scantokens everypar everyjob
    output shipout jobname makeatletter makeatother loop pdfprimitive primitive relax end dump
    newwrite newread endinput afterassignment aftergroup global long outer protected""".split()  # noqa: SIM905
)
_CONTROL_SEQUENCE_RE = re.compile(r"\\([A-Za-z@]+|.)", re.DOTALL)


@functools.cache
def _ascii_commands() -> frozenset[str]:
    """Every command pylatexenc may write for a non-ASCII character (``--ascii``)."""
    from pylatexenc.latexencode._uni2latexmap import uni2latex

    found = {m.group(1) for value in uni2latex.values() for m in _CONTROL_SEQUENCE_RE.finditer(value)}
    return frozenset(name for name in found if name.isalpha())


def tex_problems(text: str, *, ascii: bool = False) -> list[str]:
    """What in ``text`` (a field value as BibTeX reads it, or a whole ``.bib``) could run TeX code.

    Every control word must be one arxport's escaping writes (text escapes, the math
    allow-list, and with ``ascii`` pylatexenc's accent macros), never one of
    :data:`DANGEROUS_TEX`; ``^^`` (TeX's character-code escape) never appears.
    """
    found: list[str] = []
    if "^^" in text:
        found.append("^^ (a character-code escape)")
    allowed = MATH_COMMANDS | _TEXT_COMMANDS | (_ascii_commands() if ascii else frozenset())
    for match in _CONTROL_SEQUENCE_RE.finditer(text):
        name = match.group(1)
        if name in DANGEROUS_TEX:
            found.append(f"\\{name}")
        elif (name.isalpha() and name not in allowed) or name in ("@",):
            found.append(f"\\{name} (not a command arxport writes)")
    return found


# --- HTML and links -------------------------------------------------------------------------

#: Tags a writer's HTML (feed item content) may hold, and the attributes each may carry.
SAFE_TAGS: dict[str, frozenset[str]] = {
    "p": frozenset(),
    "br": frozenset(),
    "strong": frozenset(),
    "em": frozenset(),
    "b": frozenset(),
    "i": frozenset(),
    "ul": frozenset(),
    "ol": frozenset(),
    "li": frozenset(),
    "code": frozenset(),
    "a": frozenset({"href"}),
}
SAFE_SCHEMES = ("http://", "https://")


def link_problems(url: str) -> list[str]:
    """What is wrong with a link a writer made clickable: only absolute http(s) URLs without white space or quotes."""
    if not url.lower().startswith(SAFE_SCHEMES):
        return [f"link {url[:60]!r} is not http(s)"]
    if any(char in url for char in ' \t\n\r"<>\\`') or not url.isprintable():
        return [f"link {url[:60]!r} holds characters a URI cannot"]
    return []


class _HtmlAudit(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in SAFE_TAGS:
            self.found.append(f"<{tag}> element")
            return
        for name, value in attrs:
            if name not in SAFE_TAGS[tag]:
                self.found.append(f"{name}= attribute on <{tag}>")
            elif name == "href":
                self.found += link_problems(value or "")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        if tag not in SAFE_TAGS:
            self.found.append(f"</{tag}> end tag")

    def handle_comment(self, data: str) -> None:
        self.found.append("an HTML comment")

    def handle_decl(self, decl: str) -> None:
        self.found.append(f"a declaration <!{decl[:20]}>")

    def unknown_decl(self, data: str) -> None:
        self.found.append(f"a declaration <![{data[:20]}")

    def handle_pi(self, data: str) -> None:
        self.found.append("a processing instruction")


def html_problems(html_text: str) -> list[str]:
    """What in an HTML fragment a browser or feed reader would run or render as markup beyond the safe tags."""
    audit = _HtmlAudit()
    audit.feed(html_text)
    audit.close()
    return audit.found


def script_element_problems(page: str) -> list[str]:
    """What lets text out of the one ``<script type="application/ld+json">`` element of an embedded JSON-LD page."""
    found: list[str] = []
    lower = page.lower()
    if lower.count("<script") != 1 or lower.count("</script") != 1:
        found.append("more than one <script> start or end")
    if "<!--" in page:
        found.append("<!-- inside the script element")
    return found


# --- spreadsheets ---------------------------------------------------------------------------

#: What a spreadsheet cell may not start with (OWASP CSV injection, plus NUL).
FORMULA_START = frozenset("=+-@\t\r\n\x00")


def formula_problems(cells: list[str]) -> list[str]:
    """Cells a spreadsheet would read as a formula."""
    return [f"cell starts a formula: {cell[:40]!r}" for cell in cells if cell[:1] in FORMULA_START]


# --- file names -----------------------------------------------------------------------------

_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{kind}{n}" for kind in ("COM", "LPT") for n in [*"123456789", "¹", "²", "³"]]
)
_FORBIDDEN_IN_NAME = frozenset('/\\:*?"<>|')


def file_name_problems(name: str) -> list[str]:
    """What keeps ``name`` (one path component made from content) from being a safe file name everywhere.

    Safe: one component (no separator, not ``.``/``..``), no control or format
    character, nothing Windows forbids (``:*?"<>|``, a trailing dot or space, a
    reserved device name such as ``CON`` or ``aux.bib``), no leading ``-`` or
    ``.`` (an option to a shell command, a hidden file), and at most 255 bytes.
    """
    import unicodedata

    found: list[str] = []
    if not name:
        return ["empty"]
    if name in (".", ".."):
        found.append("a directory reference")
    if _FORBIDDEN_IN_NAME & set(name):
        found.append("a path separator or a character Windows forbids")
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in name):
        found.append("a control or format character")
    if name[-1] in ". ":
        found.append("ends with a dot or space")
    if name[0] in "-.~ ":
        found.append("starts with - . ~ or a space")
    stem = unicodedata.normalize("NFKC", name).split(".")[0].rstrip(" ").upper()
    if stem in _WINDOWS_RESERVED:
        found.append("a reserved device name")
    if len(name.encode("utf-8", "surrogatepass")) > 255:
        found.append("longer than 255 bytes")
    return found
