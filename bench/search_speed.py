#!/usr/bin/env python3
"""Search speed through the real stack, side by side with bare SQL and SQLite FTS5.

Usage: .venv/bin/python bench/search_speed.py --documents 100000 [--terms 40] [--write-docs] [--queries FILE]

1. Builds (or reuses) the benchmark archive of N documents (bench/load_corpus.py).
2. Picks at least --terms query terms per type by measured document frequency (rare < 0.1 %, medium about
   0.5 %, common 5-15 %, very common 30-60 %), plus phrases (the corpus's, and two words copied from a
   question's text), `a or b -c`, prefixes, date-sorted searches, facet-only browsing, page 50 of a common term
   and member names.
3. Serves the archive with gunicorn (4 sync workers) on 127.0.0.1 and times every query through HTTP: the
   JSON API and the HTML page, at concurrency 1 and 4, after a warm-up pass, with the search cache off (each
   search computed); then the search feed and the CSV export (rows a second); then the API again with the
   cache on, each search asked a second time (answered from the cache).
4. Times the same searches as bare SQL (count, first page ranked, facet counts) on the same database, and
   in SQLite FTS5 with bm25 ranking and the same facets, in this process.
Prints a table; --write-docs puts it in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import io
import json
import os
import platform
import random
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import environment  # noqa: E402

ROOT = environment.ROOT
BUCKETS = {"rare": (0.0002, 0.001), "medium": (0.003, 0.008), "common": (0.05, 0.15), "very_common": (0.30, 0.60)}


# --- choosing queries -----------------------------------------------------------------------------------------


def document_frequencies(sample: int = 20_000) -> dict[str, float]:
    """Lexeme -> share of documents containing it, measured on a random sample of the archive."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM questions_question")
        total = cursor.fetchone()[0]
        fraction = min(100.0, 100.0 * sample / max(total, 1))
        cursor.execute(
            "SELECT word, ndoc FROM ts_stat($$SELECT search_vector FROM questions_question "
            f"TABLESAMPLE BERNOULLI ({fraction}) REPEATABLE (7)$$)"
        )
        rows = cursor.fetchall()
        cursor.execute(f"SELECT count(*) FROM questions_question TABLESAMPLE BERNOULLI ({fraction}) REPEATABLE (7)")
        sampled = cursor.fetchone()[0]
    return {word: ndoc / sampled for word, ndoc in rows}


def surface_words(words: list[str]) -> dict[str, str]:
    """Lexeme -> a word a user would type that stems to it (single-lexeme words only)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT w, tsvector_to_array(to_tsvector('archive_dutch', w)) FROM unnest(%s::text[]) AS w", [words]
        )
        result: dict[str, str] = {}
        for word, lexemes in cursor.fetchall():
            if len(lexemes) == 1 and lexemes[0] not in result and len(word) > 3:
                result[lexemes[0]] = word
    return result


def phrases_from_texts(count: int, rng: random.Random) -> list[str]:
    """Two words side by side in the questions' texts, as a journalist copies a phrase from a question: each of
    four letters or more and not a stop word. Unlike the corpus's planted phrases (most questions holding both
    words hold them side by side), two common words copied this way are often in thousands of questions and side
    by side in a few."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT question_text FROM questions_question TABLESAMPLE BERNOULLI (1) REPEATABLE (11) "
                       "ORDER BY id LIMIT %s", [count * 3])  # fmt: skip
        texts = [text for (text,) in cursor.fetchall()]
        phrases: list[str] = []
        for text in texts:
            words = re.findall(r"[^\W\d_]{4,}", text)
            pairs = [(a, b) for a, b in zip(words, words[1:], strict=False) if f"{a} {b}" in text]
            if not pairs:
                continue
            left, right = rng.choice(pairs)
            cursor.execute("SELECT numnode(plainto_tsquery('archive_dutch', %s)) = 1 "
                           "AND numnode(plainto_tsquery('archive_dutch', %s)) = 1", [left, right])  # fmt: skip
            if cursor.fetchone()[0]:
                phrases.append(f"{left} {right}")
            if len(phrases) == count:
                break
    return phrases


