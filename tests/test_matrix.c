/* tests/test_matrix.c -- the pure parts of the Matrix client and the bot:
 * reply splitting, txn ids, /sync parsing (also malformed), addressing,
 * the invite allow-list, power levels, Retry-After, outgoing content. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include "../bot/bot.h"
#include "../bot/http.h"
#include "../bot/matrix.h"
#include "../storage/util.h"

/* ---- splitting ---- */

static void check_pieces(const char *text, size_t len, size_t max, const size_t *ends, size_t n)
{
    size_t start = 0;

    assert_true(n >= 1);
    assert_int_equal(ends[n - 1], len);
    for (size_t i = 0; i < n; i++) {
        assert_true(ends[i] > start || (i == 0 && len == 0));
        assert_true(ends[i] - start <= max);
        assert_true(utf8_valid(text + start, ends[i] - start));
        start = ends[i];
    }
}

static void test_split_paragraphs(void **state)
{
    struct buf b;
    size_t ends[64], n;

    buf_init(&b);
    for (int i = 0; i < 40; i++)
        buf_printf(&b, "Paragraph %d has a line.\nAnd a second line here.\n\n", i);
    n = mx_split(b.data, b.len, 400, ends, 64);
    assert_true(n > 1);
    check_pieces(b.data, b.len, 400, ends, n);
    /* Every cut but the last falls right after a blank line. */
    for (size_t i = 0; i + 1 < n; i++)
        assert_memory_equal(b.data + ends[i] - 2, "\n\n", 2);
    buf_release(&b);
}

static void test_split_short_and_exact(void **state)
{
    size_t ends[4], n;

    n = mx_split("hello", 5, 100, ends, 4);
    assert_int_equal(n, 1);
    assert_int_equal(ends[0], 5);
    n = mx_split("", 0, 100, ends, 4);
    assert_int_equal(n, 1);
    assert_int_equal(ends[0], 0);
}

static void test_split_utf8(void **state)
{
    struct buf b;
    size_t ends[256], n;

    buf_init(&b);
    /* No spaces or newlines at all: the cut must fall between code points. */
    for (int i = 0; i < 500; i++)
        buf_puts(&b, "\xc3\xa9\xe2\x80\x91\xf0\x9f\x91\x80");    /* é ‑ 👀 */
    for (size_t max = 50; max < 70; max++) {
        n = mx_split(b.data, b.len, max, ends, 256);
        check_pieces(b.data, b.len, max, ends, n);
    }
    buf_release(&b);
}

static void test_split_lines_then_spaces(void **state)
{
    struct buf b;
    size_t ends[64], n;

    buf_init(&b);
    for (int i = 0; i < 100; i++)
        buf_puts(&b, "word ");
    n = mx_split(b.data, b.len, 52, ends, 64);
    check_pieces(b.data, b.len, 52, ends, n);
    for (size_t i = 0; i + 1 < n; i++)
        assert_int_equal(b.data[ends[i] - 1], ' ');
    buf_release(&b);
}

static void test_split_html(void **state)
{
    struct buf b;
    size_t ends[64], n;

    buf_init(&b);
    for (int i = 0; i < 30; i++)
        buf_printf(&b, "<p>Item %d <b>bold</b><br>more</p>\n<ul><li>a</li><li>b</li></ul>\n", i);
    n = mx_split_html(b.data, b.len, 300, ends, 64);
    assert_true(n > 1);
    check_pieces(b.data, b.len, 300, ends, n);
    /* Each piece starts with a tag and has balanced <p> and <ul>. */
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        int p = 0, ul = 0;
        for (size_t k = start; k < ends[i]; k++) {
            if (!strncmp(b.data + k, "<p>", 3)) p++;
            if (!strncmp(b.data + k, "</p>", 4)) p--;
            if (!strncmp(b.data + k, "<ul>", 4)) ul++;
            if (!strncmp(b.data + k, "</ul>", 5)) ul--;
        }
        assert_int_equal(p, 0);
        assert_int_equal(ul, 0);
        start = ends[i];
    }
    /* One element longer than the limit cannot be split. */
    assert_int_equal(mx_split_html("<pre>aaaaaaaaaaaaaaaaaaaaaaaaaaaa</pre>", 38, 10, ends, 64), 0);
    buf_release(&b);
}

