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
import unicodedata
from collections.abc import Callable, Sequence
from functools import cache, lru_cache

from .clean import clean_lines

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
_ESCAPED_IN_SOURCE_RE = re.compile(r"\\[\\$]")  # TeX's escaped backslash or dollar
# Capitals (Latin, Greek or Cyrillic) that make a word a candidate for case protection.
# Scripts without case (CJK, Hangul ...) never make one.
_UPPER = "".join(chr(c) for c in range(0xC0, 0x530) if chr(c).isupper())
# A word for case protection is letters and digits, joined by - ' ’ or . inside
# ([^\W_]+(?:[-'’.][^\W_]+)*, found scanning from the left). This finds, whole, each
# word with such a capital after its first character: only those can need protection.
# A word starts on a letter or digit that has neither one nor one and an inner mark
# just before it, and goes on over letters and digits, and over a mark a letter or digit follows.
_WORD_GOES_ON = r"(?:[^\W_]|[-'’.](?=[^\W_]))"
_CAPITAL_WORD_RE = re.compile(
    r"([^\W_](?<![^\W_].)(?<![^\W_][-'’.].)" + _WORD_GOES_ON + "*?[A-Z" + _UPPER + "]" + _WORD_GOES_ON + "*)"
)
_MATH_TOKEN_RE = re.compile(r"\\([A-Za-z]+)|\\(.)|(\^\^)|([{}])|([&%#])", re.DOTALL)

Segment = tuple[bool, str]  # (is math, text): math text is a sanitised body without the dollars


def latex(
    text: str | None, *, math: bool = True, protect: bool = False, ascii: bool = False, cleaned: bool = False
) -> str:
    """``text`` as a LaTeX field body (see the module docstring); ``""`` for None.

    ``math`` keeps ``$...$`` as math (titles, abstracts, summaries; not names).
    ``cleaned`` says ``text`` already went through :func:`~converters.text.clean.clean_line`.
    """
    if not text:
        return ""
    return latex_many([text], math=math, protect=protect, ascii=ascii, cleaned=cleaned)[0]


# How the batch works: the values are cleaned (which removes every control
# character), joined with a control character, and escaped in a fixed number of
# C-level passes over the whole batch, other control characters standing in for
# what must not be escaped twice. Nothing can cross from one value into the next:
# math spans, brace pairs and words all stop at the separator.
_SEPARATOR = "\x06"
_MATH = "\x00"  # a kept math span, its body set aside
_OPEN = "\x01"  # the braces of a protected word
_CLOSE = "\x02"
_BACKSLASH = "\x03"
_PAIRED_OPEN = "\x04"
_PAIRED_CLOSE = "\x05"
_SOURCE_BACKSLASHES = "\x07"  # "\\\\" of the source: TeX's escaped backslash
_SOURCE_DOLLAR = "\x08"  # "\\$" of the source: TeX's escaped dollar
_LONE_DOLLAR = "\x0e"  # a "$" that does not delimit math
_LONE_OPEN = "\x0f"  # braces without a partner
_LONE_CLOSE = "\x10"
_FINAL = (
    (_BACKSLASH, r"\textbackslash{}"),
    (_PAIRED_OPEN, r"\{"),
    (_PAIRED_CLOSE, r"\}"),
    (_SOURCE_BACKSLASHES, r"\textbackslash{}\textbackslash{}"),
    (_SOURCE_DOLLAR, r"\textbackslash{}\$"),
    (_LONE_DOLLAR, r"\$"),
    (_LONE_OPEN, r"\textbraceleft{}"),
    (_LONE_CLOSE, r"\textbraceright{}"),
)
# Once escaped backslashes and dollars are set aside, every "$" delimits or is a
# lone dollar. As in TeX, math ends at the next "$". A "$" opens math when a
# non-space follows it and the next "$" has a non-space before it, so "costs $5
# and $10" stays text; "$$...$$" is math when the next two dollars close it.
_DOLLAR_RE = re.compile(
    "\\$\\$(?P<display>[^$\x06]+)\\$\\$|\\$\\$|\\$(?=[^\\s$\x06])(?P<inline>[^$\x06]*)(?<=\\S)\\$|\\$"
)
# The same with one group, the whole match: re.split then gives text, match, text ... match, text.
_DOLLAR_SPLIT_RE = re.compile(
    "(" + _DOLLAR_RE.pattern.replace("(?P<display>", "(?:").replace("(?P<inline>", "(?:") + ")"
)
# Characters of a kept math span that text escaping would change, and the control
# characters that stand for them until it is done.
_MATH_DECODE = tuple((chr(0x11 + index), char) for index, char in enumerate("\\{}$&%#_~^<>|"))
_MATH_ENCODE = str.maketrans({char: placeholder for placeholder, char in _MATH_DECODE})
# _escape_text works on bytes (see there): its patterns and replacements as bytes.
_INNER_PAIR_RE = re.compile(b"\\{([^{}\x06]*)\\}")
_NOT_BRACE_OR_SEPARATOR = bytes(byte for byte in range(256) if byte not in b"{}" + _SEPARATOR.encode())
_BACKSLASH_BYTES = _BACKSLASH.encode()
_PAIRED_OPEN_BYTES = _PAIRED_OPEN.encode()
_PAIRED_CLOSE_BYTES = _PAIRED_CLOSE.encode()
_PAIRED_TEMPLATE = _PAIRED_OPEN_BYTES + b"\\1" + _PAIRED_CLOSE_BYTES
#: Text escapes (the backslash went first, as a placeholder), then the placeholders:
#: those of :data:`_FINAL`, of protected words and of kept math spans (:data:`_MATH_DECODE`).
_ESCAPE_PASSES = tuple(
    (char.encode(), replacement.encode())
    for char, replacement in (*_TEXT_ESCAPE_ORDER[1:], *_FINAL, (_OPEN, "{"), (_CLOSE, "}"), *_MATH_DECODE)
)


