"""Escaping for BibTeX/BibLaTeX (converters.text.latex, converters.writers.citation.names): examples and properties.

The oracle below (:func:`decode`) is written from what LaTeX means, not from the
escaper: it turns a field back into the text it stands for and raises on any
command outside math other than the text escapes, so every property that
decodes is also a check that nothing else reaches a field.
"""

from __future__ import annotations

import re
import sys
import unicodedata

import bibtexparser
import pytest
from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from pybtex.database import parse_string as pybtex_parse

from converters.text.clean import _INVISIBLE_RE, clean_line, one_line, without_controls, without_invisibles
from converters.text.clean import clean_line as clean
from converters.text.latex import MATH_COMMANDS, latex, latex_many, math_body, split_math
from converters.writers.citation.bibtex import bib_name
from converters.writers.citation.names import split_name, split_names

# --- the oracle ------------------------------------------------------------------------


TEXT_MACROS = {
    "textbackslash": "\\",
    "textasciitilde": "~",
    "textasciicircum": "^",
    "textless": "<",
    "textgreater": ">",
    "textbar": "|",
    "textbraceleft": "{",
    "textbraceright": "}",
}
_NEUTRALISED_RE = re.compile(r"\\backslash\\mathrm\{([A-Za-z]+)\}")
_SHOWN_SYMBOL_RE = re.compile(r"\\backslash (\\wedge |\\sim |\\backslash |.)", re.DOTALL)
_SHOWN = {r"\wedge ": "^", r"\sim ": "~", r"\backslash ": "\\"}
_MATH_ESCAPE_RE = re.compile(r"\\([&%#])")


class UnexpectedCommand(AssertionError):
    """A command outside math that is not one of the text escapes."""


def closing_dollar(value: str, start: int) -> int:
    """Index of the first ``$`` at or after ``start`` that a backslash does not escape."""
    at = value.find("$", start)
    while at >= 0:
        slashes = 0
        while at - slashes - 1 >= start and value[at - slashes - 1] == "\\":
            slashes += 1
        if slashes % 2 == 0:
            return at
        at = value.find("$", at + 1)
    raise AssertionError(f"unclosed math in {value!r}")


def decode_math(body: str) -> str:
    body = _NEUTRALISED_RE.sub(lambda m: "\\" + m.group(1), body)
    body = _SHOWN_SYMBOL_RE.sub(lambda m: "\\" + _SHOWN.get(m.group(1), m.group(1)), body)
    return _MATH_ESCAPE_RE.sub(r"\1", body)


def decode(value: str) -> str:
    """The text a field value stands for; math spans come back as ``$...$``."""
    out: list[str] = []
    pos = 0
    while (match := _TOKEN_RE.search(value, pos)) is not None:
        out.append(value[pos : match.start()])
        pos = match.end()
        token = match.group()
        if token == "$":
            end = closing_dollar(value, pos)
            out.append("$" + decode_math(value[pos:end]) + "$")
            pos = end + 1
        elif token in "{}":
            pass  # grouping (case protection)
        elif match.group("macro") is not None:
            if match.group("macro") not in TEXT_MACROS:
                raise UnexpectedCommand(f"command outside math: {token!r} in {value!r}")
            out.append(TEXT_MACROS[match.group("macro")])
        elif match.group("escaped") is not None:
            out.append(match.group("escaped"))
        else:
            raise UnexpectedCommand(f"command outside math: {value[match.start() : match.start() + 30]!r} in {value!r}")
    out.append(value[pos:])
    return "".join(out)


# Everything decode() acts on outside math; a "$" inside math is skipped by closing_dollar.
_TOKEN_RE = re.compile(r"\\(?P<macro>[A-Za-z]+)(?:\{\})?|\\(?P<escaped>[&%$#_{}])|\\.?|[{}$]", re.DOTALL)


def balanced(value: str) -> bool:
    """True when braces balance the way BibTeX counts them (every brace character, escaped or not)."""
    depth = 0
    for char in value:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


# --- strategies ------------------------------------------------------------------------

