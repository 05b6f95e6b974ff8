-- Every statement that writes what a search can show (its matches, counts, names, snippets, suggestions)
-- gives its transaction's row in questions_archivewrite a fresh mark: readers sum the marks they see, and a
-- cached search result is valid only for the state it was computed at (questions/search/cache.py).
-- One row per transaction, not one shared counter: concurrent writers never wait for each other here.

CREATE SEQUENCE IF NOT EXISTS questions_archivewrite_mark;

CREATE OR REPLACE FUNCTION questions_note_archive_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO questions_archivewrite AS w (txid, mark) VALUES (txid_current(), nextval('questions_archivewrite_mark'))
    ON CONFLICT (txid) DO UPDATE SET mark = excluded.mark;
    RETURN NULL;
END
$$;

DO $$
DECLARE
    watched text;
BEGIN
    -- The aliases and synonyms change how a query string is parsed (questions/search/params.py).
    FOREACH watched IN ARRAY ARRAY['questions_question', 'questions_answer', 'questions_question_themes',
                                   'questions_member', 'questions_minister', 'questions_theme', 'questions_word',
                                   'questions_memberalias', 'questions_ministeralias', 'questions_themealias',
                                   'questions_synonym']
    LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', watched || '_noted', watched);
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION questions_note_archive_write()', watched || '_noted',
                       watched);
    END LOOP;
END
$$;

-- Emptied (a test database flushed, a table cleared by hand), the table gets a row with a new mark at once:
-- the state after can never be taken for one before.
DROP TRIGGER IF EXISTS questions_archivewrite_emptied ON questions_archivewrite;
CREATE TRIGGER questions_archivewrite_emptied AFTER TRUNCATE ON questions_archivewrite
    FOR EACH STATEMENT EXECUTE FUNCTION questions_note_archive_write();