def latex_many(
    texts: Sequence[str | None], *, math: bool = True, protect: bool = False, ascii: bool = False, cleaned: bool = False
) -> list[str]:
    """:func:`latex` of each value, in batches: the same result, a fraction of the time for many values."""
    out: list[str] = []
    for start in range(0, len(texts), _BATCH):
        out += _latex_batch(texts[start : start + _BATCH], math, protect, ascii, cleaned)
    return out


# Values escaped per batch: enough to make per-call costs vanish, few enough that a
# batch stays in the CPU cache and that one emoji (which makes Python store a string
# at 4 bytes per character) slows down only its own batch.
_BATCH = 128


def _latex_batch(texts: Sequence[str | None], math: bool, protect: bool, ascii: bool, cleaned: bool) -> list[str]:
    values = [text or "" for text in texts]
    if not cleaned:
        values = clean_lines(values)  # a chunk of clean values at a time, not a call per value
    joined = _SEPARATOR.join(values)
    if protect or _has_special(joined):
        bodies: list[str] | None = [] if protect else None
        lifted = math and "$" in joined
        if lifted:
            joined = _lift_math(joined, bodies)
        if protect:
            joined = _protect_words(joined)
        joined = _escape_text(joined)
        if bodies:
            pieces = joined.split(_MATH)
            joined = pieces[0] + "".join(
                "{$" + body + "$}" + piece for body, piece in zip(bodies, pieces[1:], strict=True)
            )
    if ascii and not joined.isascii():
        joined = to_ascii(joined)
    return joined.split(_SEPARATOR)


def _lift_math(text: str, bodies: list[str] | None) -> str:
    """``text`` with each kept math span set aside, so that text escaping leaves it alone.

    With ``bodies``, a span becomes one placeholder and its sanitised body is
    appended to ``bodies`` (titles: words around it are still to be protected).
    Without, the span stays in place as ``$body$`` with every character that text
    escaping would touch encoded as a control character (:data:`_MATH_DECODE`).

    Fast: one C-level split cuts out the dollar matches, and each is resolved by
    a cached call (``$\\alpha$``, ``$k$`` recur across papers), so no Python code
    runs per span once it has been seen.
    """
    # The regex finds the first backslash by a fast scan; a two-character "in" test is several times slower.
    if _ESCAPED_IN_SOURCE_RE.search(text):
        text = text.replace("\\\\", _SOURCE_BACKSLASHES).replace("\\$", _SOURCE_DOLLAR)
    pieces = _DOLLAR_SPLIT_RE.split(text)
    if len(pieces) == 1:
        return text
    if bodies is None:
        pieces[1::2] = map(_span_in_place, pieces[1::2])
    else:
        spans = list(map(_span_lifted, pieces[1::2]))
        pieces[1::2] = [_MATH if body is not None else lone for lone, body in spans]
        bodies += [body for _, body in spans if body is not None]
    return "".join(pieces)


