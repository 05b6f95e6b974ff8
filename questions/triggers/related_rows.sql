-- A question's answer or theme links inserted, changed or deleted: the question derives has_answer,
-- theme_ids and its search vector again (see question_derived.sql; setting the vector to NULL asks for it).
-- Statement triggers: one UPDATE of the affected questions per statement, whatever the number of rows it wrote.
--
-- One function for both tables. Its argument names the columns, besides question_id, that the question's
-- derived values read: a changed answer date or recording time changes nothing.
--
-- The questions are looked up in the primary key with the array of their ids (= ANY), the one plan that
-- condition allows besides a sequential scan, which is off: while an import fills an archive whose statistics
-- were gathered empty (a server without autovacuum, or before autoanalyze comes), the planner took the questions
-- table for empty and read all of it (or all its primary key) for every batch's answers and theme links, 0.3-0.7
-- s a batch at 10,000 questions and growing with the archive. The importer inserts these rows before their
-- questions: on its path the look-up finds nothing.
CREATE OR REPLACE FUNCTION questions_refresh_questions_of_rows() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off AS $body$
DECLARE
    columns text[] := string_to_array(TG_ARGV[0], ',');
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE questions_question AS q SET search_vector = NULL
        WHERE q.id = ANY (ARRAY(SELECT n.question_id FROM new_rows AS n));
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE questions_question AS q SET search_vector = NULL
        WHERE q.id = ANY (ARRAY(SELECT o.question_id FROM old_rows AS o));
    ELSE
        EXECUTE format($sql$
            UPDATE questions_question AS q SET search_vector = NULL
            WHERE q.id = ANY (ARRAY(
                SELECT x.question_id
                FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id
                CROSS JOIN LATERAL (VALUES (n.question_id), (o.question_id)) AS x (question_id)
                WHERE (n.question_id, %s) IS DISTINCT FROM (o.question_id, %s)))
        $sql$,
            (SELECT string_agg(format('n.%I', name), ', ') FROM unnest(columns) AS name),
            (SELECT string_agg(format('o.%I', name), ', ') FROM unnest(columns) AS name));
    END IF;
    RETURN NULL;
END
$body$;

-- TRUNCATE has no transition table: every question that had such a row derives its values again. The
-- argument is the condition that finds them.
CREATE OR REPLACE FUNCTION questions_refresh_questions_after_truncate() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    EXECUTE format('UPDATE questions_question SET search_vector = NULL WHERE %s', TG_ARGV[0]);
    RETURN NULL;
END
$body$;

DROP TRIGGER IF EXISTS questions_answer_inserted ON questions_answer;
CREATE TRIGGER questions_answer_inserted AFTER INSERT ON questions_answer
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION questions_refresh_questions_of_rows('text,minister_id');
DROP TRIGGER IF EXISTS questions_answer_updated ON questions_answer;
CREATE TRIGGER questions_answer_updated AFTER UPDATE ON questions_answer
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION questions_refresh_questions_of_rows('text,minister_id');
DROP TRIGGER IF EXISTS questions_answer_deleted ON questions_answer;
CREATE TRIGGER questions_answer_deleted AFTER DELETE ON questions_answer
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION questions_refresh_questions_of_rows('text,minister_id');
DROP TRIGGER IF EXISTS questions_answer_truncated ON questions_answer;
CREATE TRIGGER questions_answer_truncated AFTER TRUNCATE ON questions_answer
    FOR EACH STATEMENT EXECUTE FUNCTION questions_refresh_questions_after_truncate('has_answer');

DROP TRIGGER IF EXISTS questions_theme_link_inserted ON questions_question_themes;
CREATE TRIGGER questions_theme_link_inserted AFTER INSERT ON questions_question_themes
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION questions_refresh_questions_of_rows('theme_id');
DROP TRIGGER IF EXISTS questions_theme_link_updated ON questions_question_themes;
CREATE TRIGGER questions_theme_link_updated AFTER UPDATE ON questions_question_themes
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION questions_refresh_questions_of_rows('theme_id');
DROP TRIGGER IF EXISTS questions_theme_link_deleted ON questions_question_themes;
CREATE TRIGGER questions_theme_link_deleted AFTER DELETE ON questions_question_themes
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION questions_refresh_questions_of_rows('theme_id');
DROP TRIGGER IF EXISTS questions_theme_links_truncated ON questions_question_themes;
CREATE TRIGGER questions_theme_links_truncated AFTER TRUNCATE ON questions_question_themes
    FOR EACH STATEMENT EXECUTE FUNCTION questions_refresh_questions_after_truncate('theme_ids <> ''{}''');
