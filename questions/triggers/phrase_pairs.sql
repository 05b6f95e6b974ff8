-- The word pairs of each question (questions_phrasepairs): which lexemes stand side by side in its search vector,
-- each pair as a 20-bit key, so that a phrase's candidates are the questions holding its pairs instead of every
-- question holding its words in any order (questions/search/phrase_pairs.py, docs/search-design.md).
--
-- Computing a question's pairs costs about 0.4 ms, a quarter of what an import spends on a question, so it is
-- not done in the import: the triggers below only mark the question's pairs unknown (NULL), and the worker
-- computes them afterwards (questions_refresh_phrase_pairs). A search takes every question whose pairs are
-- unknown as a candidate, so that a write is found by the next search whatever the worker has done.
--
-- A key is necessary, not sufficient: the phrase is still checked on the vector. 20 bits keep the index about
-- the size of the search vector's (167 MB against 201 at 100,000 documents; with 32-bit keys, 931 MB: a
-- million distinct keys of a few questions each) at the price of some 30 questions a phrase whose own pair's
-- key another pair shares. The keys are stored as bigint although they fit in 20 bits: an array of ~360 of them
-- is then over 2 KB, which PostgreSQL moves out of the row (storage EXTERNAL, migration 0040), and the table's rows
-- stay small: a phrase's candidates are read from its pages by their ids (1,700 rows of 1.4 KB were 1,700 pages).

CREATE OR REPLACE FUNCTION questions_pair_key(left_lexeme text, right_lexeme text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $body$
    SELECT (('x' || left(md5(left_lexeme || ' ' || right_lexeme), 8))::bit(32)::integer & 1048575)::bigint
$body$;

-- The keys of the lexemes at neighbouring positions of ``vector`` (no stop word between them: the stop word
-- takes a position of its own), as PostgreSQL's phrase operator <-> reads them. Lexemes without positions (the
-- compounds' parts) have no neighbours, and no phrase matches them.
CREATE OR REPLACE FUNCTION questions_phrase_pairs(vector tsvector) RETURNS bigint[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $body$
DECLARE
    at_position text[] := '{}';
    entry record;
    place integer;
    keys bigint[] := '{}';
BEGIN
    FOR entry IN SELECT u.lexeme, u.positions FROM unnest(vector) AS u WHERE u.positions IS NOT NULL LOOP
        FOREACH place IN ARRAY entry.positions LOOP
            at_position[place] := entry.lexeme;
        END LOOP;
    END LOOP;
    IF array_upper(at_position, 1) IS NULL THEN
        RETURN keys;
    END IF;
    FOR place IN array_lower(at_position, 1) .. array_upper(at_position, 1) - 1 LOOP
        IF at_position[place] IS NOT NULL AND at_position[place + 1] IS NOT NULL THEN
            keys := keys || questions_pair_key(at_position[place], at_position[place + 1]);
        END IF;
    END LOOP;
    RETURN ARRAY(SELECT DISTINCT k FROM unnest(keys) AS k ORDER BY 1);
END
$body$;

-- The keys every match of ``query`` must hold: its lexemes joined by <-> as written, for a query of nothing but
-- ANDs and phrases (an OR or a NOT makes no pair necessary: empty). A lexeme with a prefix or a weight, or a
-- bracket beside the operator, gives no key: only what is certain is asked for.
CREATE OR REPLACE FUNCTION questions_phrase_keys(query tsquery) RETURNS bigint[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $body$
DECLARE
    tokens text[];
    keys bigint[] := '{}';
    i integer;
BEGIN
    tokens := ARRAY(SELECT m[1] FROM regexp_matches(query::text,
                    $re$('(?:[^']|'')*'(?::[*A-D]+)?|<->|<[0-9]+>|[&|!()])$re$, 'g') AS m);
    IF '|' = ANY (tokens) OR '!' = ANY (tokens) THEN
        RETURN keys;
    END IF;
    FOR i IN 1 .. coalesce(cardinality(tokens), 0) - 2 LOOP
        IF tokens[i + 1] = '<->' AND tokens[i] ~ $re$^'.*'$$re$ AND tokens[i + 2] ~ $re$^'.*'$$re$ THEN
            keys := keys || questions_pair_key(replace(substr(tokens[i], 2, length(tokens[i]) - 2), '''''', ''''),
                                               replace(substr(tokens[i + 2], 2, length(tokens[i + 2]) - 2), '''''', ''''));
        END IF;
    END LOOP;
    RETURN ARRAY(SELECT DISTINCT k FROM unnest(keys) AS k ORDER BY 1);
END
$body$;

-- A new question, or one whose vector changed: its pairs are unknown until the worker computes them.
CREATE OR REPLACE FUNCTION questions_question_pairs_unknown() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO questions_phrasepairs (question_id, pairs)
        SELECT n.id, NULL FROM new_rows AS n
        ON CONFLICT (question_id) DO UPDATE SET pairs = NULL;
    ELSE
        INSERT INTO questions_phrasepairs (question_id, pairs)
        SELECT n.id, NULL FROM new_rows AS n LEFT JOIN old_rows AS o ON o.id = n.id
        WHERE o.id IS NULL OR o.search_vector IS DISTINCT FROM n.search_vector
        ON CONFLICT (question_id) DO UPDATE SET pairs = NULL
        WHERE questions_phrasepairs.pairs IS NOT NULL;
    END IF;
    RETURN NULL;
END
$body$;

DROP TRIGGER IF EXISTS questions_question_pairs_insert ON questions_question;
CREATE TRIGGER questions_question_pairs_insert AFTER INSERT ON questions_question
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION questions_question_pairs_unknown();
DROP TRIGGER IF EXISTS questions_question_pairs_update ON questions_question;
CREATE TRIGGER questions_question_pairs_update AFTER UPDATE ON questions_question
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION questions_question_pairs_unknown();

-- The worker's step: with writers held off (SHARE: readers go on), so that no question changes between reading
-- its vector and writing its pairs, the pairs of up to ``batch`` questions whose pairs are unknown; the number
-- computed. Questions written with the triggers disabled get their row first.
CREATE OR REPLACE FUNCTION questions_refresh_phrase_pairs(batch integer) RETURNS integer
LANGUAGE plpgsql AS $body$
DECLARE
    computed integer;
BEGIN
    LOCK TABLE questions_question IN SHARE MODE;
    UPDATE questions_phrasepairs AS p SET pairs = questions_phrase_pairs(q.search_vector)
    FROM questions_question AS q
    WHERE q.id = p.question_id AND p.question_id IN (
        SELECT u.question_id FROM questions_phrasepairs AS u WHERE u.pairs IS NULL ORDER BY u.question_id LIMIT batch);
    GET DIAGNOSTICS computed = ROW_COUNT;
    RETURN computed;
END
$body$;
