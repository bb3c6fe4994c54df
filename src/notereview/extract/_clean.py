"""Cleaning of free text from case-management exports: HTML and RTF remnants, line endings,
control characters, and truncation of very long notes. All linear in the text's length."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

_KNOWN_HTML = re.compile(
    r"</?(?:p|br|div|span|b|i|u|em|strong|font|ul|ol|li|table|tbody|thead|tr|td|th|h[1-6]|"
    r"html|body|head|style|script|a|img|hr|sup|sub|blockquote|pre|code|section|o:p|meta|title)"
    r"\b[^<>]{0,2000}>"
    r"|&(?:nbsp|amp|lt|gt|quot|apos|pound|rsquo|lsquo|rdquo|ldquo|ndash|mdash|hellip|#\d{1,7}|"
    r"#[xX][0-9a-fA-F]{1,6});",
    re.IGNORECASE,
)
_DROP_BLOCKS = re.compile(
    r"<(style|script|head)\b[^<>]*>.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL
)
_LINE_BREAK_TAGS = re.compile(
    r"<\s*(?:br|/?p|/?div|/?li|/?tr|/?h[1-6]|/?ul|/?ol|/?table|/?blockquote)\b[^<>]*>",
    re.IGNORECASE,
)
_ANY_TAG = re.compile(r"<[/!?]?[a-zA-Z][^<>]*>")
_SPACES = re.compile(r"[ \t\u00a0]+")
_SPACE_BEFORE_NEWLINE = re.compile(r"[ \t]+\n")
_MANY_NEWLINES = re.compile(r"\n[ \t]*(?:\n[ \t]*){2,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_ODD_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

_RTF_TOKEN = re.compile(
    r"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?"  # control word, optional number, delimiter space
    r"|\\'([0-9a-fA-F]{2})"  # \'hh: a cp1252 byte
    r"|\\([^a-zA-Z])"  # control symbol: \{ \} \\ \~ \* ...
    r"|([{}])"  # group
    r"|[\r\n]+"  # raw line breaks mean nothing in RTF
    r"|([^\\{}\r\n]+)",  # a run of plain text
)
_RTF_SPECIAL = {
    "par": "\n",
    "sect": "\n\n",
    "page": "\n\n",
    "line": "\n",
    "tab": "\t",
    "emdash": "\u2014",
    "endash": "\u2013",
    "emspace": " ",
    "enspace": " ",
    "qmspace": " ",
    "bullet": "\u2022",
    "lquote": "\u2018",
    "rquote": "\u2019",
    "ldblquote": "\u201c",
    "rdblquote": "\u201d",
    "row": "\n",
    "cell": " ",
}


@dataclass(frozen=True, slots=True)
class CleanedText:
    text: str
    html: bool = False
    rtf: bool = False
    truncated: bool = False


def looks_like_rtf(text: str) -> bool:
    return text.lstrip()[:6].lower() == "{\\rtf1" or text.lstrip()[:5].lower() == "{\\rtf"


@cache
def _rtf_destinations() -> frozenset[str]:
    lines = files("notereview.extract").joinpath("rtf_destinations.txt").read_text("utf-8")
    return frozenset(w.strip() for w in lines.splitlines() if w.strip() and not w.startswith("#"))


def strip_rtf(text: str) -> str:
    """Plain text of an RTF document: groups that are destinations (font tables, styles,
    document info, pictures) dropped; \\par and \\line become newlines; \\'hh and \\uN decoded."""
    destinations = _rtf_destinations()
    out: list[str] = []
    stack: list[tuple[int, bool]] = []
    ignorable = False
    ucskip = 1
    curskip = 0
    for m in _RTF_TOKEN.finditer(text):
        word, arg, hexcode, symbol, brace, run = m.groups()
        if run is not None:
            if curskip:
                skipped = min(curskip, len(run))
                run = run[skipped:]
                curskip -= skipped
            if run and not ignorable:
                out.append(run)
        elif brace is not None:
            curskip = 0
            if brace == "{":
                stack.append((ucskip, ignorable))
            elif stack:
                ucskip, ignorable = stack.pop()
        elif symbol is not None:
            curskip = 0
            if symbol == "*":
                ignorable = True
            elif not ignorable:
                if symbol == "~":
                    out.append(" ")
                elif symbol in "{}\\":
                    out.append(symbol)
                elif symbol == "-":
                    pass  # optional hyphen
                elif symbol == "_":
                    out.append("-")
                elif symbol in "\r\n":
                    out.append("\n")
        elif word is not None:
            curskip = 0
            if word in destinations:
                ignorable = True
            elif ignorable:
                pass
            elif word in _RTF_SPECIAL:
                out.append(_RTF_SPECIAL[word])
            elif word == "uc" and arg is not None:
                ucskip = max(0, int(arg))
            elif word == "u" and arg is not None:
                code = int(arg)
                if code < 0:
                    code += 0x10000
                if 0 <= code <= 0x10FFFF:
                    out.append(chr(code))
                curskip = ucskip
        elif hexcode is not None:
            if curskip:
                curskip -= 1
            elif not ignorable:
                out.append(bytes([int(hexcode, 16)]).decode("cp1252", errors="replace"))
    result = "".join(out)
    if _SURROGATE.search(result):  # \u pairs for characters outside the BMP
        result = result.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return result


def strip_html(text: str) -> str:
    """Plain text of an HTML fragment: <br>, <p>, <div>, <li> become newlines, other tags go,
    entities are unescaped."""
    text = _DROP_BLOCKS.sub("", text)
    text = _LINE_BREAK_TAGS.sub("\n", text)
    text = _ANY_TAG.sub("", text)
    text = html.unescape(text)
    text = _SPACES.sub(" ", text)
    return text


def _tidy_lines(text: str) -> str:
    text = _SPACE_BEFORE_NEWLINE.sub("\n", text)
    text = _MANY_NEWLINES.sub("\n\n", text)
    return text.strip()


def truncate(text: str, max_chars: int) -> str:
    """Cut to at most ``max_chars`` at the last whitespace (a hard cut if there is none in the
    last fifth of the allowance)."""
    if len(text) <= max_chars:
        return text
    floor = max_chars - max_chars // 5
    cut = max(text.rfind(" ", floor, max_chars + 1), text.rfind("\n", floor, max_chars + 1))
    if cut <= 0:
        cut = max_chars
    return text[:cut].rstrip()


def clean_text(raw: str, max_chars: int) -> CleanedText:
    """Normalise line endings and control characters, strip RTF or HTML remnants, truncate."""
    text = raw
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _ODD_CHARACTER.search(text):
        text = _SURROGATE.sub("\ufffd", _CONTROL.sub("", text))
    was_rtf = was_html = False
    if looks_like_rtf(text):
        text = strip_rtf(text)
        was_rtf = True
    if ("<" in text or "&" in text) and _KNOWN_HTML.search(text):
        text = strip_html(text)
        was_html = True
    text = _tidy_lines(text) if was_rtf or was_html else text.strip()
    truncated = len(text) > max_chars
    if truncated:
        text = truncate(text, max_chars)
    return CleanedText(text, html=was_html, rtf=was_rtf, truncated=truncated)
