-- The word pairs of each question (questions_phrasepairs): a key for every two lexemes that stand side by side
-- in its search vector, so that a phrase's candidates are the questions holding its pairs rather than every
-- question holding its words in any order (questions/search/phrase_pairs.py, docs/search-design.md). Two common
-- words seldom side by side ("ruimte beleid") are held together by thousands of questions and adjacent in a few
-- hundred; each candidate's vector is read from TOAST to check the phrase, about 10 µs apiece.
--
-- Computing a question's pairs costs a large share of what an import spends on a question, so the import does
-- not: the triggers below only mark a new question's pairs, or those of a question whose vector changed,
-- unknown (NULL), and the worker computes them afterwards (questions_refresh_phrase_pairs). A search takes every
-- question whose pairs are unknown as a candidate too, selected by its words, so that a write is found by the
-- next search whatever the worker has done.
--
-- A key is necessary, not sufficient: the phrase is still checked on the vector. 20 bits keep the GIN index
-- about the size of the search vector's (with 32-bit keys it was 4.6 times that at 100,000 documents: millions of
-- distinct keys of a few questions each), at the price of some tens of questions a phrase whose own pair's key
-- another pair shares. The keys are stored as bigint although they fit in 20 bits: a question's few hundred keys
-- are then over 2 KB, which PostgreSQL moves out of the row (storage EXTERNAL, migration 0049; below 2 KB it keeps
-- a value in the row whatever toast_tuple_target says), and the table's rows stay small, so that a phrase's
-- candidates are read from few of its pages (as integers kept in the row, 1,737 candidates were 1,453 pages).
--
-- The vector keeps no stop word, so a phrase holding one ("De Lijn", "Raad van State") is checked against the
-- texts themselves with a regular expression (questions/search/filters.py, _in_text): the words as typed, case
-- aside, with nothing but non-alphanumeric characters between them. Its candidates were every question holding
-- its other words, each one's title, question and answer matched (seconds at 100,000 documents for a common
-- word). So the keys also hold, for the texts' words as written (lowercased, split at every character that is
-- not a letter or a digit: where that expression sees words), every two neighbours of which exactly one is a
-- stop word; a match of the expression stands on such words, so it holds their keys. Two stop words side by side
-- ("van de") are left out: they are in nearly every question and no phrase needs them.

