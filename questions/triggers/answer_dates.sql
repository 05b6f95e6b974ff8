-- The date an answer is listed by (newest answers, the answers feeds, alert mails): its own date where a
-- source gave one, else the date its question was asked, never the moment it was imported.
-- questions_answer.dated is set on every write of the answer, and follows its question's date asked.

-- Sequential scans are off because the look-up's plan is kept for the session: planned while the archive was
-- nearly empty (the first batch of an import into a new archive), it read the questions table from start to end
-- for every answer after, as the table grew (the bulk importer writes an answer before its question, so the look-up
-- finds nothing and reads the whole table): an import of 100,000 documents slowed from 425 to 237 a second.
CREATE OR REPLACE FUNCTION questions_answer_dated() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off AS $$
BEGIN
    -- The bulk importer writes answers just before their questions: then the question's insert sets it.
    NEW.dated := coalesce(NEW.answer_date,
                          (SELECT q.date_asked FROM questions_question AS q WHERE q.id = NEW.question_id),
                          NEW.dated);
    RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS answer_dated ON questions_answer;
CREATE TRIGGER answer_dated BEFORE INSERT OR UPDATE ON questions_answer
    FOR EACH ROW EXECUTE FUNCTION questions_answer_dated();

CREATE OR REPLACE FUNCTION questions_answer_dated_by_question() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Only when something changes: an empty UPDATE still fires the answers' statement triggers.
    IF EXISTS (SELECT 1 FROM new_rows AS n JOIN questions_answer AS a ON a.question_id = n.id
               WHERE a.dated IS DISTINCT FROM coalesce(a.answer_date, n.date_asked)) THEN
        UPDATE questions_answer AS a SET dated = coalesce(a.answer_date, n.date_asked)
        FROM new_rows AS n
        WHERE a.question_id = n.id AND a.dated IS DISTINCT FROM coalesce(a.answer_date, n.date_asked);
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS answer_dated_by_new_question ON questions_question;
CREATE TRIGGER answer_dated_by_new_question AFTER INSERT ON questions_question
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION questions_answer_dated_by_question();
DROP TRIGGER IF EXISTS answer_dated_by_question ON questions_question;
CREATE TRIGGER answer_dated_by_question AFTER UPDATE ON questions_question
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION questions_answer_dated_by_question();
