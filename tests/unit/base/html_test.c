/* SPDX-License-Identifier: MIT */
/* html_test.c - base/html.c: tags dropped, line breaks for <br>, </p> and (HTML_BLOCKS) block
 * elements, script/style/head/title content dropped, entities and numeric references decoded
 * (4-byte ones too) and the unsafe ones left as text, and the buf's cap. */
#include "base/base.h"

#include "base/buf.h"
#include "base/err.h"
#include "base/html.h"

#include "../test.h"

static char got[4096];

static const char *
text(const char *html, unsigned flags)
{
    struct buf b;
    buf_init(&b, sizeof(got) - 1);
    int rc = html_text(&b, str_c(html), flags);
    snprintf(got, sizeof(got), "%s", rc == 0 ? b.p : "(error)");
    buf_release(&b);
    return got;
}

TEST(post_fragment)
{
    /* What a Mastodon status looks like. */
    CHECK_STR(text("<p>Caf&#233; &amp; <a href=\"https://x.example\">https://x.example</a><br>fin "
                   "&lt;3</p>", 0),
              "Café & https://x.example\nfin <3\n");
    CHECK_STR(text("<p>one</p><p>two</p>", 0), "one\ntwo\n");
    CHECK_STR(text("a<BR>b<br/>c<br />d<bring>e", 0), "a\nb\nc\nde");
    CHECK_STR(text("keep\nsource\tbreaks", 0), "keep\nsource\tbreaks");
    CHECK_STR(text("<div>no</div><li>breaks</li>", 0), "nobreaks");
}

TEST(document_blocks)
{
    CHECK_STR(text("<p>one</p><p>two</p>", HTML_BLOCKS), "\none\n\ntwo\n");
    CHECK_STR(text("<div>a</div><ul><li>b<li>c</ul><h1>T</h1><hr>x<blockquote>q</blockquote>",
                   HTML_BLOCKS),
              "\na\n\nb\ncT\n\nx\nq"); /* an opening <h1> is not a break */
    CHECK_STR(text("line\r\nbreak\tand tab", HTML_BLOCKS), "line  break and tab");
    CHECK_STR(text("<pre>p</pre><param>", HTML_BLOCKS), "p"); /* "pre" is not "p" */
}

TEST(dropped_elements)
{
    CHECK_STR(text("<head><title>T</title><style>p{}</style></head>Hi<SCRIPT type=x>alert(1)"
                   "</script> there",
                   HTML_BLOCKS),
              "Hi there");
    CHECK_STR(text("a<script>never closed", 0), "a");
    CHECK_STR(text("a<scripted>b", 0), "ab"); /* another element */
}

TEST(entities)
{
    CHECK_STR(text("&amp;&lt;&gt;&quot;&#39;&apos;&nbsp;&euro;&copy;", 0), "&<>\"'' €©");
    CHECK_STR(text("&AMP; &Lt;", 0), "& <");
    CHECK_STR(text("&#65;&#x42;&#X43;&#x1F600;&#128512;", 0), "ABC\xf0\x9f\x98\x80\xf0\x9f\x98\x80");
    CHECK_STR(text("&#xE9;&#233;&#x20AC;", 0), "é\xc3\xa9€");
    /* Left as text: unknown names, a bare '&', no ';', controls, surrogates, out of range, more
     * than 7 digits. */
    CHECK_STR(text("&bogus; AT&T &#65 &#10; &#0; &#xD800; &#x110000; &#00000065;", 0),
              "&bogus; AT&T &#65 &#10; &#0; &#xD800; &#x110000; &#00000065;");
    CHECK_STR(text("&#x;&#;&", 0), "&#x;&#;&");
}

TEST(tags_and_cap)
{
    CHECK_STR(text("a<b>b</b>c<unterminated", 0), "abc");
    CHECK_STR(text("x > y", 0), "x > y");
    struct buf b;
    buf_init(&b, 4);
    CHECK_INT(html_text(&b, STR_LIT("<p>hello</p>"), 0), ERR_TOOBIG);
    CHECK(b.len <= 4);
    buf_release(&b);
}

int
main(void)
{
    RUN(post_fragment);
    RUN(document_blocks);
    RUN(dropped_elements);
    RUN(entities);
    RUN(tags_and_cap);
    return test_done();
}