/* ---- txn ids and URLs ---- */

static void test_txn_id(void **state)
{
    char a[256], b[256], c[256], d[256], tiny[40];

    mx_txn_id(a, sizeof(a), "$abc:example.org", "r0");
    mx_txn_id(b, sizeof(b), "$abc:example.org", "r0");
    mx_txn_id(c, sizeof(c), "$abc:example.org", "r1");
    mx_txn_id(d, sizeof(d), "$abd:example.org", "r0");
    assert_string_equal(a, b);                  /* a retry reuses it */
    assert_string_not_equal(a, c);              /* each chunk its own */
    assert_string_not_equal(a, d);
    for (const char *p = a; *p; p++)
        assert_true(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *p));
    /* "_" is the escape, so ids that differ only around it stay apart. */
    mx_txn_id(a, sizeof(a), "$a_24", "r0");
    mx_txn_id(b, sizeof(b), "$a$", "r0");
    assert_string_not_equal(a, b);
    /* Too long for the buffer: a hash, still stable. */
    mx_txn_id(tiny, sizeof(tiny), "$averyveryveryveryverylongeventidentifier:example.org", "r0");
    mx_txn_id(a, sizeof(tiny), "$averyveryveryveryverylongeventidentifier:example.org", "r0");
    assert_string_equal(tiny, a);
    assert_true(strlen(tiny) < sizeof(tiny));
}

static void test_url_escape(void **state)
{
    struct buf b;

    buf_init(&b);
    mx_url_escape(&b, "!room:ex.org/x y?&$");
    assert_string_equal(b.data, "%21room%3Aex.org%2Fx%20y%3F%26%24");
    buf_release(&b);
}

/* ---- /sync parsing ---- */

static const char sync_json[] =
    "{\"next_batch\":\"s72\","
    " \"account_data\":{\"events\":[{\"type\":\"m.direct\",\"content\":{\"@a:x\":[\"!dm:x\"]}}]},"
    " \"rooms\":{"
    "  \"join\":{\"!r:x\":{"
    "    \"summary\":{\"m.joined_member_count\":3},"
    "    \"state\":{\"events\":["
    "      {\"type\":\"m.room.power_levels\",\"state_key\":\"\",\"sender\":\"@a:x\",\"event_id\":\"$pl\","
    "       \"content\":{\"users\":{\"@a:x\":100,\"@b:x\":\"50\",\"@c:x\":\" 7 \",\"@d:x\":\"x\",\"@e:x\":true},"
    "                    \"users_default\":\"10\"}},"
    "      {\"type\":\"m.room.create\",\"sender\":\"@a:x\",\"event_id\":\"$cr\"}"
    "    ]},"
    "    \"timeline\":{\"limited\":true,\"events\":["
    "      {\"type\":\"m.room.message\",\"sender\":\"@b:x\",\"event_id\":\"$m1\",\"origin_server_ts\":1700000000123,"
    "       \"content\":{\"msgtype\":\"m.text\",\"body\":\"hi\",\"format\":\"org.matrix.custom.html\","
    "        \"formatted_body\":\"<b>hi</b>\",\"m.mentions\":{\"user_ids\":[\"@s:x\",5]},"
    "        \"m.relates_to\":{\"rel_type\":\"m.thread\",\"event_id\":\"$root\","
    "         \"m.in_reply_to\":{\"event_id\":\"$prev\"}}}},"
    "      {\"type\":\"m.room.message\",\"event_id\":\"$nosender\",\"content\":{\"msgtype\":\"m.text\",\"body\":\"x\"}},"
    "      {\"sender\":\"@b:x\",\"event_id\":\"$notype\",\"content\":{}},"
    "      {\"type\":\"m.room.message\",\"sender\":\"@b:x\",\"content\":{\"body\":\"no id\"}},"
    "      \"not an object\","
    "      {\"type\":\"m.room.message\",\"sender\":\"@b:x\",\"event_id\":\"$red\",\"content\":{},"
    "       \"unsigned\":{\"redacted_because\":{}}},"
    "      {\"type\":\"m.room.message\",\"sender\":\"@b:x\",\"event_id\":\"$f\","
    "       \"content\":{\"msgtype\":\"m.file\",\"body\":\"notes.md\",\"url\":\"mxc://x/abc\","
    "        \"info\":{\"mimetype\":\"text/markdown\",\"size\":1234}}},"
    "      {\"type\":\"m.room.message\",\"sender\":\"@b:x\",\"event_id\":\"$bad\","
    "       \"content\":{\"msgtype\":5,\"body\":[],\"m.relates_to\":\"x\",\"info\":{\"size\":-4}}}"
    "    ]}}},"
    "  \"invite\":{\"!i:y\":{\"invite_state\":{\"events\":["
    "    {\"type\":\"m.room.encryption\",\"state_key\":\"\",\"sender\":\"@a:y\",\"content\":{}},"
    "    {\"type\":\"m.room.member\",\"state_key\":\"@s:x\",\"sender\":\"@a:y\","
    "     \"content\":{\"membership\":\"invite\",\"is_direct\":true}},"
    "    {\"type\":\"m.room.member\",\"sender\":\"@a:y\",\"content\":{\"membership\":\"invite\"}}"
    "  ]}}},"
    "  \"leave\":{\"!l:z\":{}}"
    " }}";

