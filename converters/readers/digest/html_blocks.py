"""An HTML page as a stream of text blocks in document order, for readers of rendered Markdown.

A Markdown renderer turns each line structure of its input into a block element
(a paragraph, a heading, a list item) or leaves it as bare text inside a raw
HTML block (CommonMark keeps ``<details>`` contents up to the first blank line
raw). :func:`blocks` walks the parse tree once and yields those pieces with
the source line they start on, so a reader can take a page apart the way it
takes a Markdown file apart line by line. Everything is iterative: deeply
nested input cannot exhaust the Python stack.

beautifulsoup4 is imported inside the functions, so importing this module is
free for readers and writers that never see HTML.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bs4 import BeautifulSoup
    from bs4.element import Tag

# Elements of HTML, and of MathML (which pandoc --mathml writes). Any other tag
# name without a hyphen (custom elements have one) is text the Markdown carried
# literally, such as <think> or <EOS>. ``s`` and ``search`` are left out on
# purpose: no Markdown renderer writes them, while ``<s>`` and ``<search>`` are
# common tokens in NLP abstracts.
#: Tag names this module parses as elements; every other name without a hyphen is text.
HTML_TAGS = frozenset(
    """a abbr acronym address area article aside audio b base basefont bdi bdo big blink blockquote body br
    button canvas caption center cite code col colgroup data datalist dd del details dfn dialog dir div dl dt
    em embed fieldset figcaption figure font footer form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup
    hr html i iframe img input ins kbd label legend li link main map mark marquee menu meta meter nav nobr
    noembed noframes noscript object ol optgroup option output p param picture plaintext pre progress q rb rp
    rt rtc ruby samp script section select slot small source span strike strong style sub summary sup svg
    table tbody td template textarea tfoot th thead time title tr track tt u ul var video wbr xmp
    math semantics annotation annotation-xml mrow mi mo mn ms mtext mspace msup msub msubsup mfrac msqrt
    mroot mover munder munderover mtable mtr mtd mstyle merror mpadded mphantom menclose mfenced
    mmultiscripts mprescripts maction""".split()  # noqa: SIM905 (a word list reads better than 150 quoted names)
)
_TAG_START_RE = re.compile(r"<(/?)([A-Za-z][^\s/>]*)")
_TEX_HINT_RE = re.compile(r"[\\^_{]")

#: Elements whose content is never text of the page (scripts, styles, form controls, media).
SKIPPED = frozenset(
    {"script", "style", "noscript", "template", "head", "svg", "iframe", "object", "canvas", "select",
     "textarea", "button", "input", "audio", "video", "map"}
)  # fmt: skip
HEADING_LEVELS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# Blocks whose whole content is one piece of text.
_LEAF_BLOCKS = frozenset(
    {"p", "pre", "li", "dt", "dd", "td", "th", "caption", "figcaption", "address", "legend", "summary",
     *HEADING_LEVELS}
)  # fmt: skip
# Blocks that hold other blocks; ``details`` and ``blockquote`` are reported, the rest only walked through.
_CONTAINERS = frozenset(
    {"html", "body", "div", "section", "article", "main", "header", "footer", "nav", "aside", "details",
     "blockquote", "ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "tr", "figure", "form", "fieldset",
     "center", "hgroup", "menu", "dir", "dialog", "noframes"}
)  # fmt: skip
_BLOCKS = _LEAF_BLOCKS | _CONTAINERS | {"hr"}
_REPORTED = frozenset({"details", "blockquote"})


def escape_unknown_tags(html: str) -> str:
    """``html`` with every tag that is not HTML written as text (``<think>`` becomes ``&lt;think>``).

    Markdown renderers pass such tags through as raw HTML; parsed as elements
    they would swallow the text after them, and their angle brackets would be
    lost. Line numbers do not change, so source lines in the parse stay true.
    """

    def escape(match: re.Match[str]) -> str:
        name = match.group(2)
        if name.lower() in HTML_TAGS or "-" in name:
            return match.group(0)
        return "&lt;" + match.group(1) + name

    return _TAG_START_RE.sub(escape, html)


def classes(tag: Tag) -> list[str]:
    """The ``class`` attribute of ``tag`` as a list."""
    value = tag.get("class")
    if value is None:
        return []
    return value.split() if isinstance(value, str) else list(value)


def _math_text(tag: Tag) -> str | None:
    """``$TeX$`` of a math element when the page kept the TeX (MathJax, KaTeX, MathML), else None."""
    names = classes(tag)
    display = "display" in names or "katex-display" in names or tag.get("display") == "block"
    if tag.name == "span" and "math" in names:
        text = tag.get_text()
        if text.startswith("\\(") and text.endswith("\\)"):  # pandoc --mathjax
            return _as_math(text[2:-2], False)
        if text.startswith("\\[") and text.endswith("\\]"):
            return _as_math(text[2:-2], True)
        # pandoc --katex leaves the bare TeX; without a maths option pandoc writes Unicode and <em>.
        if len(tag.contents) == 1 and isinstance(tag.contents[0], str) and _TEX_HINT_RE.search(text):
            return _as_math(text, display)
    for annotation in descendants(tag, ("annotation",)):  # MathML, also inside KaTeX's output
        if annotation.get("encoding") == "application/x-tex":
            return _as_math(annotation.get_text().strip(), display)
    return None


def _as_math(tex: str, display: bool) -> str:
    """TeX between the dollars the digest Markdown writes: ``$$...$$`` for display maths, ``$...$`` inline."""
    return f"$${tex}$$" if display else f"${tex}$"


def _atomic_text(tag: Tag) -> str | None:
    """The text of an inline element that is read whole (a line break, an image, maths with its TeX), else None."""
    name = tag.name
    if name == "br":
        return "\n"
    if name == "img":
        alt = tag.get("alt")
        text = alt if isinstance(alt, str) else ""
        if "math" in classes(tag) and text:  # pandoc --webtex: the TeX is the image's alt text
            return _as_math(text, "display" in classes(tag))
        return text
    if name == "math" or (name == "span" and {"math", "katex"} & set(classes(tag))):
        return _math_text(tag)
    return None


def inline_text(node: Tag) -> str:
    """The text of ``node`` as a reader sees it: entities decoded, markup reduced to its text.

    ``<br>`` and the edges of nested blocks become line breaks, images give
    their ``alt`` text, math gives its TeX where the page kept it. Other
    whitespace is kept as the source has it.
    """
    from bs4.element import NavigableString, PreformattedString, Tag

    out: list[str] = []
    after_break = False  # the source line break after a <br> is not a second one
    stack: list[tuple[Iterator[object], str]] = [(iter(node.contents), "")]
    while stack:
        children, after = stack[-1]
        for child in children:
            if isinstance(child, Tag):
                name = child.name
                if name in SKIPPED:
                    continue
                atomic = _atomic_text(child)
                if atomic is not None:
                    out.append(atomic)
                    after_break = name == "br"
                    continue
                if name in _BLOCKS:
                    out.append("\n")
                    stack.append((iter(child.contents), "\n"))
                else:
                    stack.append((iter(child.contents), ""))
                break  # go down; this frame's iterator resumes after the child
            if isinstance(child, NavigableString) and not isinstance(child, PreformattedString):
                text = str(child)
                if after_break and text:
                    text = text[1:] if text.startswith("\n") else text
                    after_break = False
                out.append(text)
        else:
            stack.pop()
            out.append(after)
    return "".join(out)


def descendants(tag: Tag, names: Collection[str]) -> Iterator[Tag]:
    """The elements under ``tag`` named in ``names``, in document order.

    A plain walk: on the small elements a reader looks into (a heading, a
    paragraph), bs4's ``find_all`` spends most of its time setting up its filters.
    """
    from bs4.element import Tag

    for node in tag.descendants:
        if isinstance(node, Tag) and node.name in names:
            yield node


def anchor_name(tag: Tag) -> str | None:
    """The target name of an empty ``<div id=..>`` / ``<a id=..>`` (what an in-page link jumps to), else None.

    GitHub prefixes the ids of rendered Markdown with ``user-content-``; the
    prefix is removed.
    """
    from bs4.element import NavigableString, PreformattedString

    if tag.has_attr("href"):
        return None
    name = tag.get("id") or tag.get("name")
    if not isinstance(name, str):
        return None
    for child in tag.contents:
        if not isinstance(child, NavigableString) or (not isinstance(child, PreformattedString) and child.strip()):
            return None
    return name.removeprefix("user-content-")


@dataclass(slots=True)
class Block:
    """One step of a flattened page.

    ``kind`` is ``heading``, ``text`` (a paragraph, list item, cell, or bare
    text left inside a container), ``summary``, ``open`` / ``close`` (of a
    ``details`` or ``blockquote``, named in ``text``), ``anchor`` (an empty
    element with an id, named in ``text``) or ``rule``. ``tag`` is the element
    (None for bare text); ``marker`` is ``"- "`` or ``"N. "`` for list items.
    """

    kind: str
    line: int
    tag: Tag | None = None
    text: str = ""
    marker: str = ""


def blocks(root: BeautifulSoup) -> Iterator[Block]:
    """The blocks of a parsed page in document order (see :class:`Block`).

    Heading, summary and text blocks carry their :func:`inline_text`; text
    blocks are stripped at both ends.
    """
    from bs4.element import NavigableString, PreformattedString, Tag

    loose: list[str] = []  # bare text and inline elements between blocks
    loose_line = 0  # where the first non-blank piece of ``loose`` starts; 0 while it is blank
    last_line = 1  # the source line of the latest start tag, for bare text that has none
    # One frame per open element: its children, its name, for <ol> the next item number, and whether it is
    # inline (an <a> or <span> at block level: its text joins the bare text around it). One walk, so an
    # element is never searched for blocks before it is read (quadratic on deeply nested inline elements).
    stack: list[tuple[Iterator[object], str, list[int] | None, bool]] = [(iter(root.contents), "", None, False)]

    def flush() -> Iterator[Block]:
        nonlocal loose_line
        text = "".join(loose).strip()
        loose.clear()
        if text:
            yield Block("text", loose_line, None, text)
        loose_line = 0

    while stack:
        children, container, numbering, inline = stack[-1]
        for child in children:
            if isinstance(child, NavigableString):
                if not isinstance(child, PreformattedString):
                    piece = str(child)
                    if not loose_line and piece.strip():
                        loose_line = last_line + piece[: len(piece) - len(piece.lstrip())].count("\n")
                    loose.append(piece)
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            if child.sourceline is not None:
                last_line = child.sourceline
            if name in SKIPPED:
                continue
            anchor = anchor_name(child) if name in ("a", "div", "span") else None
            if anchor is not None:
                yield from flush()
                yield Block("anchor", last_line, child, anchor)
            elif name in HEADING_LEVELS:
                yield from flush()
                yield Block("heading", last_line, child, inline_text(child))
            elif name == "summary":
                yield from flush()
                yield Block("summary", last_line, child, " ".join(inline_text(child).split()))
            elif name in _LEAF_BLOCKS:
                yield from flush()
                text = inline_text(child).strip()
                if not text:  # <p><a id="x"></a></p>: CommonMark wraps an anchor line in a paragraph
                    for inner in descendants(child, ("a", "div", "span")):
                        anchor = anchor_name(inner)
                        if anchor is not None:
                            yield Block("anchor", last_line, inner, anchor)
                    continue
                marker = ""
                if name == "li":
                    marker = "- "
                    if numbering is not None:
                        marker = f"{numbering[0]}. "
                        numbering[0] += 1
                yield Block("text", last_line, child, text, marker)
            elif name == "hr":
                yield from flush()
                yield Block("rule", last_line, child)
            elif name in _CONTAINERS or "-" in name:
                yield from flush()
                if name in _REPORTED:
                    yield Block("open", last_line, child, name)
                start = child.get("start")
                first = int(start) if isinstance(start, str) and start.isdigit() else 1
                stack.append((iter(child.contents), name, [first] if name == "ol" else None, False))
                break  # go down; this frame's iterator resumes after the child
            else:
                atomic = _atomic_text(child)
                if atomic is None:  # an inline element: go down, its text joins the bare text
                    stack.append((iter(child.contents), container, numbering, True))
                    break
                if not loose_line and atomic.strip():
                    loose_line = last_line
                loose.append(atomic)
        else:
            stack.pop()
            if inline:
                continue
            yield from flush()
            if container in _REPORTED:
                yield Block("close", last_line, None, container)


def parse(html: str) -> BeautifulSoup:
    """The parse tree of ``html`` (html.parser, which records source lines), unknown tags kept as text.

    May raise whatever the parser raises on malformed declarations; callers
    turn that into their own error.
    """
    from bs4 import BeautifulSoup

    return BeautifulSoup(escape_unknown_tags(html), "html.parser")
