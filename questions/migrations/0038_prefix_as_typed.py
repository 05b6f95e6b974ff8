"""A prefix finds the words that start with the letters as typed, and those whose stem is the stem of the letters.

PostgreSQL stems a prefix like a word: ``anten*`` became ``ant:*`` (the stemmer takes "en" for an ending) and
found every question with "antwoord", ``vine*`` found "vinden", ``state*`` "statistiek". Now ``anten*`` is
``anten:* | ant``: antenne, antennes, and a word whose stem is "ant" (what "anten" would be as a whole word);
``staten*`` still finds "staten" (stem "stat") through its stem. A prefix whose stem is its letters (``recht*``,
``kabinet*``) is unchanged, as is one whose letters are a stop word (migration 0025).
"""

import importlib

from django.db import migrations

# Going back puts the function of migration 0025 back.
EARLIER = importlib.import_module("questions.migrations.0025_search_query_function").FUNCTION

FUNCTION = r"""
CREATE OR REPLACE FUNCTION archive_tsquery(query text) RETURNS tsquery
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    piece text;
    rebuilt text := '';
    kept text[] := '{}';
    placeholder text := 'archivekeptprefix';
    stemmed tsquery;
    typed tsquery;
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
        IF piece ~ '^[^\s()!&|:*<>]+:\*$' THEN
            stemmed := to_tsquery('archive_dutch', piece);
            typed := to_tsquery('archive_names', piece);
            IF numnode(stemmed) = 0 AND numnode(typed) > 0 THEN  -- a stop word's letters: as typed
                kept := kept || ('(' || typed::text || ')');
                piece := placeholder || cardinality(kept) || ':*';
            ELSIF numnode(stemmed) = 1 AND numnode(typed) = 1 AND stemmed::text <> typed::text THEN
                -- Stemmed, the letters lose what the stemmer takes for an ending ('anten' -> 'ant', which starts
                -- antwoord): the words that start as typed, or whose stem is the stem of what was typed.
                kept := kept || ('(' || typed::text || ' | ' || regexp_replace(stemmed::text, ':\*$', '') || ')');
                piece := placeholder || cardinality(kept) || ':*';
            END IF;
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


class Migration(migrations.Migration):

    dependencies = [
        ("questions", "0037_snippet_phrase_anchor"),
    ]

    operations = [
        migrations.RunSQL(FUNCTION, EARLIER),
    ]
