-- questions_facetcount: how many questions have each facet value, over the whole archive (dimension '')
-- and together with each value of another facet. A pair of facets is stored once, in the fixed order theme,
-- minister, member, year, answered (see questions/search/facets.py, which reads them).
--
-- Statement triggers with transition tables: a statement that writes 200 questions adds up their changes
-- and upserts each counter once. An UPDATE counts only the rows whose facet values changed, as -1 for the old
-- values and +1 for the new ones. These run after question_derived.sql has set theme_ids and has_answer.

-- A question's facet values, with the facet's place in the order above.
CREATE OR REPLACE FUNCTION questions_facet_atoms(theme_ids bigint[], minister_id bigint, member_id bigint,
                                                 session text, has_answer boolean)
RETURNS TABLE (place smallint, facet text, value text) LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 1::smallint, 'theme', theme_id::text FROM unnest(theme_ids) AS theme_id
    UNION ALL SELECT 2::smallint, 'minister', minister_id::text
    UNION ALL SELECT 3::smallint, 'member', member_id::text
    UNION ALL SELECT 4::smallint, 'year', session
    UNION ALL SELECT 5::smallint, 'answered', CASE WHEN has_answer THEN 'yes' ELSE 'no' END
$$;

CREATE OR REPLACE FUNCTION questions_question_facet_counts() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE
    changed text;
BEGIN
    -- The changed rows, signed. Each statement has only its own transition tables, so the one upsert below
    -- is written once and run with the right source.
    IF TG_OP = 'INSERT' THEN
        changed := 'SELECT 1 AS sign, n.theme_ids, n.minister_id, n.member_id, n.session, n.has_answer
                    FROM new_rows AS n';
    ELSIF TG_OP = 'DELETE' THEN
        changed := 'SELECT -1 AS sign, o.theme_ids, o.minister_id, o.member_id, o.session, o.has_answer
                    FROM old_rows AS o';
    ELSE
        changed := 'SELECT x.* FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id
                    CROSS JOIN LATERAL (VALUES
                        (1, n.theme_ids, n.minister_id, n.member_id, n.session, n.has_answer),
                        (-1, o.theme_ids, o.minister_id, o.member_id, o.session, o.has_answer)
                    ) AS x (sign, theme_ids, minister_id, member_id, session, has_answer)
                    WHERE (n.theme_ids, n.minister_id, n.member_id, n.session, n.has_answer)
                          IS DISTINCT FROM (o.theme_ids, o.minister_id, o.member_id, o.session, o.has_answer)';
    END IF;

    -- Each facet value once on its own (dimension '') and once with every value of every facet after it.
    -- Sorted, so that concurrent transactions lock the counters they share in the same order.
    EXECUTE format($sql$
        WITH changed AS (%s)
        INSERT INTO questions_facetcount (dimension, value, facet, facet_value, count)
        SELECT * FROM (
            SELECT a.facet AS dimension, a.value, b.facet, b.value AS facet_value, sum(c.sign) AS count
            FROM changed AS c
            CROSS JOIN LATERAL questions_facet_atoms(c.theme_ids, c.minister_id, c.member_id, c.session,
                                                     c.has_answer) AS b
            CROSS JOIN LATERAL (
                SELECT 0::smallint, '', '' UNION ALL
                SELECT * FROM questions_facet_atoms(c.theme_ids, c.minister_id, c.member_id, c.session,
                                                    c.has_answer)
            ) AS a (place, facet, value)
            WHERE a.place < b.place
            GROUP BY 1, 2, 3, 4
        ) AS delta
        WHERE count <> 0
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (dimension, value, facet, facet_value)
        DO UPDATE SET count = questions_facetcount.count + EXCLUDED.count
    $sql$, changed);
    RETURN NULL;
END
$body$;

CREATE OR REPLACE FUNCTION questions_question_facet_counts_truncate() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    DELETE FROM questions_facetcount;
    RETURN NULL;
END
$body$;

DROP TRIGGER IF EXISTS questions_question_facet_counts_insert ON questions_question;
CREATE TRIGGER questions_question_facet_counts_insert AFTER INSERT ON questions_question
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION questions_question_facet_counts();
DROP TRIGGER IF EXISTS questions_question_facet_counts_update ON questions_question;
CREATE TRIGGER questions_question_facet_counts_update AFTER UPDATE ON questions_question
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION questions_question_facet_counts();
DROP TRIGGER IF EXISTS questions_question_facet_counts_delete ON questions_question;
CREATE TRIGGER questions_question_facet_counts_delete AFTER DELETE ON questions_question
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION questions_question_facet_counts();
DROP TRIGGER IF EXISTS questions_question_facet_counts_truncate ON questions_question;
CREATE TRIGGER questions_question_facet_counts_truncate AFTER TRUNCATE ON questions_question
    FOR EACH STATEMENT EXECUTE FUNCTION questions_question_facet_counts_truncate();
