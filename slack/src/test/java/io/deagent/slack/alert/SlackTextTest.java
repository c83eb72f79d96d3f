package io.deagent.slack.alert;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SlackTextTest {

    @Test
    void entitiesAreDecodedOnce() {
        assertThat(SlackText.unescape("a &lt;b&gt; &amp; c")).isEqualTo("a <b> & c");
        assertThat(SlackText.unescape("&amp;lt; stays an entity")).isEqualTo("&lt; stays an entity");
        assertThat(SlackText.unescapeEntities(null)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '¦',
            value = {
                "<@U0PERSON1> look ¦ @U0PERSON1 look",
                "<@U0PERSON1|maria> look ¦ @maria look",
                "see <#C0ALERTS1|alerts> ¦ see #alerts",
                "see <#C0ALERTS1> ¦ see #C0ALERTS1",
                "<!here> it failed ¦ @here it failed",
                "<!channel> ¦ @channel",
                "<!here|here> ¦ @here",
                "<!subteam^S0DATA1|@data-oncall> ¦ @data-oncall",
                "<!subteam^S0DATA1> ¦ @S0DATA1",
                "at <!date^1795601237^{date_short}|Nov 20, 2026> ¦ at Nov 20, 2026",
                "<https://x.example/a?b=1&amp;c=2> ¦ https://x.example/a?b=1&c=2",
                "<https://x.example/log|see log> ¦ see log (https://x.example/log)",
                "<https://x.example|x.example> ¦ https://x.example",
                "<mailto:oncall@example.com|oncall@example.com> ¦ mailto:oncall@example.com",
                "&lt;TaskInstance: d.t run [failed]&gt; ¦ <TaskInstance: d.t run [failed]>",
                "<TaskInstance: d.t run [failed]> ¦ <TaskInstance: d.t run [failed]>",
            })
    void controlSequencesBecomeReadable(String raw, String readable) {
        assertThat(SlackText.unescape(raw)).isEqualTo(readable);
    }

    @Test
    void displayTextShowsLinkLabelsOnly() {
        String raw = "DAG <https://x.example/dags/orders_daily/grid|orders_daily> has failed, <https://x.example/log>";

        assertThat(SlackText.displayText(raw)).isEqualTo("DAG orders_daily has failed, https://x.example/log");
    }

    @Test
    void linksAreFoundInBracketsAndBareInOrderWithoutDuplicates() {
        String raw = "log <https://a.example/log?x=1&amp;y=2|here>, mirror https://b.example/p?q=1&amp;r=2. "
                + "again <https://a.example/log?x=1&amp;y=2> <mailto:a@b.example|a@b.example> <@U1> "
                + "(https://c.example/x) `https://d.example/code&amp;x=1`";

        assertThat(SlackText.links(raw))
                .containsExactly(
                        "https://a.example/log?x=1&y=2",
                        "https://b.example/p?q=1&r=2",
                        "https://c.example/x",
                        "https://d.example/code&x=1");
    }

    @Test
    void linkRefsKeepTheLabel() {
        assertThat(SlackText.linkRefs("<https://a.example/t1|load_orders> <https://a.example/t2>"))
                .containsExactly(
                        new SlackText.Link("https://a.example/t1", "load_orders"),
                        new SlackText.Link("https://a.example/t2", "https://a.example/t2"));
        assertThat(SlackText.linkRefs(null)).isEmpty();
    }

    @Test
    void aBareUrlEndsBeforeAnEscapedBracket() {
        assertThat(SlackText.links("&lt;https://a.example/x&gt;")).containsExactly("https://a.example/x");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '¦',
            value = {
                "*Task*: load_orders ¦ Task: load_orders",
                "* Dag*: orders_daily ¦ ' Dag: orders_daily'",
                "dagid=*orders_daily* taskid=*load_orders* ¦ dagid=orders_daily taskid=load_orders",
                "*DAG*: `s3_ingest` ¦ DAG: s3_ingest",
                "_Run id_: scheduled__2026-11-20 ¦ Run id: scheduled__2026-11-20",
                "Task: load_orders_daily ¦ Task: load_orders_daily",
                "Task: __dag__ ¦ Task: __dag__",
                "~old~ new ¦ old new",
            })
    void emphasisMarkersGoFromFieldLinesButUnderscoresInIdsStay(String line, String stripped) {
        assertThat(SlackText.stripEmphasis(line)).isEqualTo(stripped);
    }
}