static void test_sync_parse(void **state)
{
    struct mx_sync s;
    const struct mx_room *r;
    const struct mx_event *e;

    assert_int_equal(mx_sync_parse(sync_json, strlen(sync_json), &s), 0);
    assert_string_equal(s.next_batch, "s72");
    assert_int_equal(s.has_direct, 1);
    assert_int_equal(s.n_direct, 1);
    assert_string_equal(s.direct[0], "!dm:x");
    assert_int_equal(s.n_rooms, 3);

    r = &s.rooms[0];
    assert_string_equal(r->room_id, "!r:x");
    assert_int_equal(r->membership, MX_JOINED);
    assert_int_equal(r->limited, 1);
    assert_int_equal(r->joined_count, 3);
    /* The create event has no state_key: dropped from the state section. */
    assert_int_equal(r->n_state, 1);
    e = &r->state[0];
    assert_non_null(e->power);
    assert_int_equal(e->power->users_default, 10);
    assert_int_equal(mx_power_level(e->power, "@a:x"), 100);
    assert_int_equal(mx_power_level(e->power, "@b:x"), 50);   /* string value */
    assert_int_equal(mx_power_level(e->power, "@c:x"), 7);
    assert_int_equal(mx_power_level(e->power, "@d:x"), 10);   /* junk: default */
    assert_int_equal(mx_power_level(e->power, "@e:x"), 10);
    assert_int_equal(mx_power_level(e->power, "@zz:x"), 10);

    /* Kept: $m1, $red, $f, $bad. Dropped: no sender, no type, no id, not an object. */
    assert_int_equal(r->n_timeline, 4);
    e = &r->timeline[0];
    assert_string_equal(e->event_id, "$m1");
    assert_true(e->ts == 1700000000123LL);
    assert_string_equal(e->body, "hi");
    assert_string_equal(e->formatted_body, "<b>hi</b>");
    assert_int_equal(e->has_mentions, 1);
    assert_int_equal(e->n_mentions, 1);
    assert_string_equal(e->mentions[0], "@s:x");
    assert_string_equal(e->rel_type, "m.thread");
    assert_string_equal(e->rel_event_id, "$root");
    assert_string_equal(e->reply_to, "$prev");
    assert_int_equal(e->redacted, 0);
    assert_int_equal(r->timeline[1].redacted, 1);
    e = &r->timeline[2];
    assert_string_equal(e->url, "mxc://x/abc");
    assert_string_equal(e->mimetype, "text/markdown");
    assert_int_equal(e->size, 1234);
    assert_int_equal(bot_is_text_file(e), 1);
    e = &r->timeline[3];
    assert_null(e->msgtype);
    assert_null(e->body);
    assert_int_equal(e->redacted, 1);              /* never acted on */
    assert_int_equal(e->size, -1);

    r = &s.rooms[1];
    assert_string_equal(r->room_id, "!i:y");
    assert_int_equal(r->membership, MX_INVITED);
    assert_int_equal(r->n_state, 2);                /* the one without state_key dropped */
    assert_null(r->state[1].event_id);              /* stripped state */
    assert_string_equal(r->state[1].membership, "invite");
    assert_int_equal(r->state[1].is_direct, 1);
    assert_int_equal(s.rooms[2].membership, MX_LEFT);
    mx_sync_release(&s);
}

