"""``facessl audit identities``: people in both a pre-training manifest and LFW/CPLFW, optionally filtered out.

    facessl audit identities --pretrain prepared/vox/manifest.csv --eval lfw ~/data/lfw
    facessl audit identities --pretrain prepared/vox2/manifest.csv --id-names vox2_meta.csv \\
        --eval cplfw ~/data/cplfw --filtered prepared/vox2/manifest_no_cplfw.csv
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="Audit prepared data (identity overlap with benchmarks)."
)
console = Console(stderr=True)


@app.command()
def identities(
    pretrain: Annotated[Path, typer.Option(help="Pre-training manifest with an 'identity' column.")],
    eval_set: Annotated[
        tuple[str, Path], typer.Option("--eval", help="Evaluation set and its folder: lfw | cplfw, then ROOT.")
    ],
    id_names: Annotated[
        Path | None, typer.Option(help="Meta file mapping ids to names (first two columns), e.g. vox1_meta.csv.")
    ] = None,
    filtered: Annotated[
        Path | None, typer.Option(help="Write the manifest without the overlapping identities here.")
    ] = None,
) -> None:
    """List identities present in both the pre-training manifest and the evaluation pairs."""
    from facessl.data.images import DataError
    from facessl.data.layouts.errors import LayoutError
    from facessl.prepare.audit import (
        find_overlap,
        read_id_names,
        write_filtered_manifest,
    )

    kind, root = eval_set
    try:
        names = read_id_names(id_names) if id_names else None
        overlap = find_overlap(pretrain, kind, root, names)
        table = Table(title=f"identities in both {pretrain} and {kind}")
        for column in ("identity", "as in the manifest", f"as in {kind}", "crops"):
            table.add_column(column)
        for item in overlap:
            table.add_row(item.name, ", ".join(item.pretrain_names), ", ".join(item.eval_names), str(item.rows))
        Console().print(table)
        Console().print(f"{len(overlap)} shared identities, {sum(o.rows for o in overlap)} crops")
        if filtered is not None:
            kept, dropped = write_filtered_manifest(pretrain, filtered, {o.name for o in overlap}, names)
            Console().print(f"wrote {filtered}: {kept} rows kept, {dropped} dropped")
    except (DataError, LayoutError, ValueError, OSError) as error:
        console.print(f"[bold red]error:[/] {error}")
        raise typer.Exit(2) from None