def phrases_with_stop_words(count: int, rng: random.Random) -> list[str]:
    """Phrases with a stop word, copied from the questions' texts as journalists type names ("De Lijn", "Raad van
    State"): half a stop word and a word of four letters or more ("de bussen", "bussen van"), half a stop word
    between two such words ("bussen van steden"). The index keeps no stop word, so these are checked against the
    texts (phrase_pairs.sql: the stop words' pairs)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT question_text FROM questions_question TABLESAMPLE BERNOULLI (1) REPEATABLE (13) "
                       "ORDER BY id LIMIT %s", [count * 3])  # fmt: skip
        texts = [text for (text,) in cursor.fetchall()]
        phrases: list[str] = []
        for index, text in enumerate(texts):
            words = re.findall(r"[^\W\d_]+", text)
            cursor.execute("SELECT w, numnode(plainto_tsquery('archive_dutch', w)) = 0 FROM unnest(%s::text[]) AS w",
                           [sorted(set(words))])  # fmt: skip
            stop = {word for word, is_stop in cursor.fetchall() if is_stop}
            content = {word for word in words if len(word) >= 4 and word not in stop}
            if index % 2:
                found = [f"{a} {b} {c}" for a, b, c in zip(words, words[1:], words[2:], strict=False)
                         if a in content and b in stop and c in content and f"{a} {b} {c}" in text]  # fmt: skip
            else:
                found = [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)
                         if ((a in stop and b in content) or (a in content and b in stop)) and f"{a} {b}" in text]
            if found:
                phrases.append(rng.choice(found))
            if len(phrases) == count:
                break
    return phrases


def choose_queries(count: int, seed: int = 7) -> dict[str, list[dict]]:
    from bench.corpus import Corpus
    from questions.models import Member, Minister, Theme

    rng = random.Random(seed)
    frequencies = document_frequencies()
    corpus = Corpus()
    words = surface_words(corpus.words[:40_000])
    buckets: dict[str, list[str]] = {name: [] for name in BUCKETS}
    for lexeme, share in frequencies.items():
        for name, (low, high) in BUCKETS.items():
            if low <= share <= high and lexeme in words:
                buckets[name].append(words[lexeme])
    for name in buckets:
        rng.shuffle(buckets[name])
        buckets[name] = sorted(buckets[name][:count])
    common, medium = buckets["common"], buckets["medium"]
    two_word_phrases = sorted({p for phrases in corpus.phrases for p in phrases if p.count(" ") == 1})
    themes = list(Theme.objects.values_list("slug", flat=True))
    ministers = list(Minister.objects.values_list("slug", flat=True))
    members = list(Member.objects.values_list("name", flat=True)[:200])
    queries = {name: [{"q": term} for term in terms] for name, terms in buckets.items()}
    queries["phrase"] = [{"q": f'"{p}"'} for p in rng.sample(two_word_phrases, min(count, len(two_word_phrases)))]
    queries["phrase_from_text"] = [{"q": f'"{p}"'} for p in phrases_from_texts(count, rng)]
    # With a generator of its own: the other types keep the queries of earlier runs.
    queries["phrase_stop_word"] = [{"q": f'"{p}"'} for p in phrases_with_stop_words(count, random.Random(seed + 1))]
    queries["or_not"] = [{"q": f"{rng.choice(medium)} or {rng.choice(medium)} -{rng.choice(common)}"}
                         for _ in range(count)]  # fmt: skip
    prefixes = list(dict.fromkeys(word[:5] for word in rng.sample(medium, len(medium))))
    queries["prefix"] = [{"q": f"{prefix}*"} for prefix in prefixes[:count]]
    queries["date_sorted"] = [{"q": term, "sort": "newest"} for term in buckets["rare"][: count // 2]] + [
        {"q": term, "sort": "newest"} for term in common[: count - count // 2]
    ]
    queries["facet_browse"] = [{"theme": rng.choice(themes)} for _ in range(count // 2)] + [
        {"minister": rng.choice(ministers), "answered": "no"} for _ in range(count - count // 2)
    ]
    queries["page_50"] = [{"q": term, "page": "50"} for term in common]
    queries["member_name"] = [{"q": name} for name in rng.sample(members, min(count, len(members)))]
    return {name: items for name, items in queries.items() if items}


# --- timing through HTTP ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, workers: int = 4, *, search_cache: bool = False) -> None:
        self.port = free_port()
        # One client asking as fast as it can: the per-address rate limits are off for the measurement. Without
        # the search cache (questions/search/cache.py) unless asked: every search is computed, as the first
        # time anyone asks it.
        env = {**os.environ, "WEB_CONCURRENCY": str(workers), "RATE_LIMIT_SEARCH": "0", "RATE_LIMIT_API": "0",
               "RATE_LIMIT_CSV": "0", "RATE_LIMIT_FEEDS": "0", "SEARCH_CACHE_ENTRIES": "300" if search_cache else "0"}
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"], cwd=ROOT, env=env,
                       check=True)  # fmt: skip
        self.process = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "archive.asgi:application", "--config", "archive/gunicorn_conf.py",
             "--bind", f"127.0.0.1:{self.port}", "--access-logfile", "/dev/null", "--timeout", "120"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                self.get("/api/questions/?answered=yes")
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not start")

    def get(self, path: str) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pick(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]

    return {"n": len(ordered), "p50": statistics.median(ordered), "p95": pick(0.95), "p99": pick(0.99)}


def time_http(server: Server, path: str, queries: list[dict], concurrency: int) -> dict[str, float]:
    def one(params: dict) -> float:
        started = time.perf_counter()
        status, body = server.get(f"{path}?{urlencode(params)}")
        elapsed = (time.perf_counter() - started) * 1000
        if status != 200:
            raise RuntimeError(f"{path}?{urlencode(params)} answered {status}: {body[:200]!r}")
        return elapsed

    for params in queries:  # warm-up: the cache is warm when we measure
        one(params)
    if concurrency == 1:
        samples = [one(params) for params in queries]
    else:
        with ThreadPoolExecutor(concurrency) as pool:
            samples = list(pool.map(one, queries * 2))
    return percentiles(samples)


def choose_pages(count: int, seed: int = 11) -> dict[str, list[str]]:
    """The pages besides searches that users open: question pages (with related questions), the home page, and
    the pages of ministers, members and themes."""
    from questions.models import Member, Minister, Question, Theme

    rng = random.Random(seed)
    ids = list(Question.objects.values_list("id", flat=True))
    pages = {"question page": [f"/questions/{pk}/" for pk in rng.sample(ids, min(count, len(ids)))],
             "home page": ["/"] * count}  # fmt: skip
    for label, model, prefix in (("minister page", Minister, "ministers"), ("member page", Member, "members"),
                                 ("theme page", Theme, "themes")):  # fmt: skip
        slugs = list(model.objects.values_list("slug", flat=True))
        pages[label] = [f"/{prefix}/{slug}/" for slug in (rng.choice(slugs) for _ in range(count))]
    return pages


def time_paths(server: Server, paths: list[str]) -> dict[str, float]:
    def one(path: str) -> float:
        started = time.perf_counter()
        status, body = server.get(path)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}: {body[:200]!r}")
        return (time.perf_counter() - started) * 1000

    for path in paths:  # warm-up
        one(path)
    return percentiles([one(path) for path in paths])


# --- bare SQL: the floor --------------------------------------------------------------------------------------

BARE_SQL = """
WITH matches AS MATERIALIZED (
    SELECT q.id, q.minister_id, q.member_id, q.session, q.has_answer, q.date_asked, q.theme_ids
    FROM questions_question q WHERE {where}
){ctes}
SELECT 'page', string_agg(page.id::text || {headline}, ',') FROM ({page}) AS page
    JOIN questions_question AS q ON q.id = page.id