static void test_sync_malformed(void **state)
{
    static const char *bad[] = {
        "", "{", "[]", "null", "{\"rooms\":{}}", "{\"next_batch\":5}",
        "{\"next_batch\":\"s\",\"x\":[[[", "{\"next_batch\":\"s\",\"x\":\"\\ud800",
    };
    static const char *ok[] = {
        "{\"next_batch\":\"s\"}",
        "{\"next_batch\":\"s\",\"rooms\":[]}",
        "{\"next_batch\":\"s\",\"rooms\":{\"join\":[],\"invite\":5}}",
        "{\"next_batch\":\"s\",\"rooms\":{\"join\":{\"!r:x\":5,\"!q:x\":{\"timeline\":[],\"state\":{\"events\":{}}}}}}",
        "{\"next_batch\":\"s\",\"account_data\":{\"events\":[{\"type\":\"m.direct\",\"content\":{\"@a:x\":\"!r\"}}]}}",
        "{\"next_batch\":\"s\",\"rooms\":{\"join\":{\"!r:x\":{\"timeline\":{\"events\":[{\"type\":\"m.room.message\","
        "\"sender\":\"@a:x\",\"event_id\":\"$e\",\"origin_server_ts\":1e300,\"content\":{\"msgtype\":\"m.text\","
        "\"body\":\"x\",\"info\":{\"size\":1e300}}}]}}}}}",
    };
    struct mx_sync s;

    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        assert_int_equal(mx_sync_parse(bad[i], strlen(bad[i]), &s), -1);
        mx_sync_release(&s);
    }
    for (size_t i = 0; i < sizeof(ok) / sizeof(*ok); i++) {
        assert_int_equal(mx_sync_parse(ok[i], strlen(ok[i]), &s), 0);
        mx_sync_release(&s);
    }
    /* One poisoned event must not fail the whole answer (it would stay in
     * the timeline and fail every later sync): lone surrogate escapes are
     * read as U+FFFD, values nested past 256 levels as 0. */
    {
        static const char poison[] =
            "{\"next_batch\":\"s9\",\"rooms\":{\"join\":{\"!r:x\":{\"timeline\":{\"events\":["
            "{\"type\":\"m.room.message\",\"sender\":\"@a:x\",\"event_id\":\"$e\","
            "\"content\":{\"msgtype\":\"m.text\",\"body\":\"!help \\ud800 \\udfff \\\\ud800 \\ud83d\\ude00\"}}]}}}}}";
        struct buf deep;

        assert_int_equal(mx_sync_parse(poison, strlen(poison), &s), 0);
        assert_int_equal(s.n_rooms, 1);
        assert_int_equal(s.rooms[0].n_timeline, 1);
        assert_string_equal(s.rooms[0].timeline[0].body,
                            "!help \xef\xbf\xbd \xef\xbf\xbd \\ud800 \xf0\x9f\x98\x80");
        mx_sync_release(&s);

        buf_init(&deep);
        buf_puts(&deep, "{\"next_batch\":\"s9\",\"rooms\":{\"join\":{\"!r:x\":{\"timeline\":{\"events\":["
                        "{\"type\":\"m.room.message\",\"sender\":\"@a:x\",\"event_id\":\"$e\","
                        "\"unsigned\":");
        for (int i = 0; i < 5000; i++)
            buf_puts(&deep, "{\"a\":[");
        buf_puts(&deep, "\"}]\"");
        for (int i = 0; i < 5000; i++)
            buf_puts(&deep, "]}");
        buf_puts(&deep, ",\"content\":{\"msgtype\":\"m.text\",\"body\":\"!help\"}}]}}}}}");
        assert_int_equal(mx_sync_parse(deep.data, deep.len, &s), 0);
        assert_int_equal(s.n_rooms, 1);
        assert_int_equal(s.rooms[0].n_timeline, 1);
        assert_string_equal(s.rooms[0].timeline[0].body, "!help");
        mx_sync_release(&s);
        buf_release(&deep);
    }
    /* Not NUL-terminated: only `len` bytes are read. */
    assert_int_equal(mx_sync_parse("{\"next_batch\":\"s\"}garbage", 18, &s), 0);
    mx_sync_release(&s);
}

