-- Counts of the commonest words (questions_wordcount) and the questions written since they were last folded
-- (questions_wordcountchange); read by questions/search/word_counts.py.
--
-- The invariant: for every counted lexeme and facet value, the stored count, plus the changed questions as
-- they are now, minus them as they were at the fold, is the live count. Every transaction that writes
-- questions keeps it by listing what it wrote (the triggers below, in that transaction); the fold and the
-- build keep it by locking out writers while they move the list into the counts.

-- What a question was at the last fold is listed once, at its first write after it: a later write of the
-- same question finds the row there and leaves it (ON CONFLICT DO NOTHING). A new question is listed as
-- having not existed. Nothing is listed while no words are counted.
CREATE OR REPLACE FUNCTION questions_question_word_count_changes() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM questions_wordcount) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO questions_wordcountchange (question_id, existed)
        SELECT n.id, false FROM new_rows AS n ORDER BY n.id
        ON CONFLICT (question_id) DO NOTHING;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO questions_wordcountchange (question_id, existed, search_vector, theme_ids, minister_id,
                                               member_id, session, has_answer)
        SELECT o.id, true, o.search_vector, o.theme_ids, o.minister_id, o.member_id, o.session, o.has_answer
        FROM old_rows AS o ORDER BY o.id
        ON CONFLICT (question_id) DO NOTHING;
    ELSE
        -- Only what a count can see: the vector and the facet values.
        INSERT INTO questions_wordcountchange (question_id, existed, search_vector, theme_ids, minister_id,
                                               member_id, session, has_answer)
        SELECT o.id, true, o.search_vector, o.theme_ids, o.minister_id, o.member_id, o.session, o.has_answer
        FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id
        WHERE (o.theme_ids, o.minister_id, o.member_id, o.session, o.has_answer)
                  IS DISTINCT FROM (n.theme_ids, n.minister_id, n.member_id, n.session, n.has_answer)
           OR o.search_vector IS DISTINCT FROM n.search_vector
        ORDER BY o.id
        ON CONFLICT (question_id) DO NOTHING;
    END IF;
    RETURN NULL;
END
$body$;

-- Emptied questions: the counts describe nothing any more; searches count live until the next build.
CREATE OR REPLACE FUNCTION questions_question_word_counts_truncate() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    DELETE FROM questions_wordcount;
    DELETE FROM questions_wordcountchange;
    RETURN NULL;
END
$body$;

-- The total (facet '') and the facet values of versions of questions, per counted lexeme they hold, signed.
-- ``versions`` is a query of (sign, search_vector, theme_ids, minister_id, member_id, session, has_answer).
-- The planner takes each vector for ten lexemes (it holds about 500) and, for a build, sorted every question's
-- lexemes to merge-join them with the counted words: 38 GB of temporary files and growing at a million
-- questions, on a disk with 17 GB left. A hashed look-up of the counted words (a constant array, which
-- PostgreSQL hashes for a long ``= ANY``; a hash join before) and a hash aggregate in memory write none (1.3
-- million groups at 100,000 questions).
--
-- A counted prefix's key is a colon and the text of the query (archive_tsquery) that a search for the
-- prefix runs (archive_tsquery('(aange:*)'): 'aange':* | 'aang'), and a version holds it when its vector
-- matches that query. No lexeme starts with a colon. Each version's vector is read into memory once
-- (setweight with no lexemes copies it; the subquery kept apart by OFFSET 0): tested against each prefix as
-- the column, it was read from TOAST again for every prefix (2,000 written questions folded in 74 s). The
-- build finds each prefix's questions through the index instead, reading no vector.
--
-- A build counts every question: tens of millions of (word, question) pairs, each counted once per facet
-- value the question has, which is most of its time. So each pass is a query PostgreSQL may run in parallel
-- workers, each grouping its share before the shares are added up: its result goes to a new table (an INSERT
-- is never planned in parallel) and from there into the counts. Nothing in it may keep it to one process: the
-- counted lexemes are a constant array (a hashed look-up; a CTE or a temporary table is read by the leader
-- only), and the prefixes are split into constant groups, each looked up through the index by whichever
-- process takes it (a Parallel Append). At 100,000 questions on two cores: words 112 -> 64 s, prefixes about
-- 200 -> 118 s (docs/benchmarks.md, session 37). The server's max_parallel_workers_per_gather bounds the workers.
DROP FUNCTION IF EXISTS questions_add_word_counts(text);
DROP FUNCTION IF EXISTS questions_add_word_counts(text, boolean);
-- The query of one pass: (lexeme, facet, facet_value, n), the signed count of ``versions`` per counted key and
-- facet value, where not nought. A function of its own so that tests can plan it (tests/test_word_counts.py).
CREATE OR REPLACE FUNCTION questions_word_count_pass(versions text, pass text) RETURNS text
LANGUAGE plpgsql STABLE AS $body$
DECLARE
    counted text[];
    prefixes text[];
    prefix_groups constant int := 16;
    held text;  -- the versions with the key of each counted word or prefix they hold, as (key, version)
