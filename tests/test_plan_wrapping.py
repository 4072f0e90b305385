"""`campaigns plan` never cuts a post's text or a campaign's name: it wraps (and folds words too
long for their column), or with `--wide` shows every text on one line."""

from __future__ import annotations

from click.testing import CliRunner

from campaigns.cli import cli
from tests.support.service_processes import REPO

SPECS = str(REPO / "campaign_specs")
LINK = "https://example.org/blog/ssw-week-day-1"
NAME = "Social Service Workforce Week"


def plan(*args: str, width: int) -> str:
    result = CliRunner().invoke(
        cli, ["plan", SPECS, "--from", "2027-04-05", "--to", "2027-04-05", *args], env={"COLUMNS": str(width)}
    )
    assert result.exit_code == 0, result.output
    return result.output


def column_text(output: str, column: int) -> str:
    """The cells of one table column, read top to bottom and joined: what a person reads there."""
    cells = [line.split("│")[column] for line in output.splitlines() if line.startswith("│")]
    return "".join(cell.strip() for cell in cells)


def test_a_narrow_terminal_wraps_and_folds_instead_of_cutting():
    output = plan(width=70)

    assert "…" not in output
    assert NAME.replace(" ", "") in column_text(output, 3)
    assert LINK in column_text(output, 5)


def test_wide_shows_every_text_whole_on_one_line():
    output = plan("--wide", width=70)

    assert "…" not in output
    assert any(
        NAME in line and "A strong #socialservices system" in line and LINK in line
        for line in output.splitlines()
    )