/* ---- addressing ---- */

static struct mx_event msg(const char *body)
{
    struct mx_event e;

    memset(&e, 0, sizeof(e));
    e.type = "m.room.message";
    e.msgtype = "m.text";
    e.body = (char *)body;
    e.size = -1;
    return e;
}

static void test_addressed(void **state)
{
    static const struct {
        const char *body;
        int direct;
        const char *want;       /* NULL: not addressed */
    } cases[] = {
        { "!who raised the compact?", 0, "who raised the compact?" },
        { "  !actions", 0, "actions" },
        { "scribe: recap #62", 0, "recap #62" },
        { "Scribe, open actions", 0, "open actions" },
        { "SCRIBE:open actions", 0, "open actions" },
        { "@scribe who attended?", 0, "who attended?" },
        { "@scribe:example.org: meetings", 0, "meetings" },
        { "hey @scribe:example.org what's next", 0, "hey @scribe:example.org what's next" },
        { "scribe what is next", 0, "what is next" },     /* legacy client: name as a word */
        { "scribes are busy", 0, NULL },
        { "who raised the compact?", 0, NULL },
        { "who raised the compact?", 1, "who raised the compact?" },
        { "transcribe this", 0, NULL },
    };

    struct bot_self self = { "!", "scribe", "@scribe:example.org", NULL };

    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct mx_event e = msg(cases[i].body);
        char *got = bot_addressed_dup(&self, &e, cases[i].direct);

        if (!cases[i].want)
            assert_null(got);
        else {
            assert_non_null(got);
            assert_string_equal(got, cases[i].want);
        }
        free(got);
    }
}

static void test_addressed_mentions(void **state)
{
    struct bot_self self = { "!", "scribe", "@scribe:example.org", "Scribe Bot" };
    char *mine[] = { "@scribe:example.org" }, *other[] = { "@alice:example.org" };
    struct mx_event e;
    char *got;

    /* Element: a pill, display name in the body, m.mentions. */
    e = msg("Scribe Bot: who raised privacy?");
    e.has_mentions = 1;
    e.mentions = mine;
    e.n_mentions = 1;
    got = bot_addressed_dup(&self, &e, 0);
    assert_string_equal(got, "who raised privacy?");
    free(got);
    e = msg("Scribe Bot who raised privacy?");
    e.has_mentions = 1;
    e.mentions = mine;
    e.n_mentions = 1;
    got = bot_addressed_dup(&self, &e, 0);
    assert_string_equal(got, "who raised privacy?");
    free(got);
    /* m.mentions present without us: the name in the body is not a mention. */
    e = msg("ask scribe later");
    e.has_mentions = 1;
    e.mentions = other;
    e.n_mentions = 1;
    assert_null(bot_addressed_dup(&self, &e, 0));
    /* A pill in the HTML. */
    e = msg("hey you, recap");
    e.has_mentions = 1;
    e.formatted_body = "hey <a href=\"https://matrix.to/#/@scribe:example.org\">you</a>, recap";
    got = bot_addressed_dup(&self, &e, 0);
    assert_non_null(got);
    free(got);
    /* A reply: the fallback is not part of the question. */
    e = msg("> <@alice:example.org> !old question\n> more\n\n!actions");
    e.reply_to = "$x";
    got = bot_addressed_dup(&self, &e, 0);
    assert_string_equal(got, "actions");
    free(got);
}