BEGIN
    SELECT coalesce(array_agg(w.lexeme ORDER BY w.lexeme) FILTER (WHERE NOT starts_with(w.lexeme, ':')), '{}'),
           coalesce(array_agg(w.lexeme ORDER BY w.lexeme) FILTER (WHERE starts_with(w.lexeme, ':')), '{}')
    INTO counted, prefixes
    FROM questions_wordcount AS w WHERE w.facet = '' AND w.facet_value = '';
    IF pass = 'words' THEN
        held := format($sql$
            SELECT l.lexeme AS key, v.* FROM (%s) AS v
            CROSS JOIN LATERAL unnest(tsvector_to_array(v.search_vector)) AS l (lexeme)
            WHERE l.lexeme = ANY (%L::text[])
        $sql$, versions, counted);
    ELSIF pass = 'prefixes' THEN
        -- A fold's few versions: each prefix's query parsed once, each vector tested against them all.
        held := format($sql$
            WITH prefixes AS MATERIALIZED (SELECT p.key, substr(p.key, 2)::tsquery AS query
                                           FROM unnest(%L::text[]) AS p (key))
            SELECT p.key, v.* FROM (%s) AS v
            CROSS JOIN LATERAL (SELECT setweight(v.search_vector, 'A', '{}'::text[]) OFFSET 0) AS d (vector)
            JOIN prefixes AS p ON d.vector @@ p.query
        $sql$, prefixes, versions);
    ELSIF pass = 'prefixes by index' THEN
        SELECT coalesce(string_agg(format($sql$
                   SELECT p.key, v.* FROM unnest(%L::text[]) AS p (key)
                   JOIN (%s) AS v ON v.search_vector @@ substr(p.key, 2)::tsquery
               $sql$, g.keys, versions), ' UNION ALL '),
               format('SELECT NULL::text AS key, v.* FROM (%s) AS v WHERE false', versions))
        INTO held
        FROM (SELECT array_agg(k.key) AS keys
              FROM unnest(prefixes) WITH ORDINALITY AS k (key, place)
              GROUP BY k.place % prefix_groups) AS g;
    ELSE
        RAISE EXCEPTION 'no word count pass %', pass;
    END IF;
    RETURN format($sql$
        SELECT * FROM (
            SELECT h.key AS lexeme, a.facet, a.value AS facet_value, sum(h.sign) AS n
            FROM (%s) AS h
            CROSS JOIN LATERAL (
                SELECT '', '' UNION ALL
                SELECT f.facet, f.value FROM questions_facet_atoms(h.theme_ids, h.minister_id, h.member_id,
                                                                   h.session, h.has_answer) AS f
            ) AS a (facet, value)
            GROUP BY 1, 2, 3
        ) AS delta
        WHERE delta.n <> 0
    $sql$, held);
END
$body$;