CREATE OR REPLACE FUNCTION questions_pair_key(left_lexeme text, right_lexeme text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $body$
    SELECT (('x' || left(md5(left_lexeme || ' ' || right_lexeme), 8))::bit(32)::integer & 1048575)::bigint
$body$;

-- The stop words of PostgreSQL's Dutch snowball dictionary (tsearch_data/dutch.stop), which archive_dutch uses,
-- lowercased as the texts' words are. The same list decides on both sides, a question's texts and a typed phrase,
-- so a word missing here would only give a phrase fewer keys.
CREATE OR REPLACE FUNCTION questions_stop_word(word text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $body$
    SELECT word = ANY ('{de,en,van,ik,te,dat,die,in,een,hij,het,niet,zijn,is,was,op,aan,met,als,voor,had,er,maar,
                         om,hem,dan,zou,of,wat,mijn,men,dit,zo,door,over,ze,zich,bij,ook,tot,je,mij,uit,der,daar,
                         haar,naar,heb,hoe,heeft,hebben,deze,u,want,nog,zal,me,zij,nu,ge,geen,omdat,iets,worden,
                         toch,al,waren,veel,meer,doen,toen,moet,ben,zonder,kan,hun,dus,alles,onder,ja,eens,hier,
                         wie,werd,altijd,doch,wordt,wezen,kunnen,ons,zelf,tegen,na,reeds,wil,kon,niets,uw,iemand,
                         geweest,andere}'::text[])
$body$;

-- The keys of the neighbouring words of ``texts`` of which exactly one is a stop word, the words as the phrase
-- check's regular expression sees them (see above).
CREATE OR REPLACE FUNCTION questions_stop_word_pairs(texts text) RETURNS bigint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $body$
    SELECT coalesce(array_agg(DISTINCT questions_pair_key(w.word, w.next_word)), '{}')
    FROM (SELECT t.word, lead(t.word) OVER (ORDER BY t.place) AS next_word
          FROM regexp_split_to_table(lower(texts), '[^[:alnum:]]+') WITH ORDINALITY AS t (word, place)) AS w
    WHERE w.word <> '' AND w.next_word <> '' AND questions_stop_word(w.word) <> questions_stop_word(w.next_word)
$body$;

-- The keys of the lexemes at neighbouring positions of ``vector`` (no stop word between them: a stop word takes
-- a position of its own), as PostgreSQL's phrase operator <-> reads them, and the stop-word pairs of ``texts``
-- (the title, question and answer). Lexemes without positions (the compounds' parts) have no neighbours, and no
-- phrase matches them. Fewer than 256 keys are repeated up to 256, so that every array is over 2 KB and leaves
-- the row (see above; the index keeps each key once): at 100,000 documents the table's rows then took 5.9 MB
-- instead of 43.
CREATE OR REPLACE FUNCTION questions_phrase_pairs(vector tsvector, texts text) RETURNS bigint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $body$
    SELECT CASE WHEN cardinality(k.keys) BETWEEN 1 AND 255
                THEN ARRAY(SELECT k.keys[1 + i % cardinality(k.keys)] FROM generate_series(0, 255) AS i)
                ELSE k.keys END
    -- An aggregate, so that PostgreSQL computes the keys once: a plain subquery here is merged into the outer
    -- query, and each of its three mentions of the keys computed them again (4 ms a question).
    FROM (SELECT coalesce(array_agg(DISTINCT x.key), '{}') AS keys
          FROM (SELECT questions_pair_key(p.lexeme, p.next_lexeme) AS key
                FROM (SELECT u.lexeme, o.place,
                             lead(u.lexeme) OVER by_place AS next_lexeme, lead(o.place) OVER by_place AS next_place
                      FROM unnest(vector) AS u
                      CROSS JOIN LATERAL unnest(u.positions) AS o (place)
                      WINDOW by_place AS (ORDER BY o.place)) AS p
                WHERE p.next_place = p.place + 1
                UNION ALL
                SELECT unnest(questions_stop_word_pairs(texts))) AS x) AS k
$body$;

-- The keys every match of ``query`` must hold: its lexemes joined by <-> as written, for a query of nothing but
-- ANDs and phrases (an OR or a NOT makes no pair necessary: none). A lexeme with a prefix or a weight, a bracket
-- beside the operator, or a distance over one (<2>: a stop word between) gives no key: only what is certain is
-- asked for.
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
                                               replace(substr(tokens[i + 2], 2, length(tokens[i + 2]) - 2),
                                                       '''''', ''''));
        END IF;
    END LOOP;
    RETURN ARRAY(SELECT DISTINCT k FROM unnest(keys) AS k ORDER BY 1);
END
$body$;

-- A new question: its pairs are unknown until the worker computes them.
CREATE OR REPLACE FUNCTION questions_question_pairs_new() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    INSERT INTO questions_phrasepairs (question_id, pairs)
    SELECT n.id, NULL FROM new_rows AS n ORDER BY n.id
    ON CONFLICT (question_id) DO UPDATE SET pairs = NULL;
    RETURN NULL;
END
$body$;

-- A question whose vector or texts changed (the trigger's WHEN; a stop word replaced by another leaves the vector
-- as it was): its pairs are unknown again. By its key, with sequential scans off: PL/pgSQL keeps the plan it made
-- first, perhaps on an empty table (migration 0048).
CREATE OR REPLACE FUNCTION questions_question_pairs_changed() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off AS $body$
BEGIN
    INSERT INTO questions_phrasepairs (question_id, pairs) VALUES (NEW.id, NULL)
    ON CONFLICT (question_id) DO UPDATE SET pairs = NULL WHERE questions_phrasepairs.pairs IS NOT NULL;
    RETURN NULL;
END
$body$;

DROP TRIGGER IF EXISTS questions_question_pairs_insert ON questions_question;
CREATE TRIGGER questions_question_pairs_insert AFTER INSERT ON questions_question
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION questions_question_pairs_new();

DROP TRIGGER IF EXISTS questions_question_pairs_update ON questions_question;
CREATE TRIGGER questions_question_pairs_update AFTER UPDATE ON questions_question
    FOR EACH ROW WHEN (OLD.search_vector IS DISTINCT FROM NEW.search_vector OR OLD.title IS DISTINCT FROM NEW.title
                       OR OLD.question_text IS DISTINCT FROM NEW.question_text)
    EXECUTE FUNCTION questions_question_pairs_changed();

-- A question whose answer was written or rewritten: its pairs are unknown again (the question's vector changes
-- with most answers, but not when only stop words differ). A deleted answer leaves keys that no text holds any
-- more: a candidate too many, which the check drops.
-- By their keys, with sequential scans off: planned without statistics of the transition table, the look-up
-- scanned the whole table for each statement of an import (24.8 million rows read in an import of 100,000).
CREATE OR REPLACE FUNCTION questions_answer_pairs_new() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off AS $body$
BEGIN
    UPDATE questions_phrasepairs AS p SET pairs = NULL
    FROM new_rows AS n
    WHERE p.question_id = n.question_id AND p.pairs IS NOT NULL;
    RETURN NULL;
END
$body$;

CREATE OR REPLACE FUNCTION questions_answer_pairs_changed() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off AS $body$
BEGIN
    UPDATE questions_phrasepairs AS p SET pairs = NULL
    WHERE p.question_id IN (NEW.question_id, OLD.question_id) AND p.pairs IS NOT NULL;
    RETURN NULL;
END
$body$;

DROP TRIGGER IF EXISTS questions_answer_pairs_insert ON questions_answer;
CREATE TRIGGER questions_answer_pairs_insert AFTER INSERT ON questions_answer
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION questions_answer_pairs_new();

DROP TRIGGER IF EXISTS questions_answer_pairs_update ON questions_answer;
CREATE TRIGGER questions_answer_pairs_update AFTER UPDATE ON questions_answer
    FOR EACH ROW WHEN (OLD.text IS DISTINCT FROM NEW.text OR OLD.question_id IS DISTINCT FROM NEW.question_id)
    EXECUTE FUNCTION questions_answer_pairs_changed();

-- Compute the pairs of up to ``batch`` questions whose pairs are unknown, lowest ids first: the number computed.
-- Writers of questions and answers wait meanwhile (SHARE): a vector or text that changed after it was read would
-- otherwise leave pairs computed from the old one, marked known.
CREATE OR REPLACE FUNCTION questions_refresh_phrase_pairs(batch integer) RETURNS integer LANGUAGE plpgsql AS $body$
DECLARE
    computed integer;
BEGIN
    LOCK TABLE questions_question, questions_answer IN SHARE MODE;
    -- The texts' stop-word pairs from the title, question and answer: those the phrase check matches.
    UPDATE questions_phrasepairs AS p
    SET pairs = questions_phrase_pairs(q.search_vector, concat_ws(' ', q.title, q.question_text, a.text))
    FROM questions_question AS q LEFT JOIN questions_answer AS a ON a.question_id = q.id
    WHERE q.id = p.question_id AND p.question_id IN (
        SELECT u.question_id FROM questions_phrasepairs AS u WHERE u.pairs IS NULL ORDER BY u.question_id
        LIMIT batch);
    GET DIAGNOSTICS computed = ROW_COUNT;
    RETURN computed;
END
$body$;