static void test_strip_fallback(void **state)
{
    static const struct { const char *in, *out; } cases[] = {
        { "plain", "plain" },
        { "> <@a:x> quoted\n\nanswer", "answer" },
        { "> <@a:x> quoted\n> line two\n>\n> three\n\nanswer\nmore", "answer\nmore" },
        { ">> JOHN: a transcript\n>> MARY: stays", ">> JOHN: a transcript\n>> MARY: stays" },
        { "> <@a:x> only quote", "" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        char *got = bot_strip_fallback_dup(cases[i].in);
        assert_string_equal(got, cases[i].out);
        free(got);
    }
}

static void test_text_file(void **state)
{
    static const struct { const char *msgtype, *body, *filename, *mime, *url; int want; } cases[] = {
        { "m.file", "a.txt", NULL, NULL, "mxc://x/y", 1 },
        { "m.file", "caption", "Notes.MD", NULL, "mxc://x/y", 1 },
        { "m.file", "x.pdf", NULL, "text/plain; charset=utf-8", "mxc://x/y", 1 },
        { "m.file", "x.pdf", NULL, "application/pdf", "mxc://x/y", 0 },
        { "m.file", "a.txt", NULL, NULL, NULL, 0 },          /* encrypted: no url */
        { "m.image", "a.txt", NULL, NULL, "mxc://x/y", 0 },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct mx_event e = msg(cases[i].body);
        e.msgtype = (char *)cases[i].msgtype;
        e.filename = (char *)cases[i].filename;
        e.mimetype = (char *)cases[i].mime;
        e.url = (char *)cases[i].url;
        assert_int_equal(bot_is_text_file(&e), cases[i].want);
    }
}

/* ---- invites ---- */

static void test_invite_allowed(void **state)
{
    char *allow[] = { "@alice:example.org", "friends.net", ":colon.org", "*:star.org" };

    assert_true(bot_invite_allowed(allow, 4, "@alice:example.org"));
    assert_false(bot_invite_allowed(allow, 4, "@bob:example.org"));
    assert_false(bot_invite_allowed(allow, 4, "@alice:example.org.evil"));
    assert_true(bot_invite_allowed(allow, 4, "@bob:friends.net"));
    assert_true(bot_invite_allowed(allow, 4, "@bob:FRIENDS.NET"));
    assert_false(bot_invite_allowed(allow, 4, "@bob:evil-friends.net"));
    assert_false(bot_invite_allowed(allow, 4, "@bob:friends.net.evil"));
    assert_true(bot_invite_allowed(allow, 4, "@x:colon.org"));
    assert_true(bot_invite_allowed(allow, 4, "@x:star.org"));
    assert_false(bot_invite_allowed(allow, 4, "friends.net"));
    assert_false(bot_invite_allowed(allow, 4, NULL));
    assert_false(bot_invite_allowed(allow, 0, "@alice:example.org"));
}

/* ---- headers and content ---- */

static void test_retry_after(void **state)
{
    assert_int_equal(http_retry_after_parse("3", 0), 3000);
    assert_int_equal(http_retry_after_parse(" 0 ", 0), 0);
    assert_int_equal(http_retry_after_parse("x", 0), -1);
    assert_int_equal(http_retry_after_parse("3x", 0), -1);
    assert_int_equal(http_retry_after_parse(NULL, 0), -1);
    /* Sun, 06 Nov 1994 08:49:37 GMT is 784111777. */
    assert_int_equal(http_retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT", 784111770), 7000);
    assert_int_equal(http_retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT", 784111999), 0);
}

static void test_notice_json(void **state)
{
    const char *mentions[] = { "@alice:x" };
    struct mx_notice n = { 0 };
    cJSON *j, *rel;
    char *s;

    n.body = "a <b> \"c\"\nline";
    n.body_len = 7;                         /* a slice: "a <b> \"" */
    s = mx_notice_json_dup(&n);
    j = cJSON_Parse(s);
    assert_string_equal(cJSON_GetObjectItem(j, "msgtype")->valuestring, "m.notice");
    assert_string_equal(cJSON_GetObjectItem(j, "body")->valuestring, "a <b> \"");
    assert_true(cJSON_IsObject(cJSON_GetObjectItem(j, "m.mentions")));
    assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "m.mentions"), "user_ids"));
    assert_null(cJSON_GetObjectItem(j, "m.relates_to"));
    cJSON_Delete(j);
    free(s);

    n.body = "x";
    n.body_len = 1;
    n.html = "<b>x</b>";
    n.html_len = 8;
    n.reply_to = "$q";
    n.thread_root = "$root";
    n.mentions = mentions;
    n.n_mentions = 1;
    s = mx_notice_json_dup(&n);
    j = cJSON_Parse(s);
    assert_string_equal(cJSON_GetObjectItem(j, "format")->valuestring, "org.matrix.custom.html");
    assert_string_equal(cJSON_GetObjectItem(j, "formatted_body")->valuestring, "<b>x</b>");
    rel = cJSON_GetObjectItem(j, "m.relates_to");
    assert_string_equal(cJSON_GetObjectItem(rel, "rel_type")->valuestring, "m.thread");
    assert_string_equal(cJSON_GetObjectItem(rel, "event_id")->valuestring, "$root");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(rel, "is_falling_back")));
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(rel, "m.in_reply_to"),
                                            "event_id")->valuestring, "$q");
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "m.mentions"),
                                                               "user_ids"), 0)->valuestring,
                        "@alice:x");
    cJSON_Delete(j);
    free(s);

    s = mx_reaction_json_dup("$t", "\xe2\x9c\x85");
    j = cJSON_Parse(s);
    rel = cJSON_GetObjectItem(j, "m.relates_to");
    assert_string_equal(cJSON_GetObjectItem(rel, "rel_type")->valuestring, "m.annotation");
    assert_string_equal(cJSON_GetObjectItem(rel, "key")->valuestring, "\xe2\x9c\x85");
    cJSON_Delete(j);
    free(s);
}