@lru_cache(maxsize=8192)
def _span_lifted(span: str) -> tuple[str, str | None]:
    """A dollar match set aside: (text of a span that stays text, None) or ("", its sanitised body).

    Matching the match's text alone picks the same alternative of :data:`_DOLLAR_RE`
    as the search did: each alternative's text can only be matched whole by that one.
    """
    match = _DOLLAR_RE.fullmatch(span)
    assert match is not None
    raw = match.group("inline")
    if raw is None:
        raw = match.group("display")
    if raw is None:  # a lone dollar or "$$"
        return _LONE_DOLLAR * len(span), None
    body = math_body(_restore_source(raw))
    if body is None:
        return _LONE_DOLLAR + raw + _LONE_DOLLAR, None  # stays text, dollars escaped
    return "", body


@lru_cache(maxsize=8192)
def _span_in_place(span: str) -> str:
    """A dollar match kept in place: ``$body$`` encoded (:data:`_MATH_ENCODE`), else as :func:`_span_lifted` leaves it."""
    text, body = _span_lifted(span)
    return text if body is None else ("$" + body + "$").translate(_MATH_ENCODE)


def _restore_source(raw: str) -> str:
    if _SOURCE_BACKSLASHES in raw:
        raw = raw.replace(_SOURCE_BACKSLASHES, "\\\\")
    if _SOURCE_DOLLAR in raw:
        raw = raw.replace(_SOURCE_DOLLAR, "\\$")
    return raw


def _protect_words(text: str) -> str:
    """Words that need case protection wrapped in placeholder braces.

    Fast: a word never holds a space, and whether one needs protection depends
    on nothing outside its space-delimited token (a space can neither start nor
    continue a word), so the text is protected a token at a time. Most tokens
    are passed by one ``islower`` test, and the rest recur (``LLM``, ``3D``) and
    are mostly answered by a cache; the regex runs on the few new ones.
    """
    # No upper- or titlecase character after the first one: no capital after a word's first character.
    return " ".join([token if token[1:].islower() else _protect_token(token) for token in text.split(" ")])


@lru_cache(maxsize=8192)
def _protect_token(token: str) -> str:
    """:func:`_protect_words` of a text without spaces: each candidate word checked by :func:`_needs_protection`."""
    pieces = _CAPITAL_WORD_RE.split(token)  # text, word, text, word ... text
    pieces[1::2] = [_OPEN + word + _CLOSE if _needs_protection(word) else word for word in pieces[1::2]]
    return "".join(pieces)


def _escape_text(text: str) -> str:
    """Text-mode escaping, then every placeholder but :data:`_MATH` in its final form.

    The passes run on UTF-8 bytes: ``bytes.replace`` finds a byte with ``memchr``
    and is several times faster than ``str.replace`` (which counts matches a
    character at a time), most of all on text Python stores at 2 or 4 bytes a
    character (CJK, emoji). Every character touched here is ASCII, and UTF-8 never
    uses an ASCII byte inside a multi-byte character, so a byte replacement is the
    character replacement; ``surrogatepass`` makes the round trip exact for any str.
    """
    data = text.encode("utf-8", "surrogatepass")
    if b"\\" in data:  # first, as a placeholder: every escape brings backslashes of its own
        data = data.replace(b"\\", _BACKSLASH_BYTES)
    if b"{" in data or b"}" in data:
        data = _mark_braces(data)
    # Placeholders may only be resolved once every escape is done; none resolves to another placeholder.
    for char, escaped in _ESCAPE_PASSES:
        if char in data:
            data = data.replace(char, escaped)
    return data.decode("utf-8", "surrogatepass")