# Characters that make escaping interesting, plus ordinary ones, controls and invisibles.
_TRICKY = "\\{}$&%#_~^<>|\"'@,;:. -()[]*/=+`!?\t\n\x08\x00\x7f\u200b\u00ad\u2028\xa0"
_LETTERS = "abcxyzABCXYZ019éüŁ中"
tricky_text = st.text(alphabet=st.sampled_from(_TRICKY + _LETTERS), max_size=60)
any_text = st.one_of(tricky_text, st.text(max_size=60))
# TeX commands an attacker would try, and safe ones, glued into text and math.
_PAYLOADS = [
    r"\input{/etc/passwd}",
    r"\include{x}",
    r"\openout1=x",
    r"\write18{rm -rf /}",
    r"\immediate\write",
    r"\catcode`\@=11",
    r"\def\x{y}",
    r"\csname input\endcsname",
    r"\let\a\b",
    r"^^5cinput",
    r"\alpha",
    r"\mathbb{R}",
    r"\frac{a}{b}",
    "x^2_i",
    "$",
    "$x$",
    "{",
    "}",
]
payload_text = st.lists(st.one_of(st.sampled_from(_PAYLOADS), tricky_text), max_size=6).map("".join)
texts = st.one_of(any_text, payload_text)

DENIED = re.compile(
    r"\\(?:input|include|openout|openin|write|read|immediate|catcode|def|edef|gdef|xdef|let|csname|endcsname"
    r"|newcommand|renewcommand|special|expandafter|string|scantokens|directlua)(?![A-Za-z])"
)


def ambiguous_for_oracle(text: str) -> bool:
    """Inputs whose escaped form does not determine them, so a round trip cannot be exact.

    ``\\&`` and ``&`` both become ``\\&`` in math; ``$$..$$`` is written ``$..$``; a
    space separates a math command from a following non-ASCII letter; math shown
    as ``\\backslash\\mathrm{..}`` decodes as the command it stands for.
    """
    return bool(
        re.search(r"\\[&%#]|\$\$|\\[A-Za-z]+[^\x00-\x7f]|\\backslash|\\mathrm", clean(text))
        or any(ord(char) > 0x36F and not char.isalpha() for char in text)
    )


# --- clean-up --------------------------------------------------------------------------