UNION ALL SELECT 'total', count(*)::text FROM matches
UNION ALL SELECT 'minister', count(*)::text FROM (SELECT minister_id, count(*) FROM matches GROUP BY 1) AS f
UNION ALL SELECT 'member', count(*)::text FROM (SELECT member_id, count(*) FROM matches GROUP BY 1) AS f
UNION ALL SELECT 'year', count(*)::text FROM (SELECT session, count(*) FROM matches GROUP BY 1) AS f
UNION ALL SELECT 'answered', count(*)::text FROM (SELECT has_answer, count(*) FROM matches GROUP BY 1) AS f
UNION ALL SELECT 'theme', count(*)::text FROM (
    SELECT theme_id, count(*) FROM matches CROSS JOIN LATERAL unnest(matches.theme_ids) AS theme_id GROUP BY 1) AS f
"""
# The first page by relevance as the application chooses it (docs/search-design.md, questions/search/paging.py):
# every match ranked exactly up to 2,000 matches; above that, the titles that match, from the title index alone
# and joined to the matches by id, the best 200 by the title vector re-ranked on the whole vector.
TITLE_MATCHES = """,
title_matches AS MATERIALIZED (
    SELECT t.id, t.date_asked, ts_rank(t.title_vector, archive_tsquery(%s)) AS title_rank
    FROM questions_question t
    WHERE t.title_vector @@ archive_tsquery(%s) AND (SELECT count(*) FROM matches) > 2000)"""
RANKED_PAGE = """
SELECT e.id FROM (
    SELECT m.id FROM matches m JOIN questions_question v ON v.id = m.id
    WHERE (SELECT count(*) FROM matches) <= 2000
    ORDER BY ts_rank(v.search_vector, archive_tsquery(%s)) DESC LIMIT 20) AS e
