"""`pipeline ingest DIR`: every article file under a folder, file by file; exports mirror it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app

NEWS = Path("/work/shared/corpus/news")
runner = CliRunner()


def tree(root: Path) -> Path:
    """Write a small newsroom folder: nested articles, a hidden folder, odd and broken files."""
    news = root / "news"
    (news / "world" / "asia").mkdir(parents=True)
    (news / ".git").mkdir()
    (news / "a.md").write_text("# Home\n\nThe first story. It is short.\n")
    (news / "world" / "b.html").write_text("<html><body><p>World news here.</p></body></html>")
    (news / "world" / "asia" / "c.txt").write_text("Rain in Yangon.\n")
    (news / "world" / "broken.txt").write_bytes(b"\xff\xfe\x00b\x00a\x00d")
    (news / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    (news / ".git" / "notes.txt").write_text("Never an article.\n")
    (news / ".draft.md").write_text("Hidden draft.\n")
    outside = root / "secret.txt"
    outside.write_text("Outside the folder.\n")
    (news / "link.txt").symlink_to(outside)
    (root / "archive").mkdir()
    (root / "archive" / "old.txt").write_text("An old story outside.\n")
    (news / "archive").symlink_to(root / "archive", target_is_directory=True)
    return news


def stored(output: str) -> list[str]:
    """Return the file URIs that ingest reported as stored, in order."""
    return re.findall(r"^document \d+: (\S+) ", output, flags=re.MULTILINE)


def test_a_tree_is_ingested_file_by_file_past_a_broken_one(tmp_path: Path) -> None:
    """Nested articles are stored in sorted order; the broken file is refused by name, exit 2."""
    news = tree(tmp_path)
    result = runner.invoke(app, ["ingest", str(news)])
    assert result.exit_code == 2
    assert stored(result.stdout) == [
        str(news / "a.md"),
        str(news / "world" / "asia" / "c.txt"),
        str(news / "world" / "b.html"),
    ]
    assert "2 skipped" in result.stdout.splitlines()[-1]
    assert result.stdout.splitlines()[-1].startswith("3 ingested, 1 refused")
    refusal = result.stderr.strip()
    assert refusal.startswith("refused: ") and "broken.txt" in refusal
    assert "\n" not in refusal and "Traceback" not in result.output


def test_hidden_files_and_links_out_of_the_folder_are_never_read(tmp_path: Path) -> None:
    """A .git folder, a hidden file, a linked folder and a link to a file outside store nothing."""
    news = tree(tmp_path)
    (news / "world" / "broken.txt").unlink()
    result = runner.invoke(app, ["ingest", str(news)])
    assert result.exit_code == 0, result.output
    names = [Path(uri).relative_to(news).as_posix() for uri in stored(result.stdout)]
    assert names == ["a.md", "world/asia/c.txt", "world/b.html"]
    assert runner.invoke(app, ["show", str(tmp_path / "secret.txt")]).exit_code != 0
    # Skipped: the photo and the link leading out.
    assert (
        result.stdout.splitlines()[-1] == "3 ingested, 0 refused, 2 skipped (not an article file)"
    )


def test_a_rerun_stores_nothing_new(tmp_path: Path) -> None:
    """Ingesting the same folder again reports every file unchanged and makes no version."""
    news = tree(tmp_path)
    runner.invoke(app, ["ingest", str(news)])
    again = runner.invoke(app, ["ingest", str(news)])
    assert again.exit_code == 2  # the broken file is still refused
    lines = [line for line in again.stdout.splitlines() if line.startswith("document ")]
    assert len(lines) == 3 and all("unchanged (version 1)" in line for line in lines)


def test_folders_and_files_mix_and_each_file_is_read_once(tmp_path: Path) -> None:
    """A file named beside its own folder is ingested once."""
    news = tree(tmp_path)
    (news / "world" / "broken.txt").unlink()
    result = runner.invoke(app, ["ingest", str(news), str(news / "a.md")])
    assert result.exit_code == 0, result.output
    assert stored(result.stdout).count(str(news / "a.md")) == 1


def test_a_folder_without_articles_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    """A folder holding no article file is refused in one line before any store is made."""
    empty = tmp_path / "photos"
    empty.mkdir()
    (empty / "a.jpg").write_bytes(b"\xff\xd8")
    result = runner.invoke(app, ["ingest", str(empty)])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1
    assert "no article file" in result.stderr
    assert not (tmp_path / "pipeline.db").exists()


@pytest.mark.skipif(not NEWS.is_dir(), reason="the shared news corpus is not here")
def test_the_news_corpus_folder_in_one_command(tmp_path: Path) -> None:
    """All 38 saved news pages of the corpus folder are stored by one command."""
    result = runner.invoke(app, ["ingest", str(NEWS)])
    assert result.exit_code == 0, result.output
    assert len(set(stored(result.stdout))) == 38
    assert result.stdout.splitlines()[-1].startswith("38 ingested, 0 refused")


def test_article_export_mirrors_the_tree(tmp_path: Path) -> None:
    """After a pseudo translation, `export --format article -o out/` writes out/world/b.my.html."""
    news = tree(tmp_path)
    (news / "world" / "broken.txt").unlink()
    assert runner.invoke(app, ["ingest", str(news)]).exit_code == 0
    translated = runner.invoke(app, ["translate", "--to", "my", "--engine", "pseudo"])
    assert translated.exit_code == 0, translated.output
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["export", "--format", "article", "--to", "my", "--allow-draft", "-o", f"{out}/"]
    )
    assert result.exit_code == 0, result.output
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == ["a.my.md", "world/asia/c.my.txt", "world/b.my.html"]
    page = (out / "world" / "b.my.html").read_text()
    assert "World news here" not in page and "⟦" in page
