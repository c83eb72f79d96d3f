package io.deagent.slack.reply;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SlackMrkdwnTest {

    @Test
    void controlSequencesAreEscapedSoNothingPingsOrLinks() {
        String out = SlackMrkdwn.neutralise(
                "<!channel> <!here> <!everyone> <@U024BE7LH> <#C123|general> <!subteam^S123> <mailto:a@b.c|mail>");

        assertThat(out)
                .isEqualTo("&lt;!channel&gt; &lt;!here&gt; &lt;!everyone&gt; &lt;@U024BE7LH&gt; &lt;#C123|general&gt;"
                        + " &lt;!subteam^S123&gt; &lt;mailto:a@b.c|mail&gt;")
                .doesNotContain("<", ">");
    }

    @Test
    void ampersandIsEscapedFirstSoEntitiesInTheLogStayLiteral() {
        assertThat(SlackMrkdwn.neutralise("a & b &lt; c")).isEqualTo("a &amp; b &amp;lt; c");
    }

    @Test
    void bareBroadcastsGetAZeroWidthSpaceAfterTheAt() {
        assertThat(SlackMrkdwn.neutralise("ping @here, @Channel and @everyone; mail ops@example.com"))
                .isEqualTo("ping @\u200Bhere, @\u200BChannel and @\u200Beveryone; mail ops@example.com");
        assertThat(SlackMrkdwn.neutralise("@heresy stays")).isEqualTo("@heresy stays");
    }

    @Test
    void aLinkWithALabelIsShownAsCodeNotFollowed() {
        assertThat(SlackMrkdwn.neutralise("see <https://evil.example/x|click here> now"))
                .isEqualTo("see `&lt;https://evil.example/x|click` here&gt; now");
    }

    @Test
    void aBareUrlIsPutInCodeSoSlackDoesNotAutoLinkIt() {
        assertThat(SlackMrkdwn.neutralise("fetch https://evil.example/a and www.evil.example."))
                .isEqualTo("fetch `https://evil.example/a` and `www.evil.example`.");
    }

    @Test
    void wordsWithFormattingCharactersBecomeCodeAndPlainProseIsLeftAlone() {
        assertThat(SlackMrkdwn.neutralise("The column \"customer_idd\" is *gone* ~now~, use spark.sql.* (see _x_)."))
                .isEqualTo("The column \"`customer_idd`\" is `*gone*` `~now~`, use `spark.sql.*` (see `_x_`).");
        assertThat(SlackMrkdwn.neutralise("Point the SQL at the column that exists."))
                .isEqualTo("Point the SQL at the column that exists.");
    }

    @Test
    void sentencePunctuationStaysOutsideTheCodeSpan() {
        assertThat(SlackMrkdwn.neutralise("SELECT * FROM t -- (*)")).isEqualTo("SELECT `*` FROM t -- (`*`)");
        assertThat(SlackMrkdwn.neutralise("see (www.x).")).isEqualTo("see (`www.x`).");
    }

    @Test
    void backticksInsideAWordCannotCloseItsCodeSpan() {
        assertThat(SlackMrkdwn.neutralise("run `rm -rf` now")).isEqualTo("run `\u02CBrm` `-rf\u02CB` now");
    }

    @Test
    void whitespaceAndLineBreaksArePreserved() {
        assertThat(SlackMrkdwn.neutralise("  a\n\tb_c  ")).isEqualTo("  a\n\t`b_c`  ");
        assertThat(SlackMrkdwn.neutralise(null)).isEmpty();
    }

    @Test
    void codeMakesOneSpanOnOneLine() {
        assertThat(SlackMrkdwn.code("daily_orders.load_orders")).isEqualTo("`daily_orders.load_orders`");
        assertThat(SlackMrkdwn.code("a`b\nc <!here> @here")).isEqualTo("`a\u02CBb c &lt;!here&gt; @\u200Bhere`");
        assertThat(SlackMrkdwn.code("  ")).isEqualTo("–");
    }

    @Test
    void aFenceInTheTextCannotCloseTheCodeBlock() {
        String block = SlackMrkdwn.codeBlock("before\n```\n<!channel> *not bold*\n```` after");

        assertThat(block).startsWith("```\n").endsWith("\n```");
        String body = block.substring(4, block.length() - 4);
        assertThat(body).doesNotContain("``").contains("`\u200B`\u200B`");
        assertThat(body).contains("&lt;!channel&gt; *not bold*");
        assertThat(block.split("```", -1)).hasSize(3);
    }

    @Test
    void aBacktickNextToTheFenceCannotLengthenIt() {
        String block = SlackMrkdwn.codeBlock("`");

        assertThat(block).isEqualTo("```\n`\n```");
    }

    @Test
    void clipNeverSplitsASurrogatePair() {
        String s = "ab\uD83D\uDE00cd";

        assertThat(SlackMrkdwn.clip(s, 4)).isEqualTo("ab…");
        assertThat(SlackMrkdwn.clip(s, 5)).isEqualTo("ab\uD83D\uDE00…");
        assertThat(SlackMrkdwn.clip(s, 6)).isEqualTo(s);
    }
}
