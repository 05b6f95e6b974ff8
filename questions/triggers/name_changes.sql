-- A member, minister or theme renamed: the questions whose search vector holds the name derive it again (see
-- question_derived.sql). Deleting one needs no trigger: members and ministers with questions cannot be
-- deleted, and a theme's links go before it (related_rows.sql).

CREATE OR REPLACE FUNCTION questions_member_renamed() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    UPDATE questions_question AS q SET search_vector = NULL
    WHERE q.member_id IN (SELECT n.id FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id
                          WHERE n.name IS DISTINCT FROM o.name);
    RETURN NULL;
END
$body$;

-- A minister's name is in the questions put to them and in those they answered.
CREATE OR REPLACE FUNCTION questions_minister_renamed() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    WITH renamed AS (SELECT n.id FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id
                     WHERE n.name IS DISTINCT FROM o.name)
    UPDATE questions_question AS q SET search_vector = NULL
    WHERE q.minister_id IN (SELECT id FROM renamed)
       OR q.id IN (SELECT a.question_id FROM questions_answer AS a WHERE a.minister_id IN (SELECT id FROM renamed));
    RETURN NULL;
END
$body$;

CREATE OR REPLACE FUNCTION questions_theme_renamed() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    UPDATE questions_question AS q SET search_vector = NULL
    WHERE q.id IN (SELECT qt.question_id FROM questions_question_themes AS qt
                   WHERE qt.theme_id IN (SELECT n.id FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id
                                         WHERE n.name IS DISTINCT FROM o.name));
    RETURN NULL;
END
$body$;

DROP TRIGGER IF EXISTS questions_member_renamed ON questions_member;
CREATE TRIGGER questions_member_renamed AFTER UPDATE ON questions_member
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION questions_member_renamed();
DROP TRIGGER IF EXISTS questions_minister_renamed ON questions_minister;
CREATE TRIGGER questions_minister_renamed AFTER UPDATE ON questions_minister
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION questions_minister_renamed();
DROP TRIGGER IF EXISTS questions_theme_renamed ON questions_theme;
CREATE TRIGGER questions_theme_renamed AFTER UPDATE ON questions_theme
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION questions_theme_renamed();
