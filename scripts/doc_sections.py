"""Results tables written into a doc between a named pair of markers, shared by the scripts that fill docs.

A doc holds ``<!-- NAME:begin -->`` ... ``<!-- NAME:end -->``; everything between them is replaced, nothing else is
touched. A doc without the pair is an error that names the file and the markers, never a silent no-op.
"""

from __future__ import annotations

from pathlib import Path


def markers(section: str) -> tuple[str, str]:
    """The comments a results table is written between (one pair per section)."""
    return f"<!-- {section}:begin -->", f"<!-- {section}:end -->"


def write_doc(doc: Path, text: str, section: str = "results") -> None:
    begin, end = markers(section)
    if not doc.is_file() or begin not in (old := doc.read_text()) or end not in old:
        raise SystemExit(f"{doc}: no '{begin}' ... '{end}' markers to write the results between")
    head, _, rest = old.partition(begin)
    _, _, tail = rest.partition(end)
    doc.write_text(f"{head}{begin}\n{text}\n{end}{tail}")


__all__ = ["markers", "write_doc"]
