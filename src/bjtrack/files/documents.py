"""Reading the documents plans and bulletins are published as: text (UTF-8 or GBK),
Markdown, HTML and Word (.docx), as plain text with one paragraph a line."""

from __future__ import annotations

import re
import sys
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

from bjtrack.domain.errors import BjtrackError, UsageError, os_reason, problem
from bjtrack.files.paths import refuse_special

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
                     "section", "article", "table", "ul", "ol", "blockquote", "title"})
_SKIPPED = frozenset({"script", "style", "noscript", "template"})
MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Document:
    text: str
    encoding: str  # utf-8, gbk, docx
    name: str  # the file's name, or "-" for standard input


def read_document(name: str) -> Document:
    """The text of a document at `name` ("-": standard input); BjtrackError with one clear
    message when it is missing or cannot be read as text."""
    if name == "-":
        text, encoding = decode(sys.stdin.buffer.read(), "-")
        return Document(text, encoding, "-")
    path = Path(name)
    if not path.is_dir():  # a folder is said as one below; a pipe or device refused here
        refuse_special(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        # the command line names a file that is not there: a usage error, as for import
        raise UsageError(problem("err.extract.missing", hint_key="hint.extract.file",
                                 file=name)) from None
    except IsADirectoryError:
        raise UsageError(problem("err.extract.folder", hint_key="hint.extract.file",
                                 file=name)) from None
    except OSError as exc:
        raise BjtrackError(problem("err.extract.unreadable", hint_key="hint.extract.file",
                                   file=name, why=os_reason(exc))) from None
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return Document(docx_text(data, name), "docx", name)
    text, encoding = decode(data, name)
    if suffix in (".html", ".htm") or (suffix not in (".txt", ".md") and _looks_html(text)):
        text = html_text(text)
    return Document(text, encoding, name)


def decode(data: bytes, name: str) -> tuple[str, str]:
    """UTF-8 (with or without a BOM), else GBK (as GB18030, its superset)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as first:
        try:
            return data.decode("gb18030"), "gbk"
        except UnicodeDecodeError:
            raise BjtrackError(problem("err.extract.encoding", hint_key="hint.extract.encoding",
                                       file=name, byte=first.start)) from None


def _looks_html(text: str) -> bool:
    head = text[:2000].lower()
    return "<html" in head or "<!doctype html" in head or "<body" in head


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.hidden += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED and self.hidden:
            self.hidden -= 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))


def html_text(html: str) -> str:
    """The visible text of a web page, one block a line."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = (line.strip() for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


def docx_text(data: bytes, name: str) -> str:
    """The paragraphs of a Word document (its main part), one a line."""
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("word/document.xml")
            if info.file_size > MAX_BYTES:
                raise KeyError(info.filename)
            root = ElementTree.fromstring(archive.read(info))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        raise BjtrackError(problem("err.extract.docx", hint_key="hint.extract.docx",
                                   file=name)) from None
    lines: list[str] = []
    for paragraph in root.iter(_W + "p"):
        pieces = [node.text or "" if node.tag == _W + "t" else "\t"
                  for node in paragraph.iter() if node.tag in (_W + "t", _W + "tab")]
        lines.append("".join(pieces))
    return "\n".join(lines)