def _mark_braces(text: bytes) -> bytes:
    """Paired braces become placeholders for ``\\{``/``\\}``, lone ones for ``\\textbraceleft{}``/``...right{}``.

    BibTeX counts ``\\{`` as a brace, so only braces that pair up (within one
    value) may be written that way. Pairs are found innermost first, a whole
    level per regex pass, which is how a stack would pair them; what is left
    after the last pass has no partner.
    """
    # The common case first: every brace pairs up. That is decided on the braces and
    # separators alone (a short string, the rest dropped by one C-level translate), where
    # an innermost pair is a "{}": removing those until none is left pairs as the regex does.
    rest = text.translate(None, _NOT_BRACE_OR_SEPARATOR)
    for _ in range(_MOST_PASSES):
        if b"{}" not in rest:
            break
        rest = rest.replace(b"{}", b"")
    else:  # nested deeper than a pass a level can afford: a pass each would be quadratic
        return _mark_braces_by_stack(text)
    if b"{" not in rest and b"}" not in rest:
        return text.replace(b"{", _PAIRED_OPEN_BYTES).replace(b"}", _PAIRED_CLOSE_BYTES)
    while b"{" in text and b"}" in text:
        paired = _INNER_PAIR_RE.sub(_PAIRED_TEMPLATE, text)
        if paired == text:
            break
        text = paired
    if b"{" in text:
        text = text.replace(b"{", _LONE_OPEN.encode())
    if b"}" in text:
        text = text.replace(b"}", _LONE_CLOSE.encode())
    return text


# Brace levels paired a pass each by _mark_braces; deeper nesting (hostile: "{" * 100_000) goes by a stack,
# which writes braces deeper than this as \textbraceleft{} / \textbraceright{}: BibTeX counts every "\{" as a
# brace, and pybtex refuses more than 100 levels. Math nested deeper stays text.
_MOST_PASSES = 32
_BRACE_OR_SEPARATOR_RE = re.compile(b"[{}\x06]")


def _mark_braces_by_stack(text: bytes) -> bytes:
    """:func:`_mark_braces` in one pass whatever the depth: a ``}`` pairs with the nearest open ``{`` of its value,
    and pairs deeper than :data:`_MOST_PASSES` are written as lone braces."""
    marked = bytearray(text)
    opened: list[int] = []
    for match in _BRACE_OR_SEPARATOR_RE.finditer(text):
        at = match.start()
        if text[at] == ord(_SEPARATOR):
            for position in opened:
                marked[position] = ord(_LONE_OPEN)
            opened.clear()
        elif text[at] == ord("{"):
            opened.append(at)
        elif opened:
            paired = len(opened) <= _MOST_PASSES
            marked[opened.pop()] = ord(_PAIRED_OPEN if paired else _LONE_OPEN)
            marked[at] = ord(_PAIRED_CLOSE if paired else _LONE_CLOSE)
        else:
            marked[at] = ord(_LONE_CLOSE)
    for position in opened:
        marked[position] = ord(_LONE_OPEN)
    return bytes(marked)


def split_math(text: str) -> list[Segment]:
    """``text`` cut into text and math segments (math as sanitised bodies); what :func:`latex` keeps as math."""
    bodies: list[str] = []
    lifted = _lift_math(text, bodies)
    segments: list[Segment] = []
    for index, piece in enumerate(lifted.split(_MATH)):
        if index:
            segments.append((True, bodies[index - 1]))
        if piece:
            restored = piece.replace(_LONE_DOLLAR, "$").replace(_SOURCE_DOLLAR, "\\$")
            segments.append((False, restored.replace(_SOURCE_BACKSLASHES, "\\\\")))
    return segments


