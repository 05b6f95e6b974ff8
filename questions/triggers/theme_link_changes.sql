-- A theme added to or taken from a question (the link table of Question.themes): the question derives its
-- theme_ids and search vector again (see question_derived.sql). Statement triggers, as for answers.

CREATE OR REPLACE FUNCTION questions_theme_link_changes() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE questions_question AS q SET search_vector = NULL
        WHERE q.id IN (SELECT n.question_id FROM new_rows AS n);
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE questions_question AS q SET search_vector = NULL
        WHERE q.id IN (SELECT o.question_id FROM old_rows AS o);
    ELSE
        UPDATE questions_question AS q SET search_vector = NULL
        WHERE q.id IN (
            SELECT x.question_id
            FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id
            CROSS JOIN LATERAL (VALUES (n.question_id), (o.question_id)) AS x (question_id)
            WHERE (n.question_id, n.theme_id) IS DISTINCT FROM (o.question_id, o.theme_id)
        );
    END IF;
    RETURN NULL;
END
$body$;

CREATE OR REPLACE FUNCTION questions_theme_links_truncated() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    UPDATE questions_question SET search_vector = NULL WHERE theme_ids <> '{}';
    RETURN NULL;
END
$body$;

DROP TRIGGER IF EXISTS questions_theme_link_inserted ON questions_question_themes;
CREATE TRIGGER questions_theme_link_inserted AFTER INSERT ON questions_question_themes
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION questions_theme_link_changes();
DROP TRIGGER IF EXISTS questions_theme_link_updated ON questions_question_themes;
CREATE TRIGGER questions_theme_link_updated AFTER UPDATE ON questions_question_themes
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION questions_theme_link_changes();
DROP TRIGGER IF EXISTS questions_theme_link_deleted ON questions_question_themes;
CREATE TRIGGER questions_theme_link_deleted AFTER DELETE ON questions_question_themes
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION questions_theme_link_changes();
DROP TRIGGER IF EXISTS questions_theme_links_truncated ON questions_question_themes;
CREATE TRIGGER questions_theme_links_truncated AFTER TRUNCATE ON questions_question_themes
    FOR EACH STATEMENT EXECUTE FUNCTION questions_theme_links_truncated();
