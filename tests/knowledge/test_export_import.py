"""Files stay first-class: export, import, export gives the same bytes; bad facts are refused."""

import filecmp
import os
import subprocess
import sys
from pathlib import Path

from sathi import paths
from sathi.crypto import new_key

KEY = new_key()


def sathi(tmp_path: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """The real command line, on its own embedded database under tmp_path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SATHI_")}
    env.update(SATHI_DATA_DIR=str(tmp_path / "var"), SATHI_DATA_KEY=KEY, **settings)
    return subprocess.run([sys.executable, "-m", "sathi.cli", *args], capture_output=True,
                          text=True, timeout=300, cwd=paths.REPO_ROOT, env=env)


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_export_import_export_is_byte_identical_and_a_change_is_one_revision(tmp_path):
    first = sathi(tmp_path, "knowledge", "import")
    assert first.returncode == 0, first.stderr
    assert "160 added" in first.stdout
    a, b = tmp_path / "a", tmp_path / "b"
    exported = sathi(tmp_path, "knowledge", "export", str(a))
    assert exported.returncode == 0, exported.stderr
    assert "160 article files, 24 facts" in exported.stdout
    assert (a / "facts.yaml").is_file() and (a / "topics.tsv").is_file()

    again = sathi(tmp_path, "knowledge", "import", "--from", str(a))
    assert again.returncode == 0, again.stderr
    assert "0 added, 0 updated, 160 unchanged, 0 removed" in again.stdout  # nothing new
    assert sathi(tmp_path, "knowledge", "export", str(b)).returncode == 0
    assert tree(a) == tree(b)
    assert not filecmp.dircmp(a, b).diff_files

    english = a / "articles" / "unpaid-wages" / "en.md"
    english.write_text(english.read_text(encoding="utf-8").replace(
        "start keeping proof today", "start keeping proof now"), encoding="utf-8")
    changed = sathi(tmp_path, "knowledge", "import", "--minor", "--from", str(a))
    assert "0 added, 1 updated, 159 unchanged" in changed.stdout, changed.stdout + changed.stderr


def _one_article_guide(root: Path, extra: str, facts: str) -> dict[str, str]:
    folder = root / "articles" / "unpaid-wages"
    folder.mkdir(parents=True)
    text = (paths.KNOWLEDGE_DIR / "unpaid-wages" / "en.md").read_text(encoding="utf-8")
    (folder / "en.md").write_text(text + extra, encoding="utf-8")
    (root / "topics.tsv").write_text("slug\tcategory\nunpaid-wages\tat-work\n", encoding="utf-8")
    (root / "facts.yaml").write_text(facts, encoding="utf-8")
    return {"SATHI_KNOWLEDGE_DIR": str(folder.parent), "SATHI_TOPICS_FILE": str(root /
            "topics.tsv"), "SATHI_FACTS_FILE": str(root / "facts.yaml")}


def test_check_refuses_an_unknown_fact_name(tmp_path):
    facts = paths.FACTS_FILE.read_text(encoding="utf-8")
    files = _one_article_guide(tmp_path, "\nCall {{fact:no_such_line}}.\n", facts)
    result = sathi(tmp_path, "knowledge", "check", **files)
    assert result.returncode == 1
    assert "unknown fact 'no_such_line' (not in facts.yaml)" in result.stderr
    assert "1 problem(s)" in result.stderr
    refused = sathi(tmp_path, "knowledge", "import", **files)
    assert refused.returncode == 1 and "nothing imported" in refused.stderr


def test_check_refuses_a_fact_without_a_source(tmp_path):
    source = '      source: "https://m.koreatimes.co.kr/pages/article.amp.asp?newsIdx=376806"\n'
    facts = paths.FACTS_FILE.read_text(encoding="utf-8")
    assert source in facts
    files = _one_article_guide(tmp_path, "", facts.replace(source, ""))
    result = sathi(tmp_path, "knowledge", "check", **files)
    assert result.returncode == 1
    assert "fact 'hotline_interpreter': value 1: has no source" in result.stderr


def test_the_writer_quotes_only_what_yaml_would_read_differently(article_files):
    import yaml

    from knowledge.loader import parse_article
    from knowledge.writer import _scalar, article_text

    tricky = ["ARC issued", "1345", "yes", "it's ok", "a: b", "a:b", "x #y", "- x", "a,b",
              "what?", "?x", "'q'", "o’clock", "a/b", "(x)", "사장님", "ঘণ্টার বেতন"]
    for text in tricky:
        flow = yaml.compose(f"k: [{_scalar(text, flow=True)}]", Loader=yaml.SafeLoader)
        assert flow.value[0][1].value[0].value == text
        block = yaml.compose(f"k: {_scalar(text)}", Loader=yaml.SafeLoader)
        assert block.value[0][1].value == text
    for article in article_files:
        back, problems = parse_article(article_text(article), Path(f"{article.lang}.md"),
                                       article.slug,
                                       article.category)
        assert problems == [] and back == article


def test_import_as_draft_changes_nothing_the_bot_serves(tmp_path):
    assert sathi(tmp_path, "knowledge", "import").returncode == 0
    a, b = tmp_path / "a", tmp_path / "b"
    assert sathi(tmp_path, "knowledge", "export", str(a)).returncode == 0
    published = tree(a)
    english = a / "articles" / "unpaid-wages" / "en.md"
    english.write_text(english.read_text(encoding="utf-8").replace(
        "start keeping proof today", "start keeping proof now"), encoding="utf-8")
    drafted = sathi(tmp_path, "knowledge", "import", "--draft", "--from", str(a))
    assert "drafts for review: 0 new articles, 1 changed, 159 unchanged; nothing published" in (
        drafted.stdout), drafted.stdout + drafted.stderr
    again = sathi(tmp_path, "knowledge", "import", "--draft", "--from", str(a))
    assert "0 changed, 160 unchanged" in again.stdout, again.stdout + again.stderr
    assert sathi(tmp_path, "knowledge", "export", str(b)).returncode == 0
    assert tree(b) == published  # the draft waits for review: the bot serves the old text