-- ``passes``: which of what each version holds to count, each a statement of its own: 'words' (its counted
-- lexemes), 'prefixes' (its counted prefixes, each vector read once), 'prefixes by index' (the same, found
-- through the GIN index: for a build, whose versions are the questions themselves).
CREATE OR REPLACE FUNCTION questions_add_word_counts(versions text, passes text[]) RETURNS void
LANGUAGE plpgsql SET enable_mergejoin = off SET work_mem = '256MB'
    SET parallel_setup_cost = 0 SET parallel_tuple_cost = 0 SET min_parallel_table_scan_size = 0 AS $body$
DECLARE
    pass text;
BEGIN
    FOREACH pass IN ARRAY passes LOOP
        EXECUTE 'CREATE TEMPORARY TABLE word_count_delta AS ' || questions_word_count_pass(versions, pass);
        INSERT INTO questions_wordcount (lexeme, facet, facet_value, count)
        SELECT d.lexeme, d.facet, d.facet_value, d.n FROM word_count_delta AS d
        ORDER BY 1, 2, 3
        ON CONFLICT (lexeme, facet, facet_value) DO UPDATE SET count = questions_wordcount.count + EXCLUDED.count;
        DROP TABLE word_count_delta;
    END LOOP;
END
$body$;

-- Move the changed questions into the counts; returns how many there were. Writers are locked out (SHARE
-- conflicts with every write, not with reads) so that none writes between reading the list and emptying it.
CREATE OR REPLACE FUNCTION questions_fold_word_counts() RETURNS bigint LANGUAGE plpgsql AS $body$
DECLARE
    folded bigint;
BEGIN
    LOCK TABLE questions_question IN SHARE MODE;
    -- Held until the commit: nothing is listed between the two statements.
    PERFORM questions_add_word_counts($q$
        SELECT 1 AS sign, q.search_vector, q.theme_ids, q.minister_id, q.member_id, q.session, q.has_answer
        FROM questions_wordcountchange AS g JOIN questions_question AS q ON q.id = g.question_id
        UNION ALL
        SELECT -1, g.search_vector, g.theme_ids, g.minister_id, g.member_id, g.session, g.has_answer
        FROM questions_wordcountchange AS g WHERE g.existed
    $q$, ARRAY['words', 'prefixes']);
    DELETE FROM questions_wordcountchange;
    GET DIAGNOSTICS folded = ROW_COUNT;
    RETURN folded;
END
$body$;