static void test_power_dup(void **state)
{
    char *users[] = { "@a:x" };
    int64_t levels[] = { 9007199254740991LL };
    struct mx_power pl = { 5, 1, users, levels }, *c = mx_power_dup(&pl);

    assert_true(mx_power_level(c, "@a:x") == 9007199254740991LL);
    assert_int_equal(mx_power_level(c, "@b:x"), 5);
    assert_int_equal(mx_power_level(NULL, "@b:x"), 0);
    mx_power_free(c);
    mx_power_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_paragraphs),
        cmocka_unit_test(test_split_short_and_exact),
        cmocka_unit_test(test_split_utf8),
        cmocka_unit_test(test_split_lines_then_spaces),
        cmocka_unit_test(test_split_html),
        cmocka_unit_test(test_txn_id),
        cmocka_unit_test(test_url_escape),
        cmocka_unit_test(test_sync_parse),
        cmocka_unit_test(test_sync_malformed),
        cmocka_unit_test(test_addressed),
        cmocka_unit_test(test_addressed_mentions),
        cmocka_unit_test(test_strip_fallback),
        cmocka_unit_test(test_text_file),
        cmocka_unit_test(test_invite_allowed),
        cmocka_unit_test(test_retry_after),
        cmocka_unit_test(test_notice_json),
        cmocka_unit_test(test_power_dup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
