-- A word of the vocabulary (questions_word) and its compound parts, as the search configuration stems them: the
-- search vector's trigger (question_derived.sql) finds a question's compounds by these lexemes. A stop word has
-- no lexeme; a part that is a stop word has none either.
CREATE OR REPLACE FUNCTION questions_word_lexemes() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    NEW.lexeme := (tsvector_to_array(to_tsvector('archive_dutch'::regconfig, NEW.word)))[1];
    NEW.part_lexemes := tsvector_to_array(
        to_tsvector('archive_dutch'::regconfig, array_to_string(coalesce(NEW.parts, '{}'), ' ')));
    RETURN NEW;
END
$body$;

-- The words among ``words`` that the vocabulary knows, with their parts: what learning them again would not change
-- (questions/search/vocabulary.py leaves them out). Bitmap scans are off, so that the look-up is the primary
-- key's: the trigram index answers equality too, and the planner, whose figures lag behind a vocabulary that
-- an import grows by thousands of words a batch (and, without autovacuum, behind that index's pending list),
-- chose it and read the whole pending list once a word: 1-2 s a batch early in an import into an empty archive.
CREATE OR REPLACE FUNCTION questions_known_words(words text[]) RETURNS TABLE (word text, parts text[])
LANGUAGE sql STABLE SET enable_bitmapscan = off AS $$
    SELECT w.word, w.parts FROM questions_word AS w WHERE w.word = ANY (words)
$$;

DROP TRIGGER IF EXISTS questions_word_lexemes ON questions_word;
CREATE TRIGGER questions_word_lexemes BEFORE INSERT OR UPDATE ON questions_word
    FOR EACH ROW EXECUTE FUNCTION questions_word_lexemes();

-- A compound learnt, changed or forgotten: the questions that hold it derive their vectors again, so that they
-- carry exactly the parts the vocabulary now gives it (question_derived.sql). They are found through the search
-- index, by the compound's own lexeme: a question that holds the word has it in its vector, parts or not.
-- A question whose text was written around the vocabulary (raw SQL) gets its words learnt, and its vector
-- derived again, by ``manage.py reindex_words``.
-- Statement triggers: one UPDATE per statement, whatever the number of words it wrote.
-- Planned without sequential scans: a query of a few thousand rare lexemes is answered by the index in
-- milliseconds, and a misjudged scan of the archive would read every vector.
CREATE OR REPLACE FUNCTION questions_words_changed() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off AS $body$
DECLARE
    lexemes text[];
    query tsquery;
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- Only lexemes the vocabulary already had through another word can be in stored questions: a question
        -- is stored after its words are learnt (the importer, the admin, reindex_words). And a new word whose
        -- parts another word of its lexeme already gives ("amateurclubs" after "amateurclub") changes no
        -- vector. Most compounds an import learns are new lexemes or such inflections: no search at all.
        -- Joins, not correlated subqueries: an import learns tens of thousands of words in one statement.
        WITH fresh AS (
            SELECT n.lexeme, n.part_lexemes FROM new_words AS n
            WHERE n.lexeme IS NOT NULL AND n.part_lexemes <> '{}'),
        older AS (
            SELECT w.lexeme, w.part_lexemes
            FROM questions_word AS w LEFT JOIN new_words AS n ON n.word = w.word
            WHERE n.word IS NULL AND w.lexeme IN (SELECT f.lexeme FROM fresh AS f))
        SELECT array_agg(DISTINCT f.lexeme) INTO lexemes
        FROM fresh AS f JOIN older AS o ON o.lexeme = f.lexeme
        WHERE NOT EXISTS (SELECT 1 FROM older AS c WHERE c.lexeme = f.lexeme AND c.part_lexemes @> f.part_lexemes);
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT o.lexeme) INTO lexemes FROM old_words AS o
        WHERE o.lexeme IS NOT NULL AND o.part_lexemes <> '{}';
    ELSE
        SELECT array_agg(DISTINCT x.lexeme) INTO lexemes
        FROM new_words AS n JOIN old_words AS o ON o.word = n.word
        CROSS JOIN LATERAL (VALUES (n.lexeme), (o.lexeme)) AS x (lexeme)
        WHERE (n.lexeme, n.part_lexemes) IS DISTINCT FROM (o.lexeme, o.part_lexemes) AND x.lexeme IS NOT NULL;
    END IF;
    IF lexemes IS NOT NULL THEN
        query := array_to_string(ARRAY(SELECT quote_literal(lexeme) FROM unnest(lexemes) AS lexeme), ' | ')::tsquery;
        -- Lexemes are letters only (questions/search/compounds.py), so quoting them makes a valid tsquery.
        -- A question that has the lexeme only as a part of another compound (no position: ts_filter drops
        -- it) holds no such word, and its vector would come out the same: it is left alone.
        UPDATE questions_question SET search_vector = NULL
        WHERE search_vector @@ query AND ts_filter(search_vector, '{a,b,c,d}') @@ query;
    END IF;
    RETURN NULL;
END
$body$;

DROP TRIGGER IF EXISTS questions_words_inserted ON questions_word;
CREATE TRIGGER questions_words_inserted AFTER INSERT ON questions_word
    REFERENCING NEW TABLE AS new_words FOR EACH STATEMENT EXECUTE FUNCTION questions_words_changed();
DROP TRIGGER IF EXISTS questions_words_updated ON questions_word;
CREATE TRIGGER questions_words_updated AFTER UPDATE ON questions_word
    REFERENCING NEW TABLE AS new_words OLD TABLE AS old_words
    FOR EACH STATEMENT EXECUTE FUNCTION questions_words_changed();
DROP TRIGGER IF EXISTS questions_words_deleted ON questions_word;
CREATE TRIGGER questions_words_deleted AFTER DELETE ON questions_word
    REFERENCING OLD TABLE AS old_words FOR EACH STATEMENT EXECUTE FUNCTION questions_words_changed();

-- TRUNCATE has no transition table: every vector is derived again.
CREATE OR REPLACE FUNCTION questions_words_truncated() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    UPDATE questions_question SET search_vector = NULL;
    RETURN NULL;
END
$body$;

DROP TRIGGER IF EXISTS questions_words_truncated ON questions_word;
CREATE TRIGGER questions_words_truncated AFTER TRUNCATE ON questions_word
    FOR EACH STATEMENT EXECUTE FUNCTION questions_words_truncated();