-- Count afresh: the lexemes held by at least ``min_share`` of the questions and at least ``min_questions``
-- of them (chosen from the planner's statistics of the vector, gathered afresh; exact counts follow), each
-- counted over every question. Returns how many lexemes are counted.
-- The prefixes counted besides: see below, ``prefix_min_share``.
DROP FUNCTION IF EXISTS questions_build_word_counts(float8, bigint);
CREATE OR REPLACE FUNCTION questions_build_word_counts(min_share float8, min_questions bigint,
                                                       prefix_min_share float8)
RETURNS bigint LANGUAGE plpgsql AS $body$
DECLARE
    questions bigint;
    chosen bigint;
    every_question constant text := $q$
        SELECT 1 AS sign, q.search_vector, q.theme_ids, q.minister_id, q.member_id, q.session, q.has_answer
        FROM questions_question AS q
    $q$;
BEGIN
    LOCK TABLE questions_question IN SHARE MODE;
    DELETE FROM questions_wordcountchange;
    DELETE FROM questions_wordcount;
    SELECT count(*) INTO questions FROM questions_question;
    ANALYZE questions_question (search_vector);
    -- The statistics' frequencies are estimates from a sample: a word near the threshold may be left out or
    -- taken in; it is then counted live, or here, exactly either way.
    INSERT INTO questions_wordcount (lexeme, facet, facet_value, count)
    SELECT e.lexeme, '', '', 0
    FROM pg_stats AS s
    CROSS JOIN LATERAL unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs[1:cardinality(s.most_common_elems::text::text[])])
        AS e (lexeme, share)
    WHERE s.schemaname = current_schema() AND s.tablename = 'questions_question' AND s.attname = 'search_vector'
      AND e.share >= min_share AND e.share * questions >= min_questions
    ORDER BY 1;
    GET DIAGNOSTICS chosen = ROW_COUNT;
    -- The prefixes whose words other than their commonest counted word hold at least ``prefix_min_share`` of
    -- the questions (by the same statistics, an upper bound: a question may hold several): searched, such a
    -- prefix would count that many questions live beside that word's counts (`aange*`: 50,903 of 57,210 at
    -- 100,000 questions, for "aangezien"), or all its questions where none of its words is counted (`doorz*`:
    -- "doorzicht" in 4 %, "doorzoek" in 2 %, 6,692 questions counted live). Three to seven letters, each counted
    -- as the query a search for it runs. Its words are those that query takes in: a prefix that is a word itself
    -- is also searched as that word's stem (`volle*`: 'volle':* | 'voll', and "voll" does not start with "volle").
    IF chosen > 0 THEN
        INSERT INTO questions_wordcount (lexeme, facet, facet_value, count)
        SELECT ':' || g.query::text, '', '', 0
        FROM (
            WITH elements AS MATERIALIZED (
                SELECT e.lexeme, e.share FROM pg_stats AS s
                CROSS JOIN LATERAL unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs[1:cardinality(s.most_common_elems::text::text[])])
                    AS e (lexeme, share)
                WHERE s.schemaname = current_schema() AND s.tablename = 'questions_question'
                  AND s.attname = 'search_vector'),
            prefixes AS MATERIALIZED (
                SELECT p.prefix, archive_tsquery('(' || p.prefix || ':*)') AS query
                FROM (SELECT DISTINCT left(e.lexeme, n.n) AS prefix FROM elements AS e
                      CROSS JOIN generate_series(3, 7) AS n (n)
                      WHERE length(e.lexeme) >= n.n AND left(e.lexeme, n.n) ~ '^[a-z]+$') AS p)
            -- A stem starts with the letter its word starts with (the prefixes are letters a to z).
            SELECT p.query, sum(e.share) - coalesce(max(e.share) FILTER (
                       WHERE e.share >= min_share AND e.share * questions >= min_questions), 0) AS rest
            FROM prefixes AS p JOIN elements AS e
              ON left(e.lexeme, 1) = left(p.prefix, 1) AND array_to_tsvector(ARRAY[e.lexeme]) @@ p.query
            GROUP BY p.prefix, p.query
        ) AS g
        WHERE g.rest >= prefix_min_share AND g.rest * questions >= min_questions
        ON CONFLICT (lexeme, facet, facet_value) DO NOTHING;
    END IF;
    IF chosen > 0 THEN
        PERFORM questions_add_word_counts(every_question, ARRAY['words']);
        -- Each prefix's questions from the index, which answers a prefix query without reading a vector (a
        -- sequential scan would test every vector against every prefix: for the rest of this transaction).
        PERFORM set_config('enable_seqscan', 'off', true);
        PERFORM questions_add_word_counts(every_question, ARRAY['prefixes by index']);
    END IF;
    RETURN chosen;
END
$body$;

DROP TRIGGER IF EXISTS questions_question_word_counts_insert ON questions_question;
CREATE TRIGGER questions_question_word_counts_insert AFTER INSERT ON questions_question
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION questions_question_word_count_changes();
DROP TRIGGER IF EXISTS questions_question_word_counts_update ON questions_question;
CREATE TRIGGER questions_question_word_counts_update AFTER UPDATE ON questions_question
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION questions_question_word_count_changes();
DROP TRIGGER IF EXISTS questions_question_word_counts_delete ON questions_question;
CREATE TRIGGER questions_question_word_counts_delete AFTER DELETE ON questions_question
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION questions_question_word_count_changes();
DROP TRIGGER IF EXISTS questions_question_word_counts_truncate ON questions_question;
CREATE TRIGGER questions_question_word_counts_truncate AFTER TRUNCATE ON questions_question
    FOR EACH STATEMENT EXECUTE FUNCTION questions_question_word_counts_truncate();
