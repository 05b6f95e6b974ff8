-- A new, changed or deleted answer: its question derives has_answer and its search vector again (see
-- question_derived.sql). Statement triggers: one UPDATE of the affected questions per statement, whatever
-- the number of answers it wrote.

CREATE OR REPLACE FUNCTION questions_answer_changes() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE questions_question AS q SET search_vector = NULL
        WHERE q.id IN (SELECT n.question_id FROM new_rows AS n);
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE questions_question AS q SET search_vector = NULL
        WHERE q.id IN (SELECT o.question_id FROM old_rows AS o);
    ELSE
        -- Only the columns the question reads: a changed answer date or recording time changes nothing.
        UPDATE questions_question AS q SET search_vector = NULL
        WHERE q.id IN (
            SELECT x.question_id
            FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id
            CROSS JOIN LATERAL (VALUES (n.question_id), (o.question_id)) AS x (question_id)
            WHERE (n.question_id, n.text, n.minister_id) IS DISTINCT FROM (o.question_id, o.text, o.minister_id)
        );
    END IF;
    RETURN NULL;
END
$body$;

CREATE OR REPLACE FUNCTION questions_answer_truncated() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    UPDATE questions_question SET search_vector = NULL WHERE has_answer;
    RETURN NULL;
END
$body$;

DROP TRIGGER IF EXISTS questions_answer_inserted ON questions_answer;
CREATE TRIGGER questions_answer_inserted AFTER INSERT ON questions_answer
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION questions_answer_changes();
DROP TRIGGER IF EXISTS questions_answer_updated ON questions_answer;
CREATE TRIGGER questions_answer_updated AFTER UPDATE ON questions_answer
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION questions_answer_changes();
DROP TRIGGER IF EXISTS questions_answer_deleted ON questions_answer;
CREATE TRIGGER questions_answer_deleted AFTER DELETE ON questions_answer
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION questions_answer_changes();
DROP TRIGGER IF EXISTS questions_answer_truncated ON questions_answer;
CREATE TRIGGER questions_answer_truncated AFTER TRUNCATE ON questions_answer
    FOR EACH STATEMENT EXECUTE FUNCTION questions_answer_truncated();
