"""archive_tsquery(text): what users typed, in to_tsquery syntax (questions/search/text.py), as a tsquery.

It is ``to_tsquery('archive_dutch', …)`` except for one case: a prefix whose letters are a Dutch stop word
(``onder*``, ``over*``, ``voor*``, ``tegen*``). Stemming drops such an operand, so ``onder*`` found nothing and
was refused as "only stop words"; a prefix asks for the letters as typed, so here it keeps them (unaccented and
lowercased by archive_names) and finds onderwijs, onderzoek, … Every search statement reads its query through
this function, so the page, the API, the exports, the feeds and the snippets agree.

IMMUTABLE like to_tsquery itself: called with a constant, the planner evaluates it once, at planning.
"""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION archive_tsquery(query text) RETURNS tsquery
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    piece text;
    rebuilt text := '';
    kept text[] := '{}';
    placeholder text := 'archivekeptprefix';
    result text;
BEGIN
    IF position(':*' IN query) = 0 THEN
        RETURN to_tsquery('archive_dutch', query);
    END IF;
    -- A placeholder that does not occur in what was typed: the letters of a kept prefix wait there while
    -- to_tsquery reads the rest (a word of letters and digits is not stemmed: the "simple" dictionary).
    WHILE position(placeholder IN lower(query)) > 0 LOOP
        placeholder := placeholder || 'x';
    END LOOP;
    -- Operators and parentheses are one kind of piece, operands (word or word:*) the other.
    FOR piece IN
        SELECT m[1] FROM regexp_matches(query, '([\s()!&|]+|[^\s()!&|]+)', 'g') WITH ORDINALITY AS t(m, n) ORDER BY n
    LOOP
        IF piece ~ '^[^\s()!&|:*<>]+:\*$' AND numnode(to_tsquery('archive_dutch', piece)) = 0
           AND numnode(to_tsquery('archive_names', piece)) > 0 THEN
            kept := kept || ('(' || to_tsquery('archive_names', piece)::text || ')');
            piece := placeholder || cardinality(kept) || ':*';
        END IF;
        rebuilt := rebuilt || piece;
    END LOOP;
    IF cardinality(kept) = 0 THEN
        RETURN to_tsquery('archive_dutch', query);
    END IF;
    result := to_tsquery('archive_dutch', rebuilt)::text;
    FOR i IN REVERSE cardinality(kept)..1 LOOP
        result := replace(result, quote_literal(placeholder || i) || ':*', kept[i]);
    END LOOP;
    RETURN result::tsquery;
END
$$;
"""

DROP = "DROP FUNCTION IF EXISTS archive_tsquery(text);"


class Migration(migrations.Migration):

    dependencies = [
        ("questions", "0024_archive_writes"),
    ]

    operations = [migrations.RunSQL(FUNCTION, DROP)]
