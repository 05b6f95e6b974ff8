-- A question's derived values: has_answer, answered_by_other, theme_ids, search_vector and name_vector, set on
-- every INSERT and UPDATE of the row, from the row itself and the rows it refers to (its answer, its theme links,
-- the names).
--
-- A new row is written once, with its final values: the importer inserts a new question's answer and theme
-- links first (the foreign keys are checked at the end of the transaction), then the question, whose
-- INSERT finds them here.
--
-- Other tables' triggers (related_rows.sql, name_changes.sql) ask for a refresh by
-- setting search_vector to NULL. A search_vector written with any other value (raw SQL, a data migration)
-- is replaced as well: nobody but this trigger decides what it holds.

-- The parts of the compounds among a vector's lexemes (questions_word, words.sql: "kinderarmoede" adds "kinder"
-- and "armoed"), as lexemes without positions: every search finds them, a phrase does not (they have no place in
-- the text), and ranking counts them at the lowest weight, so the exact word ranks first. PL/pgSQL, so that the
-- function can be created before the vocabulary table exists (migration 0010 runs before 0015 creates it).
-- Each lexeme of five letters or more (a compound has two parts of four) is one probe of the compounds' hash
-- index: a few hundred a document, the largest part of the vector's cost after parsing the text. Sequential
-- scans are off because the plan is cached for the session: planned while the vocabulary was small (the first
-- batches of an import into an empty archive), a hash join over the whole table would stay as it grows.
CREATE OR REPLACE FUNCTION questions_compound_parts(vector tsvector) RETURNS tsvector LANGUAGE plpgsql STABLE
SET enable_seqscan = off AS $body$
DECLARE
    parts text[];
BEGIN
    SELECT array_agg(DISTINCT part) INTO parts
    FROM unnest(tsvector_to_array(vector)) AS l (lexeme)
    JOIN questions_word AS w ON w.lexeme = l.lexeme AND w.part_lexemes <> '{}'
    CROSS JOIN unnest(w.part_lexemes) AS part
    WHERE length(l.lexeme) >= 5;
    RETURN CASE WHEN parts IS NULL THEN vector ELSE vector || array_to_tsvector(parts) END;
END
$body$;

-- Weights: title A, question B, answer C, names and themes D; compound parts without a weight (D when ranked).
-- PostgreSQL's parser reads "draaiboek/checklist" as one file-path token that no search for "checklist" finds,
-- so slashes become spaces before parsing. From the texts alone: the trigger below reads the other rows once
-- for both vectors.
CREATE OR REPLACE FUNCTION questions_text_vector(title text, question_text text, answer_text text, names text)
RETURNS tsvector LANGUAGE plpgsql STABLE AS $body$
BEGIN
    RETURN questions_compound_parts(
           setweight(to_tsvector('archive_dutch'::regconfig, replace(title, '/', ' ')), 'A')
        || setweight(to_tsvector('archive_dutch'::regconfig, replace(question_text, '/', ' ')), 'B')
        || setweight(to_tsvector('archive_dutch'::regconfig, replace(coalesce(answer_text, ''), '/', ' ')), 'C')
        || setweight(to_tsvector('archive_dutch'::regconfig, coalesce(names, '')), 'D'));
END
$body$;

-- The capitalised words of the title, the question and the answer as written (lower case, accents folded, no
-- stemming, no positions): a surname searched alone must match as typed, and the Dutch stemmer makes "Wouters"
-- "wouter" in the search vector (questions/search/filters.py). The pattern has no group: each match is then
-- the word itself, and the regular expression engine does not track a group (0.14 -> 0.10 ms a question).
-- PL/pgSQL, so that it can be created before the configuration exists (migration 0010 runs before 0017).
CREATE OR REPLACE FUNCTION questions_names_vector(title text, question_text text, answer_text text)
RETURNS tsvector LANGUAGE plpgsql STABLE AS $body$
BEGIN
    RETURN strip(to_tsvector('archive_names'::regconfig, array_to_string(ARRAY(
        SELECT m[1] FROM regexp_matches(concat_ws(' ', title, question_text, answer_text),
                                        '\m[[:upper:]][[:alpha:]]*', 'g') AS m), ' ')));
