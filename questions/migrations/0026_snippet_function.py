"""The snippets' SQL functions (questions/search/text.py):

- ``archive_html_escaped(text)``: the text HTML-escaped, without the two marker characters the headline marks
  matches with. ts_headline drops anything that looks like a tag, so text is escaped *before* it: "<script>"
  in a document is then shown as text, and only the <mark> tags put in for the markers are live.
- ``archive_snippet(document, query, options, start_mark, delimiter)``: ts_headline with the archive's
  configuration over the escaped text, given only the parts of a long text where the query's words stand.

ts_headline parses and stems all the text it is given (0.3 ms for a 2 KB question, 0.6 ms for a 4.6 KB
answer), and escaping a whole text cost as much again, so the snippets of a page of twenty were the largest
part of a rare word's search. A snippet shows at most two fragments of 40 words: the function takes about 450
characters around the first place where one of the query's lexemes stands in the lowercased text (a stem is
the start of the words it stands for, mostly), and as many around the next such place past that fragment, cut
at whitespace, and escapes and marks only those, one fragment each. A place where the lexeme stands inside
another word marks nothing, and the next place is tried; when no part shows a mark (an accent differs, say),
the whole text is used, as before. Short texts are always used whole.
"""

from django.db import migrations

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION archive_html_escaped(document text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT replace(replace(replace(replace(replace(translate(document, E'\x02\x03', ''),
           '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#x27;')
$$;

CREATE OR REPLACE FUNCTION archive_snippet(document text, query tsquery, options text, start_mark text,
                                           delimiter text)
RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    lowered text;
    rest text;  -- the lowered text from from_at on
    lexemes text[];
    lexeme text;
    from_at int := 1;
    first_at int;
    at int;
    window_start int;
    excerpt text;
    shown text;
    fragments text[] := '{}';
BEGIN
    IF length(document) > 1200 THEN
        lowered := lower(document);
        -- The query's lexemes, as its text form quotes them ('it''s' for it's).
        SELECT array_agg(DISTINCT replace(m[1], '''''', '''')) INTO lexemes
        FROM regexp_matches(query::text, '''((?:[^'']|'''')+)''', 'g') AS m;
        -- Two fragments, as ts_headline shows: around the first place a lexeme stands, then around the next
        -- place past that fragment. A place where the lexeme stood inside another word has nothing to mark:
        -- the next one is tried, four places at most.
        FOR attempt IN 1..4 LOOP
            first_at := 0;
            rest := substring(lowered FROM from_at);
            FOREACH lexeme IN ARRAY coalesce(lexemes, '{}') LOOP
                at := strpos(rest, lexeme);
                IF at > 0 AND (first_at = 0 OR at < first_at) THEN
                    first_at := at;
                END IF;
            END LOOP;
            EXIT WHEN first_at = 0;
            first_at := from_at + first_at - 1;
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

DROP = """
DROP FUNCTION IF EXISTS archive_snippet(text, tsquery, text, text, text);
DROP FUNCTION IF EXISTS archive_html_escaped(text);
"""


class Migration(migrations.Migration):

    dependencies = [
        ("questions", "0025_search_query_function"),
    ]

    operations = [migrations.RunSQL(FUNCTIONS, DROP)]
