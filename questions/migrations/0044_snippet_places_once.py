"""A snippet's places are worked out once per statement, not once per row; the text is searched as it is written.

archive_snippet (migration 0043) read the query's text form, token by token, into the patterns that find where
to cut the excerpts, for every row of a page: the same patterns twenty times, a fifth of what a snippet cost
besides its headlines. They now come from archive_snippet_places(query), an immutable function of the query
alone: given the query as a constant, PostgreSQL computes it once while planning, and archive_snippet takes its
result. And the patterns are matched case-insensitively in the text itself instead of in a lowercased copy of
it (a long answer copied for every row). The snippets are the same (1,600 rows of the benchmark's pages
compared); at 100,000 documents the statement of a page of twenty with its snippets took 4.2 -> 3.6 ms for a
rare word, 6.9-7.3 -> 6.0-6.2 for a phrase, 3.7 -> 3.0 for a common word (docs/benchmarks-history.md, session 39)."""

import importlib

from django.db import migrations

# Going back puts the function of migration 0043 back.
EARLIER = importlib.import_module("questions.migrations.0043_snippet_phrase_place").FUNCTION

PLACES = r"""
CREATE OR REPLACE FUNCTION archive_snippet_places(query tsquery)
RETURNS text[] LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    patterns text[] := '{}';  -- where to cut excerpts, the first that finds a place in the text
    places text[] := '{}';  -- alternatives of the first pattern: each phrase in order, each word outside one
    last_words text[] := '{}';  -- alternatives of the second: each word not followed within a phrase
    token text[];
    word text;
    vowel text;
    chain text;  -- the pattern of the phrase being read
    gap text;  -- what stands between its last word and the next, when a distance was read
    negated boolean := false;
BEGIN
    -- The query's text form, token by token: a lexeme as it quotes it ('it''s' for it's, maybe with :* or
    -- weights), a distance (<-> or <N>), or an operator. A word is a lexeme with each character but letters
    -- and digits escaped, at the start of a word: a stem is the start of the words it stands for, mostly.
    FOR token IN
        SELECT m FROM regexp_matches(query::text, '''((?:[^'']|'''')+)''(?::[*A-D]+)?|<(\d+|-)>|([&|!()])', 'g') AS m
    LOOP
        IF token[1] IS NOT NULL THEN
            word := regexp_replace(replace(token[1], '''''', ''''), '([^[:alnum:]])', '\\\1', 'g');
            -- The stemmer folds accents and halves a doubled vowel ('vlam' of "Vlaamse", 'elkar' of
            -- "elkaar"): each vowel stands for itself, accented or not, once or twice.
            FOREACH vowel IN ARRAY ARRAY['[aàáâäå]', '[eèéêë]', '[iìíîï]', '[oòóôöø]', '[uùúûü]'] LOOP
                word := replace(word, substring(vowel FROM 2 FOR 1), vowel || '{1,2}');
            END LOOP;
            IF negated THEN  -- a word that must not stand there has no place to show
                negated := false;
                gap := NULL;
                CONTINUE;
            ELSIF gap IS NOT NULL AND chain IS NOT NULL THEN
                chain := chain || '\w*' || gap || word;
                gap := NULL;
            ELSE
                places := places || chain;
                chain := word;
            END IF;
            last_words := last_words || word;
        ELSIF token[2] IS NOT NULL THEN
            -- The word before a distance is followed within a phrase: its place is the phrase's.
            last_words := last_words[1:cardinality(last_words) - 1];
            -- <N>: N - 1 words between (stop words keep their places). <0>, the same place, is not a
            -- sequence of written words: the phrase ends there.
            IF token[2] = '0' THEN
                places := places || chain;
                chain := NULL;
            ELSE
                gap := '(?:\W+\w+){' || (CASE WHEN token[2] = '-' THEN 1 ELSE token[2]::int END - 1) || '}\W+';
            END IF;
        ELSE
            places := places || chain;
            chain := NULL;
            gap := NULL;
            negated := token[3] = '!';
        END IF;
    END LOOP;
    places := array_remove(places || chain, NULL);
    IF cardinality(places) > 0 THEN
        patterns := patterns || ('\m(?:' || array_to_string(places, '|') || ')');
    END IF;
    -- As before this function knew phrases: each word that ends a phrase or stands alone. The fragment reaches
    -- back to a phrase's other words, and its first word alone ('per' of "perse speculeren") starts many other
    -- words, each a place without the phrase to mark.
    IF cardinality(last_words) > 0 AND last_words IS DISTINCT FROM places THEN
        patterns := patterns || ('\m(?:' || array_to_string(last_words, '|') || ')');
    END IF;
    RETURN patterns;
END
$$;
"""

SNIPPET = r"""
CREATE OR REPLACE FUNCTION archive_snippet(document text, query tsquery, options text, start_mark text,
                                           delimiter text, patterns text[])
RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    pattern text;
    from_at int;
    first_at int;
    window_start int;
    excerpt text;
    shown text;
    fragments text[] := '{}';
BEGIN
    IF length(document) > 1200 THEN
        FOREACH pattern IN ARRAY patterns LOOP
            -- Two fragments, as ts_headline shows: around the first place, then around the next place past
            -- that fragment. A place with nothing to mark (the word stems otherwise) is passed over for the
            -- next one, four places at most.
            from_at := 1;
            FOR attempt IN 1..4 LOOP
                first_at := coalesce(regexp_instr(document, pattern, from_at, 1, 0, 'i'), 0);
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
            -- The next pattern only where this one found no place at all: places that showed nothing to mark
            -- mean the text is best shown by the headline of the whole.
            EXIT WHEN from_at > 1;
        END LOOP;
    END IF;
    RETURN ts_headline('archive_dutch', archive_html_escaped(document), query, options);
END
$$;
"""

DROP_EARLIER = "DROP FUNCTION archive_snippet(text, tsquery, text, text, text)"
DROP_NEW = """DROP FUNCTION archive_snippet(text, tsquery, text, text, text, text[]);
DROP FUNCTION archive_snippet_places(tsquery)"""


class Migration(migrations.Migration):

    dependencies = [
        ("questions", "0043_snippet_phrase_place"),
    ]

    operations = [
        migrations.RunSQL(PLACES + SNIPPET + DROP_EARLIER, DROP_NEW + ";" + EARLIER),
    ]