def test_invisible_list_is_every_format_character_and_c1_control() -> None:
    listed = {chr(c) for c in range(sys.maxunicode + 1) if _INVISIBLE_RE.match(chr(c))}
    expected = {chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"}
    expected |= {chr(c) for c in range(0x80, 0xA0)}
    assert listed == expected


@given(st.text())
@example("a\r\nb\x08c\u200b d\u2028e\xa0 ")
def test_clean_line_is_whitespace_collapse_then_removal(text: str) -> None:
    assert clean_line(text) == one_line(without_invisibles(without_controls(one_line(text))))


@given(st.text())
def test_clean_line_leaves_nothing_unprintable(text: str) -> None:
    line = clean_line(text)
    assert "\n" not in line and "  " not in line and line == line.strip()
    assert all(char == " " or char.isprintable() or unicodedata.category(char) in ("Co", "Cn", "Cs") for char in line)


# --- text escaping ---------------------------------------------------------------------


def test_reference_record() -> None:
    """The reference record of output-formats.md §1.5, character for character."""
    title = "VOLT: Fast & Accurate 3D Reconstruction with 50% Fewer Parameters for $\\alpha$-Networks"
    assert latex(title, protect=True) == (
        r"{VOLT}: Fast \& Accurate {3D} Reconstruction with 50\% Fewer Parameters for {$\alpha$}-Networks"
    )
    abstract = (
        "We present VOLT, a method_name that uses {braces}, #hashtags, ~tilde and ^carets.\n"
        "It costs $5 & beats C++ baselines by 10%. Backslash: \\cite{x}."
    )
    assert latex(abstract) == (
        r"We present VOLT, a method\_name that uses \{braces\}, \#hashtags, \textasciitilde{}tilde and"
        r" \textasciicircum{}carets. It costs \$5 \& beats C++ baselines by 10\%. Backslash:"
        r" \textbackslash{}cite\{x\}."
    )
    names = ["Seung-Woo Jeong", "José Müller", "Łukasz Kaiser", "Jean-Luc Picard Jr.", "Wei Zhang"]
    written = [bib_name(n, ascii=False) for n in map(split_name, names) if n]
    assert (
        " and ".join(written)
        == "Jeong, Seung-Woo and Müller, José and Kaiser, Łukasz and Picard, Jr., Jean-Luc and Zhang, Wei"
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("$5 and $10", r"\$5 and \$10"),
        ("costs $4 per run", r"costs \$4 per run"),
        ("($/1k queries)", r"(\$/1k queries)"),
        ("\\$0.60 per trajectory", r"\textbackslash{}\$0.60 per trajectory"),
        ("$ x $ is not math", r"\$ x \$ is not math"),
        ("$x$ and $y$", "$x$ and $y$"),
        ("$$E=mc^2$$", "$E=mc^2$"),
        ("a } b { c", r"a \textbraceright{} b \textbraceleft{} c"),
        ("{a} {b", r"\{a\} \textbraceleft{}b"),
        ("<think>x</think>", r"\textless{}think\textgreater{}x\textless{}/think\textgreater{}"),
        ("S\textsc{x}", r"S extsc\{x\}"),  # TAB + "extsc": the JSON-decoded \textsc of the corpus
        ("A\x08B\u200bC", "ABC"),
        ("line\nbreak  and\ttab", "line break and tab"),
    ],
)
def test_text_examples(raw: str, expected: str) -> None:
    assert latex(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("$\\input{/etc/passwd}$", r"$\backslash\mathrm{input}{/etc/passwd}$"),
        ("$\\csname x\\endcsname$", r"$\backslash\mathrm{csname} x\backslash\mathrm{endcsname}$"),
        ("$\\def\\a{b}$", r"$\backslash\mathrm{def}\backslash\mathrm{a}{b}$"),
        ("$\\catcode`\\^=7$", r"$\backslash\mathrm{catcode}`\backslash \wedge =7$"),
        ("$^^5cinput$", r"\$\textasciicircum{}\textasciicircum{}5cinput\$"),  # ^^ forces text
        ("$\\{x$", r"\$\textbackslash{}\textbraceleft{}x\$"),  # BibTeX would count that brace
        ("$a & b % c # d$", r"$a \& b \% c \# d$"),
        ("$\\mathds{C}$", r"$\backslash\mathrm{mathds}{C}$"),
        ("$Δ(27)$ and $η\\to ω$", r"${\Delta}(27)$ and ${\eta}\to {\omega}$"),
        ("$\\mathbfω$", r"$\mathbf {\omega}$"),
        ("$\\alpha\\beta$", r"$\alpha\beta$"),
    ],
)
def test_math_examples(raw: str, expected: str) -> None:
    assert latex(raw) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Deep Learning for ImageNet", "Deep Learning for {ImageNet}"),
        ("GPT-4o and LLMs: A Survey", "{GPT-4o} and {LLMs}: A Survey"),
        ("Vision-Language Models", "Vision-Language Models"),
        ("3D Gaussian Splatting", "{3D} Gaussian Splatting"),
        ("On Type II$_0$ Loci", "On Type {II}{$_0$} Loci"),
        ("A $B$ meson", "A {$B$} meson"),
    ],
)
def test_title_protection(title: str, expected: str) -> None:
    assert latex(title, protect=True) == expected


def test_ascii_turns_accents_into_macros() -> None:
    assert latex("Über Łukasz ą 中", protect=True, ascii=True) == r"{\"U}ber {\L}ukasz {\k{a}} {\texttt{U+4E2D}}"
    assert latex("$Δ$", ascii=True) == r"${\Delta}$"


@given(any_text)
def test_text_without_math_round_trips(text: str) -> None:
    for protect in (False, True):
        written = latex(text, math=False, protect=protect)
        assert balanced(written)
        assert decode(written) == clean(text)


@settings(max_examples=300)
@given(texts)
def test_text_with_math_round_trips(text: str) -> None:
    assume(not ambiguous_for_oracle(text))
    for protect in (False, True):
        written = latex(text, protect=protect)
        assert balanced(written)
        assert decode(written) == clean(text)


@settings(max_examples=300)
@given(texts)
@example(r"$\input{x}$ \input{y} $\immediate\write18{z}$ $^^5cinput$")
def test_no_dangerous_command_survives(text: str) -> None:
    for protect in (False, True):
        written = latex(text, protect=protect)
        assert balanced(written)
        assert "^^" not in written
        assert not DENIED.search(written), written
        decode(written)  # raises on any command outside math but the escapes
        for body in _math_bodies(written):
            names = set(re.findall(r"\\([A-Za-z]+)", body))
            assert names <= MATH_COMMANDS | {"backslash", "mathrm"}, names
        # --ascii adds only macros from pylatexenc's table of characters
        ascii = latex(text, protect=protect, ascii=True)
        assert balanced(ascii) and "^^" not in ascii and not DENIED.search(ascii), ascii