@lru_cache(maxsize=8192)  # short spans ($\alpha$, $\times$, $k$) repeat across papers
def math_body(body: str) -> str | None:
    """The body of a ``$...$`` span made safe, or None when it cannot be kept as math.

    Commands outside :data:`MATH_COMMANDS` become ``\\backslash\\mathrm{name}``;
    ``& % #`` are escaped. None for a ``^^`` sequence, for braces that do not
    balance both as TeX groups and as BibTeX counts them (``\\{`` included) or
    nest deeper than 32 levels, and for a text-mode argument (``\\text{...}``,
    ``\\mbox{...}``) holding a command, ``^``, ``_`` or a math symbol: those stop
    the document with "Missing $ inserted" in text mode.
    """
    out: list[str] = []
    depth = 0  # TeX groups: unescaped braces
    raw_depth = 0  # what BibTeX counts: every brace character, "\\{" included
    text_group: int | None = None  # while inside the {...} argument of \text (or \mbox ...): its depth
    text_next = False  # a text-mode command was just read: a "{" opens its argument
    pos = 0
    for match in _MATH_TOKEN_RE.finditer(body):
        chunk = body[pos : match.start()]
        if text_group is not None and not _plain_in_text_mode(chunk):
            return None
        text_next = text_next and not chunk.strip()
        out.append(_math_text(chunk))
        pos = match.end()
        name, symbol, hats, brace, special = match.groups()
        if text_group is not None and (name is not None or symbol is not None):
            return None  # math commands fail in text mode ("Missing $ inserted"): keep the span as text
        if name is not None:
            if name in MATH_COMMANDS:
                out.append("\\" + name)
                following = body[pos : pos + 1]
                if following and not following.isascii() and following.isalpha():
                    out.append(" ")  # "\mathbfω": end the command name for every engine
            else:
                out.append(r"\backslash\mathrm{" + name + "}")
            text_next = name in _TEXT_MODE_COMMANDS
            continue
        if symbol is not None:
            if symbol in "{}":
                raw_depth += 1 if symbol == "{" else -1
                if raw_depth < 0 or raw_depth > _MOST_PASSES:
                    return None
            if symbol in _MATH_SYMBOLS:
                out.append("\\" + symbol)
            else:
                out.append(r"\backslash " + _MATH_SYMBOL_SHOWN.get(symbol, symbol))
        elif hats is not None:
            return None
        elif brace == "{":
            if text_next and text_group is None:
                text_group = depth
            depth += 1
            raw_depth += 1
            if raw_depth > _MOST_PASSES:
                return None
            out.append("{")
        elif brace == "}":
            depth -= 1
            raw_depth -= 1
            if depth < 0 or raw_depth < 0:
                return None
            if depth == text_group:
                text_group = None
            out.append("}")
        else:
            out.append("\\" + special)
        text_next = False
    if depth or raw_depth:
        return None
    out.append(_math_text(body[pos:]))
    return "".join(out)


# Commands whose {argument} TeX sets in text mode even inside math: only plain text may stay there.
_TEXT_MODE_COMMANDS = frozenset("""text textrm textbf textit texttt textsf textnormal textup emph mbox""".split())  # noqa: SIM905


def _plain_in_text_mode(chunk: str) -> bool:
    """Whether ``chunk`` means the same in text mode: no ``^`` or ``_`` and nothing :data:`_MATH_UNICODE` maps."""
    return "^" not in chunk and "_" not in chunk and (chunk.isascii() or chunk.translate(_MATH_UNICODE) == chunk)


def _math_text(chunk: str) -> str:
    return chunk if chunk.isascii() else chunk.translate(_MATH_UNICODE)


def _has_special(text: str) -> bool:
    # On long text one C-level substring scan per character beats a regex character
    # class by far; on short text the regex's single call wins.
    if len(text) < 200:
        return _SPECIAL_RE.search(text) is not None
    return any(char in text for char in _SPECIALS)


def _needs_protection(word: str) -> bool:
    """A capital after the first character of any hyphen-separated part: ``VOLT``, ``3D``, ``GPT-4o``."""
    return any(part[1:] != part[1:].lower() for part in word.split("-"))


def to_ascii(text: str) -> str:
    """Non-ASCII characters of ``text`` as brace-protected LaTeX macros (``--ascii``).

    pylatexenc is given each run of non-ASCII characters (with the letter before
    it, for combining accents) rather than the whole text: it builds its result
    by repeated concatenation, which is quadratic on a long text.
    """
    return _NON_ASCII_RUN_RE.sub(_ascii_run, text)


_NON_ASCII_RUN_RE = re.compile(r"[A-Za-z]?[^\x00-\x7f]+")


def _ascii_run(match: re.Match[str]) -> str:
    run = match.group()
    if any(unicodedata.combining(char) for char in run):
        return _ascii_encoder()(run)  # accents that combine with the letter before them
    return "".join(map(_ascii_char, run))


@lru_cache(maxsize=4096)
def _ascii_char(char: str) -> str:
    return _ascii_encoder()(char)


def to_ascii_many(texts: Sequence[str]) -> list[str]:
    """:func:`to_ascii` of each value (already LaTeX), in one batch."""
    joined = _SEPARATOR.join(texts)
    return to_ascii(joined).split(_SEPARATOR) if texts and not joined.isascii() else list(texts)


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
