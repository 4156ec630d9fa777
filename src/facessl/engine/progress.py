"""A rich progress bar with images/s and ETA, shown on the main rank only."""

from __future__ import annotations

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn


class TrainProgress:
    def __init__(self, total: int, start: int, enabled: bool = True, description: str = "pretrain") -> None:
        self.enabled = enabled
        if not enabled:
            return
        self.bar = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"), TextColumn("{task.fields[loss]}"),
            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
        )
        self.task = self.bar.add_task(description, total=total, completed=start, rate="", loss="")
        self.bar.start()

    def update(self, step: int, logs: dict[str, float] | None) -> None:
        if not self.enabled:
            return
        fields = {}
        if logs:
            fields = {"rate": f"{logs.get('images_per_second', 0):.0f} img/s", "loss": f"loss {logs.get('loss', float('nan')):.4f}"}
        self.bar.update(self.task, completed=step, **fields)

    def close(self) -> None:
        if self.enabled:
            self.bar.stop()