END
$body$;

-- The earlier functions that read the other rows themselves, one statement per value (the answer's text twice):
-- replaced by the trigger's own reads.
DROP FUNCTION IF EXISTS questions_question_vector(bigint, text, text, bigint, bigint);
DROP FUNCTION IF EXISTS questions_name_vector(bigint, text, text);

-- Each row read once, by a statement whose plan the function keeps for the session: the answer (its text and its
-- minister's name) and the theme links (their ids and names) also give has_answer and theme_ids: about 0.1 ms
-- a question less than one statement per value (2,000 questions of the benchmark corpus, PostgreSQL 15).
-- Sequential scans off, as in questions_compound_parts: the plans are kept for the session, and one made while
-- the answers or theme links were few (an import into a new archive whose first batch has no answers) would read
-- the whole table for every question after.
CREATE OR REPLACE FUNCTION questions_question_derive() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off AS $body$
DECLARE
    answer_text text;
    answering_minister text;
    answering_minister_id bigint;
    member_name text;
    minister_name text;
    theme_names text;
BEGIN
    -- The vector is the expensive part (about 2 ms for 6 KB of text): derived again only when a source
    -- changed, a refresh was asked for (NULL), or someone wrote it.
    IF TG_OP = 'INSERT'
       OR NEW.search_vector IS NULL
       OR NEW.search_vector IS DISTINCT FROM OLD.search_vector
       OR (NEW.id, NEW.title, NEW.question_text, NEW.member_id, NEW.minister_id)
          IS DISTINCT FROM (OLD.id, OLD.title, OLD.question_text, OLD.member_id, OLD.minister_id) THEN
        SELECT a.text, ami.name, a.minister_id INTO answer_text, answering_minister, answering_minister_id
        FROM questions_answer AS a LEFT JOIN questions_minister AS ami ON ami.id = a.minister_id
        WHERE a.question_id = NEW.id;
        NEW.has_answer := FOUND;
        SELECT coalesce(array_agg(qt.theme_id ORDER BY qt.theme_id), '{}'), string_agg(t.name, ' ' ORDER BY t.name)
        INTO NEW.theme_ids, theme_names
        FROM questions_question_themes AS qt LEFT JOIN questions_theme AS t ON t.id = qt.theme_id
        WHERE qt.question_id = NEW.id;
        SELECT m.name INTO member_name FROM questions_member AS m WHERE m.id = NEW.member_id;
        SELECT mi.name INTO minister_name FROM questions_minister AS mi WHERE mi.id = NEW.minister_id;
        NEW.search_vector := questions_text_vector(NEW.title, NEW.question_text, answer_text,
            concat_ws(' ', member_name, minister_name, answering_minister, theme_names));
        NEW.name_vector := questions_names_vector(NEW.title, NEW.question_text, answer_text);
    ELSE
        SELECT a.minister_id INTO answering_minister_id FROM questions_answer AS a WHERE a.question_id = NEW.id;
        NEW.has_answer := FOUND;
        NEW.theme_ids := ARRAY(SELECT qt.theme_id FROM questions_question_themes AS qt
                               WHERE qt.question_id = NEW.id ORDER BY qt.theme_id);
    END IF;
    -- NULL without an answer, or when the minister it was put to answered: "put to or answered by" is then
    -- the question's minister alone (questions/search/filters.py).
    NEW.answered_by_other_id := nullif(answering_minister_id, NEW.minister_id);
    RETURN NEW;
END
$body$;

DROP TRIGGER IF EXISTS questions_question_derive ON questions_question;
CREATE TRIGGER questions_question_derive BEFORE INSERT OR UPDATE ON questions_question
    FOR EACH ROW EXECUTE FUNCTION questions_question_derive();
