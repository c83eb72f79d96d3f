package io.deagent.sources.cloudwatch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConsoleLinksTest {

    @Test
    void aLambdaStreamLinkEncodesAsTheConsoleDoes() {
        assertThat(ConsoleLinks.logStream(
                        "eu-west-1",
                        "/aws/lambda/ingest-orders",
                        "2019/03/26/[$LATEST]f9b263b35eac4d90b39f4cc0eca6d50a"))
                .isEqualTo("https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1"
                        + "#logsV2:log-groups/log-group/$252Faws$252Flambda$252Fingest-orders/log-events/"
                        + "2019$252F03$252F26$252F$255B$2524LATEST$255Df9b263b35eac4d90b39f4cc0eca6d50a");
    }

    @Test
    void encodeUriComponentLeavesItsUnreservedSetAndEncodesUtf8() {
        assertThat(ConsoleLinks.encodeUriComponent("a-b_c.d!e~f*g'h(i)j k=l+m/é"))
                .isEqualTo("a-b_c.d!e~f*g'h(i)j%20k%3Dl%2Bm%2F%C3%A9");
    }

    @Test
    void chinaAndGovCloudHaveTheirOwnConsoles() {
        assertThat(ConsoleLinks.logGroup("cn-north-1", "g"))
                .startsWith("https://console.amazonaws.cn/cloudwatch/home?region=cn-north-1#");
        assertThat(ConsoleLinks.logGroup("us-gov-west-1", "g"))
                .startsWith("https://console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-west-1#");
    }
}
