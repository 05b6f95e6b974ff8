-- What the last import set (questions_question.import_snapshot, read by questions/editing.py) names the imported
-- question and answer texts by their fingerprints (md5) instead of repeating them: the import has just written
-- those texts into the question and its answer, and they stay there until someone changes them. Repeated, they
-- were a third of what an import writes (5 KB of TOAST a question).
--
-- These triggers keep that true whatever writes (the admin, QuerySet.update(), raw SQL, a merge): the moment a
-- text that is still the imported one (its md5 is the snapshot's) changes or goes, it is copied into the
-- snapshot first, as "question_text" or "answer_text". An import or a revert writes a new snapshot that names
-- the new texts, so the text it replaces is not the snapshot's and nothing is copied.

CREATE OR REPLACE FUNCTION questions_keep_imported_question_text() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    IF NEW.question_text IS DISTINCT FROM OLD.question_text
       AND NOT NEW.import_snapshot ? 'question_text'
       AND NEW.import_snapshot ->> 'question_text_md5' = md5(OLD.question_text) THEN
        NEW.import_snapshot := NEW.import_snapshot || jsonb_build_object('question_text', OLD.question_text);
    END IF;
    RETURN NEW;
END
$body$;

DROP TRIGGER IF EXISTS questions_keep_imported_question_text ON questions_question;
CREATE TRIGGER questions_keep_imported_question_text BEFORE UPDATE OF question_text ON questions_question
    FOR EACH ROW EXECUTE FUNCTION questions_keep_imported_question_text();

-- An answer whose text changes, that moves to another question, or that is deleted (the admin may delete
-- answers). A question deleted with its answer gets the copy just before it goes: harmless. The question is found
-- by its key, never by a scan that a plan kept from when the archive was small would make (answer_dates.sql).
CREATE OR REPLACE FUNCTION questions_keep_imported_answer_text() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off AS $body$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.text IS DISTINCT FROM OLD.text OR NEW.question_id IS DISTINCT FROM OLD.question_id THEN
        UPDATE questions_question AS q
        SET import_snapshot = q.import_snapshot || jsonb_build_object('answer_text', OLD.text)
        WHERE q.id = OLD.question_id
          AND NOT q.import_snapshot ? 'answer_text'
          AND q.import_snapshot ->> 'answer_text_md5' = md5(OLD.text);
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$body$;

DROP TRIGGER IF EXISTS questions_keep_imported_answer_text ON questions_answer;
CREATE TRIGGER questions_keep_imported_answer_text BEFORE UPDATE OR DELETE ON questions_answer
    FOR EACH ROW EXECUTE FUNCTION questions_keep_imported_answer_text();
