"""A snippet of a phrase looks for the phrase where its last word stands, not where any of its words does.

The first word of "perse speculeren" stems to 'per', which starts "persoon", "periode", "percent": each such
place was an excerpt with nothing to mark, and after four of them the headline parsed the whole text. At 100,000
documents the snippets of a page of twenty for the benchmark's phrases took 15 ms instead of 8.5."""

import importlib

from django.db import migrations

# Going back puts the function of migration 0033 back.
EARLIER = importlib.import_module("questions.migrations.0033_snippet_word_starts").FUNCTION

FUNCTION = r"""
CREATE OR REPLACE FUNCTION archive_snippet(document text, query tsquery, options text, start_mark text,
                                           delimiter text)
RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    lowered text;
    pattern text;  -- where one of the query's lexemes starts a word
    from_at int := 1;
    first_at int;
    window_start int;
    excerpt text;
    shown text;
    fragments text[] := '{}';
BEGIN
    IF length(document) > 1200 THEN
        lowered := lower(document);
        -- The query's lexemes, as its text form quotes them ('it''s' for it's), each character but letters and
        -- digits escaped, at the start of a word: a stem is the start of the words it stands for, mostly. Of a
        -- phrase, only its last word: the fragment reaches back to the others, and its first word alone
        -- ('per' of "perse speculeren") starts many other words, each a place without the phrase to mark.
        SELECT '\m(?:' || string_agg(DISTINCT regexp_replace(replace(m[1], '''''', ''''), '([^[:alnum:]])', '\\\1', 'g'), '|') || ')'
        INTO pattern
        FROM regexp_matches(query::text, '''((?:[^'']|'''')+)''(?::[*A-D]+)?(\s*<)?', 'g') AS m
        WHERE m[2] IS NULL;
        -- Two fragments, as ts_headline shows: around the first place a lexeme starts a word, then around the
        -- next place past that fragment. A place with nothing to mark (the word stems otherwise) is passed
        -- over for the next one, four places at most.
        FOR attempt IN 1..4 LOOP
            first_at := coalesce(regexp_instr(lowered, pattern, from_at), 0);
            EXIT WHEN first_at = 0;
            -- A fragment is at most 40 words: about 20 before the match and 20 after fit in 450 characters.
            window_start := greatest(from_at, first_at - 150);
            excerpt := substring(document FROM window_start FOR 450);
            IF window_start > 1 THEN
                excerpt := regexp_replace(excerpt, '^\S*\s+', '');  -- no word cut in two at either end
            END IF;
            IF window_start + 450 <= length(document) THEN
                excerpt := regexp_replace(excerpt, '\s+\S*$', '');
            END IF;
            shown := ts_headline('archive_dutch', archive_html_escaped(excerpt), query, options || ', MaxFragments=1');
            IF position(start_mark IN shown) > 0 THEN
                fragments := fragments || shown;
                EXIT WHEN cardinality(fragments) = 2;
                from_at := first_at + 300;  -- past the words the fragment shows
            ELSE
                from_at := first_at + 1;
            END IF;
        END LOOP;
        IF cardinality(fragments) > 0 THEN
            RETURN array_to_string(fragments, delimiter);
        END IF;
    END IF;
    RETURN ts_headline('archive_dutch', archive_html_escaped(document), query, options);
END
$$;
"""


class Migration(migrations.Migration):

    dependencies = [
        ("questions", "0036_word_counts_in_memory"),
    ]

    operations = [
        migrations.RunSQL(FUNCTION, EARLIER),
    ]