UNION ALL
SELECT b.id FROM (
    SELECT c.id FROM (
        SELECT t.id FROM title_matches t JOIN matches m ON m.id = t.id
        ORDER BY t.title_rank DESC, t.date_asked DESC LIMIT 200) AS c
    JOIN questions_question v ON v.id = c.id
    ORDER BY ts_rank(v.search_vector, archive_tsquery(%s)) DESC LIMIT 20) AS b
"""
DATE_PAGE = "SELECT id FROM matches ORDER BY date_asked DESC, id DESC LIMIT 20 OFFSET {offset}"


def bare_sql(params: dict) -> tuple[str, list]:
    from questions.search.text import to_tsquery_text

    conditions, args = [], []
    tsquery = to_tsquery_text(params["q"]) if params.get("q") else None
    if tsquery:
        conditions.append("q.search_vector @@ archive_tsquery(%s)")
        args.append(tsquery)
    if "theme" in params:
        conditions.append("q.theme_ids && ARRAY[(SELECT id FROM questions_theme WHERE slug = %s)]")
        args.append(params["theme"])
    if "minister" in params:
        conditions.append("q.minister_id = (SELECT id FROM questions_minister WHERE slug = %s)")
        args.append(params["minister"])
    if params.get("answered") == "no":
        conditions.append("NOT q.has_answer")
    offset = (int(params.get("page", 1)) - 1) * 20
    if tsquery and params.get("sort") != "newest" and offset == 0:
        ctes, cte_args, page, page_args = TITLE_MATCHES, [tsquery] * 2, RANKED_PAGE, [tsquery] * 2
    else:
        ctes, cte_args, page, page_args = "", [], DATE_PAGE.format(offset=offset), []
    # The page's snippets, as the application makes them (one headline a row, on the question).
    headline = "ts_headline('archive_dutch', q.question_text, archive_tsquery(%s))" if tsquery else "''"
    headline_args = [tsquery] if tsquery else []
    sql = BARE_SQL.format(where=" AND ".join(conditions) or "TRUE", ctes=ctes, page=page, headline=headline)
    return sql, args + cte_args + headline_args + page_args


def time_bare_sql(queries: list[dict], concurrency: int = 1) -> dict[str, float]:
    """The bare statements' times, one after another or ``concurrency`` at a time (each thread on its own
    connection): what PostgreSQL alone needs, and how its latency grows when several ask at once."""
    from django.db import connection

    from questions.search.text import index_scans_only

    def one(params: dict) -> float:
        sql, args = bare_sql(params)
        # Planned as the application plans a text search (questions/search/text.py): without it PostgreSQL 15
        # seq-scanned very common words, reading every vector, and the "floor" came out slower than the app.
        with index_scans_only("default") if params.get("q") else nullcontext():
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(sql, args)
                cursor.fetchall()
            return (time.perf_counter() - started) * 1000

    for params in queries:
        one(params)
    if concurrency == 1:
        return percentiles([one(params) for params in queries])

    def in_thread(params: dict) -> float:
        try:
            return one(params)
        finally:
            connection.close()  # the thread's own connection, back to the pool

    with ThreadPoolExecutor(concurrency) as pool:
        return percentiles(list(pool.map(in_thread, queries * 2)))


def bare_sql_rows(queries: list[dict], api_only: bool) -> dict[str, dict[str, float]]:
    """The bare statements at concurrency 1, and at 4 unless only the API at 1 is measured."""
    return {"bare_sql": time_bare_sql(queries), **({} if api_only else {"bare_sql_c4": time_bare_sql(queries, 4)})}


def time_fixed_cost(server: Server, count: int = 40) -> dict[str, dict[str, float]]:
    """What every request costs besides its search: one question by id through the API (a single look-up by
    primary key), against that look-up in bare SQL."""
    from django.db import connection

    from questions.models import Question

    every_id = list(Question.objects.values_list("id", flat=True))
    ids = random.Random(13).sample(every_id, min(count, len(every_id)))
    http_times = time_paths(server, [f"/api/questions/{pk}/" for pk in ids])

    def bare(pk: int) -> float:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM questions_question WHERE id = %s", [pk])
            cursor.fetchall()
        return (time.perf_counter() - started) * 1000

    for pk in ids:
        bare(pk)
    return {"api": http_times, "bare_sql": percentiles([bare(pk) for pk in ids])}


# --- SQLite FTS5 -----------------------------------------------------------------------------------------------


def build_sqlite(path: Path) -> None:
    """The same archive in SQLite FTS5, copied from the PostgreSQL one (generating a million documents again
    would take half an hour)."""
    if path.exists():
        return
    from django.db import connection, transaction

    temporary = path.with_suffix(".building")
    temporary.unlink(missing_ok=True)
    db = sqlite3.connect(temporary)
    db.executescript("""
        PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
        CREATE TABLE docs (id INTEGER PRIMARY KEY, title TEXT, question TEXT, answer TEXT, names TEXT,
                           minister INTEGER, member INTEGER, session TEXT, has_answer INTEGER, date TEXT);
        CREATE TABLE doc_themes (doc INTEGER, theme INTEGER);
        CREATE VIRTUAL TABLE docs_fts USING fts5(title, question, answer, names, content='docs', content_rowid='id',
                                                 tokenize='unicode61 remove_diacritics 2');
    """)
    with connection.cursor() as cursor:
        cursor.execute("SELECT question_id, theme_id FROM questions_question_themes")
        db.executemany("INSERT INTO doc_themes VALUES (?,?)", cursor.fetchall())
    # A named (server-side) cursor streams the rows instead of holding a million documents in memory.
    with transaction.atomic(), connection.connection.cursor(name="sqlite_copy") as cursor:
        cursor.itersize = 5_000
        cursor.execute("""
            SELECT q.id, q.title, q.question_text, coalesce(a.text, ''), mb.name || ' ' || mi.name,
                   q.minister_id, q.member_id, q.session, q.has_answer::int, q.date_asked::text
            FROM questions_question q JOIN questions_member mb ON mb.id = q.member_id
            JOIN questions_minister mi ON mi.id = q.minister_id
            LEFT JOIN questions_answer a ON a.question_id = q.id ORDER BY q.id""")
        while rows := cursor.fetchmany(5_000):
            db.executemany("INSERT INTO docs VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
    db.executescript("""
        INSERT INTO docs_fts (rowid, title, question, answer, names)
            SELECT id, title, question, answer, names FROM docs;
        INSERT INTO docs_fts (docs_fts) VALUES ('optimize');
        CREATE INDEX doc_themes_doc ON doc_themes (doc);
        CREATE INDEX docs_date ON docs (date);
    """)
    db.commit()
    db.close()
    temporary.rename(path)


def fts5_query(text: str) -> str | None:
    """The same query in FTS5 syntax: phrases, OR, NOT, prefix*."""
    groups, current = [], []
    for match in re.finditer(r'(-?)"([^"]*)"|(\S+)', text):
        negated, phrase, word = match.groups()
        if word is not None and word.lower() == "or":
            groups.append(current)
            current = []
            continue
        if phrase is not None:
            term = '"' + " ".join(re.findall(r"\w+", phrase)) + '"'
        else:
            negated = word.startswith("-")
            star = word.endswith("*")
            parts = re.findall(r"\w+", word)
            if not parts:
                continue
            term = " ".join(parts) + ("*" if star else "")
            if len(parts) > 1 and not star:
                term = '"' + " ".join(parts) + '"'
        current.append(("NOT " if negated else "") + term)
    groups.append(current)
    rendered = []
    for group in groups:
        positives = [t for t in group if not t.startswith("NOT ")]
        negatives = [t for t in group if t.startswith("NOT ")]
        if positives:
            rendered.append(" AND ".join(positives) + "".join(f" {n}" for n in negatives))
    return " OR ".join(f"({r})" for r in rendered) if rendered else None


def time_sqlite(path: Path, queries: list[dict]) -> dict[str, float]:
    db = sqlite3.connect(path)
    db.execute("PRAGMA cache_size = -2000000")
    theme_ids = {}
    from questions.models import Minister, Theme

    for theme in Theme.objects.all():
        theme_ids[theme.slug] = theme.pk
    minister_ids = {minister.slug: minister.pk for minister in Minister.objects.all()}

    def one(params: dict) -> float:
        where, args = [], []
        match = fts5_query(params["q"]) if params.get("q") else None
        if match:
            where.append("docs.id IN (SELECT rowid FROM docs_fts WHERE docs_fts MATCH ?)")
            args.append(match)
        if "theme" in params:
            where.append("docs.id IN (SELECT doc FROM doc_themes WHERE theme = ?)")
            args.append(theme_ids[params["theme"]])
        if "minister" in params:
            where.append("docs.minister = ?")
            args.append(minister_ids[params["minister"]])
        if params.get("answered") == "no":
            where.append("docs.has_answer = 0")
        clause = " AND ".join(where) or "1"
        offset = (int(params.get("page", 1)) - 1) * 20
        started = time.perf_counter()
        db.execute("DROP TABLE IF EXISTS temp.matches")
        db.execute(f"CREATE TEMP TABLE matches AS SELECT id, minister, member, session, has_answer, date FROM docs "
                   f"WHERE {clause}", args)  # fmt: skip
        if match and params.get("sort") != "newest":
            db.execute(
                "SELECT rowid, snippet(docs_fts, -1, '<mark>', '</mark>', '…', 30) FROM docs_fts "
                "WHERE docs_fts MATCH ? ORDER BY bm25(docs_fts, 10.0, 5.0, 2.0, 1.0) LIMIT 20 OFFSET ?",
                [match, offset],
            ).fetchall()
        else:
            db.execute("SELECT id FROM matches ORDER BY date DESC, id DESC LIMIT 20 OFFSET ?", [offset]).fetchall()
        db.execute("SELECT count(*) FROM matches").fetchall()
        for column in ("minister", "member", "session", "has_answer"):
            db.execute(f"SELECT {column}, count(*) FROM matches GROUP BY 1").fetchall()
        db.execute("SELECT theme, count(*) FROM matches JOIN doc_themes ON doc = matches.id GROUP BY 1").fetchall()
        return (time.perf_counter() - started) * 1000

    for params in queries:
        one(params)
    result = percentiles([one(params) for params in queries])
    db.close()
    return result


# --- the run ---------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--terms", type=int, default=40)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--api-only", action="store_true", help="only the JSON API at concurrency 1 (a quicker run)")
    parser.add_argument("--via-import", action="store_true",
                        help="load the archive with manage.py import_questions, as users do, not with COPY")
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--queries", type=Path, metavar="FILE",
                        help="read the queries and pages from FILE if it exists, else choose them and write it: "
                             "two archives (two versions) then answer the same searches")  # fmt: skip
    args = parser.parse_args()

    data_dir = environment.setup(args.documents)
    from bench.load_corpus import build, import_seconds

    build(args.documents, 2024, via_import=args.via_import)
    from django.db import connection

    seconds = import_seconds()
    context = {
        "title": "" if environment.embedded() else ", on the server DATABASE_URL names",
        "server": environment.server_description(),
        "loaded": (f"with `manage.py import_questions` in {seconds:,.0f} s, {args.documents / seconds:,.0f} "
                   "documents/s, no ANALYZE by hand" if seconds
                   else "with COPY, then VACUUM ANALYZE (bench/load_corpus.py)"),
    }  # fmt: skip
    if args.queries and args.queries.exists():
        chosen = json.loads(args.queries.read_text(encoding="utf-8"))
        queries, page_paths = chosen["queries"], chosen["pages"]
    else:
        queries, page_paths = choose_queries(args.terms), choose_pages(args.terms)
        if args.queries:
            args.queries.write_text(json.dumps({"queries": queries, "pages": page_paths}), encoding="utf-8")
    print(f"query types: {', '.join(f'{k} ({len(v)})' for k, v in queries.items())}", flush=True)
    rows: dict[str, dict] = {name: bare_sql_rows(items, args.api_only) for name, items in queries.items()}
    if not args.skip_sqlite:
        sqlite_path = data_dir / "fts5-copy.sqlite"  # ids as in PostgreSQL
        print("building / opening the SQLite FTS5 copy …", flush=True)
        build_sqlite(sqlite_path)
        for name, items in queries.items():
            rows[name]["sqlite"] = time_sqlite(sqlite_path, items)
    connection.close()

    server = Server()
    try:
        for name, items in queries.items():
            rows[name]["api_c1"] = time_http(server, "/api/questions/", items, 1)
            if not args.api_only:
                rows[name]["html_c1"] = time_http(server, "/search/", items, 1)
                rows[name]["api_c4"] = time_http(server, "/api/questions/", items, 4)
            print(f"  {name}: API p95 {rows[name]['api_c1']['p95']:.0f} ms", flush=True)
        feed = time_http(server, "/feeds/questions.rss", queries["common"], 1)
        # Twice: the first export reads the rows' texts for the first time (from disk or the OS's cache), the
        # second as a newsroom exporting the same search again would.
        csv_seconds = []
        for _attempt in range(2):
            started = time.perf_counter()
            status, body = server.get("/search/export.csv?" + urlencode({**queries["common"][0], "sep": ","}))
            csv_seconds.append(time.perf_counter() - started)
        csv_rows = sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8-sig")))) - 1
        status, body = server.get("/api/questions/?" + urlencode(queries["common"][0]))
        matches = json.loads(body)["count"]
        fixed = time_fixed_cost(server)
        pages: dict[str, dict] = {}
        for label, paths in page_paths.items():
            pages[label] = time_paths(server, paths)
            print(f"  {label}: p95 {pages[label]['p95']:.0f} ms", flush=True)
    finally:
        server.stop()
    time_again(queries, page_paths, rows, pages)

    slowest = sorted(rows, key=lambda name: rows[name]["api_c1"]["p95"], reverse=True)[:4]
    for name in slowest:
        save_plans(args.documents, name + ("" if environment.embedded() else "-external"), queries[name][0])
    lines = render(args.documents, rows, feed, csv_rows, csv_seconds, matches, pages, context, fixed)
    print("\n".join(lines))
    if args.write_docs:
        write_docs(f"search {args.documents}" + ("" if environment.embedded() else " external"), lines)


def time_again(queries: dict[str, list[dict]], page_paths: dict[str, list[str]], rows: dict, pages: dict) -> None:
    """The same searches and pages asked again of an unchanged archive, with the search cache on: one web
    process, so that its cache holds them all after the warm-up pass."""
    server = Server(workers=1, search_cache=True)
    try:
        for name, items in queries.items():
            rows[name]["api_again"] = time_http(server, "/api/questions/", items, 1)
        for label, paths in page_paths.items():
            pages[label]["again"] = time_paths(server, paths)
    finally:
        server.stop()


def save_plans(size: int, name: str, params: dict) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of every query the app runs for one search, in docs/explain/, with the
    planner settings the app sets around them."""
    from django.db import connection
    from django.http import QueryDict

    from questions.search.params import SearchParams
    from questions.search.results import search

    captured: list[tuple[str, list]] = []

    def capture(execute, sql, sql_params, many, context):
        captured.append((sql, sql_params))
        return execute(sql, sql_params, many, context)

    with connection.execute_wrapper(capture):
        search(SearchParams.from_query(QueryDict(urlencode(params))))
    out = [f"# {name}: {urlencode(params)} on {size:,} documents", ""]
    with connection.cursor() as cursor:
        for sql, sql_params in captured:
            if sql.lstrip().upper().startswith(("SET ", "RESET ")):
                cursor.execute(sql, sql_params)  # as the app plans it (text.index_scans_only)
                continue
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, sql_params)
            out += [sql.strip(), ""] + [row[0] for row in cursor.fetchall()] + ["", "-" * 80, ""]
    folder = ROOT / "docs" / "explain"
    folder.mkdir(exist_ok=True)
    (folder / f"{size}-{name}.txt").write_text("\n".join(out), encoding="utf-8")