def _math_bodies(written: str) -> list[str]:
    bodies = []
    i = 0
    while (start := _next_dollar(written, i)) >= 0:
        end = closing_dollar(written, start + 1)
        bodies.append(written[start + 1 : end])
        i = end + 1
    return bodies


def _next_dollar(value: str, start: int) -> int:
    try:
        return closing_dollar(value, start)
    except AssertionError:
        return -1


@given(any_text)
def test_ascii_output_is_ascii(text: str) -> None:
    assert latex(text, protect=True, ascii=True).isascii()


@given(st.text(max_size=40))
def test_math_body_is_none_or_balanced(body: str) -> None:
    safe = math_body(body)
    if safe is not None:
        assert balanced(safe) and "^^" not in safe


@given(texts)
def test_split_math_keeps_every_character_outside_math(text: str) -> None:
    cleaned = clean(text)
    text_part = "".join(piece for is_math, piece in split_math(cleaned) if not is_math)
    assert len(text_part) <= len(cleaned)


@given(st.lists(st.one_of(tricky_text, st.sampled_from(["Ada Lovelace", "an\x08d", "Kimi Team", "x, y", "de Gaulle"]))))
def test_splitting_a_list_is_splitting_each_name(names: list[str]) -> None:
    assert list(split_names(names)) == [n for n in map(split_name, names) if n is not None]


@given(st.lists(texts, max_size=5), st.booleans(), st.booleans())
def test_a_batch_is_each_value_alone(values: list[str], math: bool, protect: bool) -> None:
    assert latex_many(values, math=math, protect=protect) == [latex(v, math=math, protect=protect) for v in values]


# --- whole entries through pybtex and bibtexparser --------------------------------------


def _entry(title: str, names: list[str]) -> tuple[str, list[str], list[str]]:
    """(entry text, the escaped author strings, the cleaned names) for a title and author list."""
    people = [n for n in map(split_name, names) if n is not None]
    authors = [bib_name(person, ascii=False) for person in people]
    fields = [f"  title = {{{latex(title, protect=True)}}},"]
    if authors:
        fields.append(f"  author = {{{' and '.join(authors)}}},")
    return "@misc{key,\n" + "\n".join(fields) + "\n}\n", authors, [clean(n) for n in names if clean(n)]


names_strategy = st.lists(
    st.one_of(
        tricky_text,
        st.text(max_size=30),
        st.sampled_from(
            [
                "Jean-Luc Picard Jr.",
                "Ludwig van Beethoven",
                "ATLAS Collaboration",
                "danah boyd",
                "de Gaulle",
                "Kimi Team",
                "A and B",
                "Smith, John",
                "{Braced} Name",
                "others",
                "José Müller",
                "李雷",
            ]
        ),
    ),
    max_size=5,
)


@settings(max_examples=200, deadline=None)
@given(texts, names_strategy)
@example("Attention Is All You Need", ["Ashish Vaswani", "Noam Shazeer"])
def test_any_title_and_authors_parse_back(title: str, names: list[str]) -> None:
    entry, _, cleaned_names = _entry(title, names)
    written_title = latex(title, protect=True)

    pybtex_entry = pybtex_parse(entry, "bibtex").entries["key"]  # strict by default
    assert pybtex_entry.fields["title"] == written_title
    persons = pybtex_entry.persons.get("author", [])
    assert len(persons) == len(cleaned_names)
    for person, expected in zip(persons, cleaned_names, strict=True):
        parts = [*person.first_names, *person.middle_names, *person.prelast_names, *person.last_names]
        parts += person.lineage_names
        assert decode(" ".join(parts)) == expected

    library = bibtexparser.parse_string(entry, append_middleware=[SeparateCoAuthors(), SplitNameParts()])
    assert not library.failed_blocks
    parsed = library.entries[0]
    assert parsed["title"] == written_title
    parsed_names = parsed.fields_dict["author"].value if "author" in parsed.fields_dict else []
    assert len(parsed_names) == len(cleaned_names)
    for name, expected in zip(parsed_names, cleaned_names, strict=True):
        assert decode(" ".join([*name.first, *name.von, *name.last, *name.jr])) == expected

    if not ambiguous_for_oracle(title):
        assert decode(written_title) == clean(title)
