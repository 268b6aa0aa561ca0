"""Untrusted text as LaTeX that compiles, reads like the original and cannot run anything.

The model holds titles and abstracts as the digest gave them: TeX source written
partly by people (``$\\alpha$``, ``\\emph{}``) and partly by a language model, so
any byte may be hostile. :func:`latex` turns such a value into the body of a
BibTeX field:

* control characters and invisible format characters are removed, and
  whitespace (newlines included) collapses to single spaces;
* outside math, ``\\ { } $ & % # _ ~ ^ < > |`` are escaped (``\\&``,
  ``\\textbackslash{}`` ...), so a backslash in the input can never start a
  command; braces become ``\\{`` ``\\}`` when they pair up and
  ``\\textbraceleft{}`` / ``\\textbraceright{}`` when not, because BibTeX counts
  ``\\{`` as a brace too;
* ``$...$`` (and ``$$...$$``, written as ``$...$``) is kept as math when the
  ``$`` pair looks like math (no space just inside either ``$``, so "costs $5
  and $10" stays text) and the body passes :func:`math_body`:
  balanced braces, no ``^^`` (TeX's character-code escape), and only commands
  from :data:`MATH_COMMANDS` (standard LaTeX, amsmath and amssymb). Any other
  command is neutralised to ``\\backslash\\mathrm{name}``: shown, never run.
  This is how ``\\input``, ``\\write``, ``\\def``, ``\\catcode``, ``\\csname``
  and every other file, shell or definition primitive are kept out, even inside
  math. ``& % #`` inside math are escaped as well;
* with ``protect=True`` (titles), words with a capital after their first letter
  (``VOLT``, ``3D``, ``ImageNet``, ``GPT-4o``) and every math span are wrapped in
  braces so that styles which lower-case titles leave them alone;
* with ``ascii=True``, every non-ASCII character becomes a LaTeX macro
  (``{\\"u}``, ``{\\L}``, ``{\\ensuremath{\\Delta}}``); characters LaTeX has no
  macro for (CJK ...) become ``{\\texttt{U+4E2D}}``.

Escaping happens once, from the raw value: the output is never escaped again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from .text import clean_line

#: Commands that may stay inside ``$...$``: math symbols, operators, fonts, accents
#: and delimiters of LaTeX, amsmath and amssymb. None of them reads or writes a
#: file, runs anything, changes category codes or defines anything.
MATH_COMMANDS: frozenset[str] = frozenset(
    """
    alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa varkappa lambda mu nu xi
    pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega digamma
    Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega
    varGamma varDelta varTheta varLambda varXi varPi varSigma varUpsilon varPhi varPsi varOmega
    aleph beth gimel daleth ell hbar hslash imath jmath wp Re Im partial infty nabla emptyset varnothing
    forall exists nexists neg lnot top bot angle measuredangle sphericalangle triangle backslash prime
    backprime surd flat natural sharp clubsuit diamondsuit heartsuit spadesuit Box Diamond square
    blacksquare lozenge blacklozenge checkmark complement mho eth Finv Game Bbbk circledS
    ldots cdots vdots ddots dots dotsb dotsc dotsi dotsm dotso cdotp ldotp colon
    pm mp times div cdot ast star circ bullet oplus ominus otimes oslash odot cap cup uplus sqcap sqcup
    vee wedge land lor setminus smallsetminus wr diamond bigtriangleup bigtriangledown triangleleft
    triangleright lhd rhd unlhd unrhd amalg dagger ddagger boxplus boxminus boxtimes boxdot ltimes
    rtimes dotplus centerdot circledast circledcirc intercal
    leq le geq ge neq ne equiv sim simeq approx cong propto prec succ preceq succeq ll gg lll ggg
    subset supset subseteq supseteq subsetneq supsetneq Subset Supset sqsubset sqsupset sqsubseteq
    sqsupseteq in ni notin vdash dashv models perp mid parallel nmid nparallel asymp bowtie smile frown
    doteq lesssim gtrsim lessapprox gtrapprox leqslant geqslant nleq ngeq nless ngtr approxeq backsim
    thicksim thickapprox triangleq trianglelefteq trianglerighteq vartriangleleft vartriangleright
    lessgtr gtrless therefore because
    leftarrow rightarrow to gets leftrightarrow Leftarrow Rightarrow Leftrightarrow longleftarrow
    longrightarrow longleftrightarrow Longleftarrow Longrightarrow Longleftrightarrow mapsto longmapsto
    hookleftarrow hookrightarrow uparrow downarrow updownarrow Uparrow Downarrow Updownarrow nearrow
    searrow swarrow nwarrow rightleftharpoons leftrightharpoons leftharpoonup rightharpoonup
    leftharpoondown rightharpoondown implies impliedby iff leadsto rightsquigarrow twoheadrightarrow
    twoheadleftarrow xrightarrow xleftarrow
    sum prod coprod int iint iiint oint bigcap bigcup bigvee bigwedge bigoplus bigotimes bigodot
    biguplus bigsqcup limits nolimits
    arccos arcsin arctan arg cos cosh cot coth csc deg det dim exp gcd hom inf ker lg lim liminf limsup
    ln log max min Pr sec sin sinh sup tan tanh operatorname
    left right middle big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr langle rangle
    lfloor rfloor lceil rceil lvert rvert lVert rVert vert Vert lbrace rbrace
    hat widehat tilde widetilde bar overline underline vec dot ddot dddot acute grave breve check
    mathring overrightarrow overleftarrow overbrace underbrace
    frac dfrac tfrac cfrac sqrt binom dbinom tbinom stackrel overset underset substack
    mathrm mathbf mathit mathsf mathtt mathcal mathbb mathfrak mathnormal boldsymbol pmb
    text textrm textbf textit texttt textsf textnormal textup emph mbox rm bf it sf tt cal
    displaystyle textstyle scriptstyle scriptscriptstyle quad qquad not pmod bmod mod pod
    """.split()  # noqa: SIM905  (a word list reads better than 380 quoted strings)
)

# Inside math, Unicode Greek letters and common symbols become the commands every
# engine knows in math mode (pdflatex has no glyph for a raw "Δ" there). Capital
# Greek letters that look Latin are Latin letters in TeX.
_MATH_UNICODE = str.maketrans(
    {
        **{
            chr(0x3B1 + i): "{\\" + name + "}"
            for i, name in enumerate(
                [
                    "alpha",
                    "beta",
                    "gamma",
                    "delta",
                    "varepsilon",
                    "zeta",
                    "eta",
                    "theta",
                    "iota",
                    "kappa",
                    "lambda",
                    "mu",
                    "nu",
                    "xi",
                    "o",
                    "pi",
                    "rho",
                    "varsigma",
                    "sigma",
                    "tau",
                    "upsilon",
                    "varphi",
                    "chi",
                    "psi",
                    "omega",
                ]
            )
        },
        "ο": "o",
        **{
            letter: "{\\" + name + "}"
            for letter, name in zip(
                "ΓΔΘΛΞΠΣΥΦΨΩ",
                ["Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega"],
                strict=True,
            )
        },
        **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΧ", "ABEZHIKMNOPTX", strict=True)),
        "ϵ": "{\\epsilon}",
        "ϑ": "{\\vartheta}",
        "ϕ": "{\\phi}",
        "ϖ": "{\\varpi}",
        "ϱ": "{\\varrho}",
        "≤": "{\\leq}",
        "≥": "{\\geq}",
        "≠": "{\\neq}",
        "≈": "{\\approx}",
        "∼": "{\\sim}",
        "≃": "{\\simeq}",
        "≡": "{\\equiv}",
        "≪": "{\\ll}",
        "≫": "{\\gg}",
        "∝": "{\\propto}",
        "∞": "{\\infty}",
        "±": "{\\pm}",
        "∓": "{\\mp}",
        "×": "{\\times}",
        "÷": "{\\div}",
        "·": "{\\cdot}",
        "⋅": "{\\cdot}",
        "∘": "{\\circ}",
        "°": "{^\\circ}",
        "∈": "{\\in}",
        "∉": "{\\notin}",
        "⊂": "{\\subset}",
        "⊆": "{\\subseteq}",
        "∪": "{\\cup}",
        "∩": "{\\cap}",
        "∀": "{\\forall}",
        "∃": "{\\exists}",
        "¬": "{\\neg}",
        "∧": "{\\wedge}",
        "∨": "{\\vee}",
        "⊗": "{\\otimes}",
        "⊕": "{\\oplus}",
        "→": "{\\to}",
        "←": "{\\leftarrow}",
        "↔": "{\\leftrightarrow}",
        "⇒": "{\\Rightarrow}",
        "⇔": "{\\Leftrightarrow}",
        "∑": "{\\sum}",
        "∏": "{\\prod}",
        "∫": "{\\int}",
        "∂": "{\\partial}",
        "∇": "{\\nabla}",
        "ℓ": "{\\ell}",
        "ℏ": "{\\hbar}",
        "⟨": "{\\langle}",
        "⟩": "{\\rangle}",
        "…": "{\\ldots}",
        "⋯": "{\\cdots}",
        "−": "-",
        "′": "'",
        "∗": "*",
        "∣": "{\\mid}",
        "‖": "{\\|}",
    }
)

# Control symbols (backslash + one non-letter) that are harmless in math.
_MATH_SYMBOLS = frozenset(",;:!> {}%#&$_|/-*")
# What a neutralised control symbol shows after \backslash (the rest show as themselves).
_MATH_SYMBOL_SHOWN = {"^": r"\wedge ", "~": r"\sim ", "\\": r"\backslash "}

_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}",
    "$": r"\$",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}
# Backslash first: the other escapes bring backslashes of their own.
_TEXT_ESCAPE_ORDER = tuple(_TEXT_ESCAPES.items())
_SPECIALS = "\\{}$&%#_~^<>|"
_SPECIAL_RE = re.compile(r"[\\{}$&%#_~^<>|]")
_BRACE_RE = re.compile(r"[{}]")
# A word for case protection: letters and digits, joined by - ' ’ or . inside.
_WORD_RE = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*")
# A letter or digit followed by a capital: the cheap test for "some word may need protection".
_INNER_CAPITAL_RE = re.compile(r"[^\W_][^\W\d_a-z]")
_MATH_TOKEN_RE = re.compile(r"\\([A-Za-z]+)|\\(.)|(\^\^)|([{}])|([&%#])", re.DOTALL)

Segment = tuple[bool, str]  # (is math, text): math text is a sanitised body without the dollars


def clean(text: str) -> str:
    """``text`` without control or invisible characters, on one line (what every field gets first)."""
    return clean_line(text)


def latex(
    text: str | None, *, math: bool = True, protect: bool = False, ascii: bool = False, cleaned: bool = False
) -> str:
    """``text`` as a LaTeX field body (see the module docstring); ``""`` for None.

    ``math`` keeps ``$...$`` as math (titles, abstracts, summaries; not names).
    ``cleaned`` says ``text`` already went through :func:`clean`.
    """
    if not text:
        return ""
    if not cleaned:
        text = clean(text)
    if not protect and not _has_special(text):  # the common case: nothing to do
        return to_ascii(text) if ascii and not text.isascii() else text
    segments = split_math(text) if math and "$" in text else [(False, text)]
    out = _render(segments, protect)
    return to_ascii(out) if ascii and not out.isascii() else out


def split_math(text: str) -> list[Segment]:
    """``text`` cut into text and math segments; math whose body :func:`math_body` rejects stays text."""
    segments: list[Segment] = []
    start = 0  # where the pending text segment starts
    for open_at, body_start, body_end, close_end in _math_spans(text):
        body = math_body(text[body_start:body_end])
        if body is None:
            continue  # stays part of the surrounding text, dollars escaped
        if open_at > start:
            segments.append((False, text[start:open_at]))
        segments.append((True, body))
        start = close_end
    if start < len(text):
        segments.append((False, text[start:]))
    return segments


def _unescaped_dollars(text: str) -> list[int]:
    found = []
    at = text.find("$")
    while at >= 0:
        slashes = 0
        while at - slashes > 0 and text[at - slashes - 1] == "\\":
            slashes += 1
        if slashes % 2 == 0:  # "\$" is an escaped dollar in TeX source, never a delimiter
            found.append(at)
        at = text.find("$", at + 1)
    return found


def _math_spans(text: str) -> list[tuple[int, int, int, int]]:
    """(opening $, body start, body end, after closing $) for each math span, left to right.

    As in TeX, math ends at the next unescaped ``$``, so a body never holds one.
    A ``$`` opens math only when a non-space follows it and the next ``$`` has a
    non-space before it; otherwise it is a literal dollar ("costs $5 and $10").
    ``$$...$$`` is math when the next dollar pair closes it.
    """
    dollars = _unescaped_dollars(text)
    spans = []
    count = len(dollars)
    index = 0
    while index < count:
        at = dollars[index]
        if index + 1 < count and dollars[index + 1] == at + 1:  # "$$"
            if index + 3 < count and dollars[index + 3] == dollars[index + 2] + 1 and dollars[index + 2] > at + 2:
                spans.append((at, at + 2, dollars[index + 2], dollars[index + 2] + 2))
                index += 4
            else:
                index += 2
            continue
        if index + 1 < count and not text[at + 1].isspace():
            close = dollars[index + 1]
            if not text[close - 1].isspace():
                spans.append((at, at + 1, close, close + 1))
                index += 2
                continue
        index += 1
    return spans


def math_body(body: str) -> str | None:
    """The body of a ``$...$`` span made safe, or None when it cannot be kept as math.

    Commands outside :data:`MATH_COMMANDS` become ``\\backslash\\mathrm{name}``;
    ``& % #`` are escaped. None for a ``^^`` sequence, or for braces that do not
    balance both as TeX groups and as BibTeX counts them (``\\{`` included).
    """
    out: list[str] = []
    depth = 0  # TeX groups: unescaped braces
    raw_depth = 0  # what BibTeX counts: every brace character, "\\{" included
    pos = 0
    for match in _MATH_TOKEN_RE.finditer(body):
        out.append(_math_text(body[pos : match.start()]))
        pos = match.end()
        name, symbol, hats, brace, special = match.groups()
        if name is not None:
            if name in MATH_COMMANDS:
                out.append("\\" + name)
                following = body[pos : pos + 1]
                if following and not following.isascii() and following.isalpha():
                    out.append(" ")  # "\mathbfω": end the command name for every engine
            else:
                out.append(r"\backslash\mathrm{" + name + "}")
        elif symbol is not None:
            if symbol in "{}":
                raw_depth += 1 if symbol == "{" else -1
                if raw_depth < 0:
                    return None
            if symbol in _MATH_SYMBOLS:
                out.append("\\" + symbol)
            else:
                out.append(r"\backslash " + _MATH_SYMBOL_SHOWN.get(symbol, symbol))
        elif hats is not None:
            return None
        elif brace == "{":
            depth += 1
            raw_depth += 1
            out.append("{")
        elif brace == "}":
            depth -= 1
            raw_depth -= 1
            if depth < 0 or raw_depth < 0:
                return None
            out.append("}")
        else:
            out.append("\\" + special)
    if depth or raw_depth:
        return None
    out.append(_math_text(body[pos:]))
    return "".join(out)


def _math_text(chunk: str) -> str:
    return chunk if chunk.isascii() else chunk.translate(_MATH_UNICODE)


def _render(segments: list[Segment], protect: bool) -> str:
    paired = _paired_braces(segments)
    out: list[str] = []
    for index, (is_math, piece) in enumerate(segments):
        if is_math:
            out.append("{$" + piece + "$}" if protect else "$" + piece + "$")
        elif protect:
            out.append(_protect_words(piece, paired.get(index, frozenset())))
        else:
            out.append(_escape(piece, paired.get(index, frozenset())))
    return "".join(out)


def _paired_braces(segments: list[Segment]) -> dict[int, frozenset[int]]:
    """For each text segment, the offsets of its braces that have a partner (in any text segment)."""
    stack: list[tuple[int, int]] = []
    paired: dict[int, set[int]] = {}
    for index, (is_math, piece) in enumerate(segments):
        if is_math or ("{" not in piece and "}" not in piece):
            continue
        for match in _BRACE_RE.finditer(piece):
            if match.group() == "{":
                stack.append((index, match.start()))
            elif stack:
                opened = stack.pop()
                paired.setdefault(opened[0], set()).add(opened[1])
                paired.setdefault(index, set()).add(match.start())
    return {index: frozenset(offsets) for index, offsets in paired.items()}


def _has_special(text: str) -> bool:
    # On long text one C-level substring scan per character beats a regex character
    # class by far; on short text the regex's single call wins.
    if len(text) < 200:
        return _SPECIAL_RE.search(text) is not None
    return any(char in text for char in _SPECIALS)


def escape_plain(text: str) -> str:
    """Text-mode escaping of a value that is already clean and holds no brace (a part of a split name)."""
    if not _has_special(text):
        return text
    for char, escaped in _TEXT_ESCAPE_ORDER:
        if char in text:
            text = text.replace(char, escaped)
    return text


def _escape(piece: str, paired: frozenset[int], offset: int = 0) -> str:
    """Text-mode escaping of ``piece``; ``offset`` is where it starts in its segment (for ``paired``)."""
    if "{" not in piece and "}" not in piece:
        return escape_plain(piece)
    parts = []
    pos = 0
    for match in _BRACE_RE.finditer(piece):
        parts.append(escape_plain(piece[pos : match.start()]))
        brace = match.group()
        if match.start() + offset in paired:
            parts.append("\\" + brace)
        else:
            parts.append(r"\textbraceleft{}" if brace == "{" else r"\textbraceright{}")
        pos = match.end()
    parts.append(escape_plain(piece[pos:]))
    return "".join(parts)


def _protect_words(piece: str, paired: frozenset[int]) -> str:
    if not _INNER_CAPITAL_RE.search(piece):  # most titles: Title Case without acronyms
        return _escape(piece, paired)
    parts = []
    pos = 0
    for match in _WORD_RE.finditer(piece):
        word = match.group()
        rest = word[1:]
        if rest == rest.lower() or not _needs_protection(word):
            continue
        parts.append(_escape(piece[pos : match.start()], paired, pos))
        parts.append("{" + word + "}")  # a word holds no character that needs escaping
        pos = match.end()
    parts.append(_escape(piece[pos:], paired, pos))
    return "".join(parts)


def _needs_protection(word: str) -> bool:
    """A capital after the first character of any hyphen-separated part: ``VOLT``, ``3D``, ``GPT-4o``."""
    return any(part[1:] != part[1:].lower() for part in word.split("-"))


def to_ascii(text: str) -> str:
    """Non-ASCII characters of ``text`` as brace-protected LaTeX macros (``--ascii``)."""
    return _ascii_encoder()(text)


@cache
def _ascii_encoder() -> Callable[[str], str]:
    # pylatexenc comes with bibtexparser; imported only for --ascii.
    from pylatexenc.latexencode import UnicodeToLatexEncoder

    def unknown(char: str) -> str:
        return "{\\texttt{U+%04X}}" % ord(char)  # noqa: UP031  (an f-string would need doubled braces)

    encoder = UnicodeToLatexEncoder(
        non_ascii_only=True,
        replacement_latex_protection="braces-all",
        unknown_char_policy=unknown,
        unknown_char_warning=False,
    )
    convert: Callable[[str], str] = encoder.unicode_to_latex
    return convert