def render(size: int, rows: dict, feed: dict, csv_rows: int, csv_seconds: list[float], matches: int,
           pages: dict[str, dict], context: dict[str, str],
           fixed: dict[str, dict] | None = None) -> list[str]:  # fmt: skip
    lines = [
        f"### {size:,} documents{context['title']}",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d')}. Milliseconds; n = queries timed per cell.",
        f"Server: {context['server']}.",
        f"Loaded: {context['loaded']}.",
        "",
        "| query type | n | API p50 | API p95 | API p99 | HTML p95 | API p95 at 4 (÷ at 1) | bare SQL p50 "
        "| bare SQL p95 at 4 (÷ at 1) | app ÷ SQL (p50) | SQLite p95 | PostgreSQL app ÷ SQLite (p95) "
        "| API p95 asked again |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]

    def at_four(four: dict | None, one: dict) -> str:
        return f"{four['p95']:.0f} ({four['p95'] / max(one['p95'], 0.01):.1f}×)" if four else "–"

    for name, cells in rows.items():
        api, bare = cells["api_c1"], cells["bare_sql"]
        html = f"{cells['html_c1']['p95']:.0f}" if "html_c1" in cells else "–"
        api4, bare4 = at_four(cells.get("api_c4"), api), at_four(cells.get("bare_sql_c4"), bare)
        sqlite = cells.get("sqlite")
        lines.append(
            f"| {name} | {api['n']} | {api['p50']:.0f} | {api['p95']:.0f} | {api['p99']:.0f} | {html} | "
            f"{api4} | {bare['p50']:.0f} | {bare4} | {api['p50'] / max(bare['p50'], 0.01):.1f}× | "
            + (f"{sqlite['p95']:.0f} | {api['p95'] / max(sqlite['p95'], 0.01):.2f}× |" if sqlite else "– | – |")
            + (f" {cells['api_again']['p95']:.0f} |" if "api_again" in cells else " – |")
        )
    lines += [
        "",
        "Every column but the last computes each search (the search cache off, as the first time anyone asks "
        "it); the last asks them again of an unchanged archive, answered from the cache (questions/search/"
        "cache.py). At 4: four clients at once (the bare statements on four connections), on this machine's "
        "cores.",
        "",
        f"Search feed (RSS, common terms): p50 {feed['p50']:.0f} ms, p95 {feed['p95']:.0f} ms, "
        f"p99 {feed['p99']:.0f} ms.",
        f"CSV export of one common term ({csv_rows:,} rows of {matches:,} matches): {csv_seconds[0]:.1f} s, "
        f"{csv_rows / max(csv_seconds[0], 0.001):,.0f} rows/s; exported again {csv_seconds[-1]:.1f} s, "
        f"{csv_rows / max(csv_seconds[-1], 0.001):,.0f} rows/s.",
        "",
    ]
    if fixed:
        lines += [f"What every request costs besides its search: one question by id through the API, p50 "
                  f"{fixed['api']['p50']:.1f} ms (p95 {fixed['api']['p95']:.1f}); the same look-up in bare SQL, "
                  f"p50 {fixed['bare_sql']['p50']:.2f} ms.", ""]
    if pages:
        lines += ["| page (HTML, concurrency 1) | n | p50 | p95 | p99 | p95 asked again |",
                  "| --- | ---: | ---: | ---: | ---: | ---: |"]
        for label, cells in pages.items():
            again = f"{cells['again']['p95']:.0f}" if "again" in cells else "–"
            lines.append(f"| {label} | {cells['n']} | {cells['p50']:.0f} | {cells['p95']:.0f} | {cells['p99']:.0f} "
                         f"| {again} |")
        lines.append("")
    return lines


# The last heading of docs/benchmarks.md, which points to the sessions' history: new tables go before it.
HISTORY_HEADING = "\n## History\n"


def write_docs(size: int | str, lines: list[str], path: Path = ROOT / "docs" / "benchmarks.md") -> None:
    """Put ``lines`` in ``path`` between markers named after ``size``, replacing an earlier run; a table not there
    yet goes at the end of the latest tables, before the history."""
    text = path.read_text(encoding="utf-8")
    name = size if isinstance(size, str) else f"search {size}"
    start, end = f"<!-- {name} start -->", f"<!-- {name} end -->"
    block = start + "\n" + "\n".join(lines) + "\n" + end
    if start in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    elif HISTORY_HEADING in text:
        before, after = text.split(HISTORY_HEADING, 1)
        text = before.rstrip() + "\n\n" + block + "\n" + HISTORY_HEADING + after
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
