"""The publishing commands of the etnc-db CLI: `export`, `dictionary`, `report`
(registered in etnc_db.cli). Each reads the database in one read-only snapshot and
prints one line saying what it wrote."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer


class Format(StrEnum):
    csv = "csv"
    parquet = "parquet"
    xlsx = "xlsx"


def _codebook(settings) -> Path | None:
    """docs/curation.md of the project, else of the package checkout."""
    from etnc_db.config import PACKAGE_ROOT

    for root in (settings.project_dir, PACKAGE_ROOT):
        if (root / "docs" / "curation.md").is_file():
            return root / "docs" / "curation.md"
    return None


def export_command(
        fmt: Format = typer.Option(Format.csv, "--format", help="File format: csv, parquet or xlsx (one file per view)."),
        out_dir: Path | None = typer.Option(None, "--out", help="Folder to write (default: reports/export/ in the project)."),
) -> None:
    """Export every mart view as a file (CSV, Parquet or Excel), with the data dictionary, the codebook and manifest.json."""
    from etnc_db import cli

    with cli.failures():
        from etnc_db.publish.export import export

        url = cli._url()
        cli._require_schema(url)
        settings = cli._settings()
        target = out_dir or settings.reports_dir / "export"
        with cli._progress() as progress:
            result = export(url, target, fmt.value, codebook=_codebook(settings), progress=progress)
        views = sum(1 for f in result.manifest["files"] if f["kind"] == "data")
        cli.out.print(f"exported {views} views ({result.rows} rows, {fmt.value}) to {target}; "
                      f"dataset {result.manifest['dataset_version']}; manifest: {target / 'manifest.json'}")


def dictionary_command(
        out: Path = typer.Option(Path("docs/data-dictionary.md"), "--out",
                                 help="Markdown file to write (relative paths: from the project directory)."),
) -> None:
    """Write the data dictionary (mart views, core and etl tables, allowed values) from the database's comments."""
    from etnc_db import cli

    with cli.failures():
        from etnc_db.publish.dictionary import write_dictionary

        url = cli._url()
        cli._require_schema(url)
        target = out if out.is_absolute() else cli._settings().project_dir / out
        path, relations = write_dictionary(url, target)
        cli.out.print(f"data dictionary: {relations} relations written to {path}")


def report_command(
        out: Path | None = typer.Option(None, "--out", help="HTML file to write (default: reports/report.html in the project)."),
) -> None:
    """Write the visual report: one self-contained HTML file (charts, data tables, evidence for every fact)."""
    from etnc_db import cli

    with cli.failures():
        from etnc_db.publish.report import write_report

        url = cli._url()
        cli._require_schema(url)
        target = out or cli._settings().reports_dir / "report.html"
        with cli._progress() as progress:
            result = write_report(url, target, progress=progress)
        cli.out.print(f"report: {result.charts} charts, {result.facts} facts with their evidence, "
                      f"{result.bytes / 1e6:.1f} MB written to {target}")
