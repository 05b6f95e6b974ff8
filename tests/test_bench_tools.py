"""The benchmark scripts' own safeguards (bench/), where they decide something a user would notice."""

from bench.load_corpus import other_archive
from bench.search_speed import write_docs


def test_the_loader_refuses_to_replace_an_archive_built_another_way():
    # A search run without --via-import on a database loaded through import_questions rebuilt it with COPY.
    refusal = other_archive({"100000:2024:import", "import-seconds 909.0"}, "100000:2024")

    assert refusal is not None
    assert "100,000 documents, seed 2024, loaded with import_questions" in refusal and "--via-import" in refusal
    assert other_archive({"100000:2024"}, "1000000:2024") is not None  # another size, too


def test_the_loader_goes_on_with_its_own_archive_or_an_interrupted_copy():
    assert other_archive({"100000:2024"}, "100000:2024") is None
    assert other_archive({"100000:2024:import", "import-seconds 909.0"}, "100000:2024:import") is None
    assert other_archive({"copied 100000:2024"}, "100000:2024") is None
    assert other_archive(set(), "100000:2024:import") is None


def test_a_new_table_goes_before_the_history_and_a_second_run_replaces_it(tmp_path):
    docs = tmp_path / "benchmarks.md"
    docs.write_text("# Benchmarks\n\n## The latest tables\n\n## History\n\nEach session's figures.\n")

    write_docs(300000, ["### 300,000 documents", "| rare | 20 |"], docs)
    write_docs(300000, ["### 300,000 documents", "| rare | 19 |"], docs)

    text = docs.read_text()
    assert text.count("### 300,000 documents") == 1 and "| rare | 19 |" in text and "| rare | 20 |" not in text
    assert text.index("<!-- search 300000 end -->") < text.index("## History") < text.index("Each session's")
