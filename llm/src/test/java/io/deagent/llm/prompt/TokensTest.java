package io.deagent.llm.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TokensTest {

    @Test
    void aboutFourAsciiCharactersPerTokenRoundedUp() {
        assertThat(Tokens.estimate(null)).isZero();
        assertThat(Tokens.estimate("")).isZero();
        assertThat(Tokens.estimate("a")).isEqualTo(1);
        assertThat(Tokens.estimate("abcd")).isEqualTo(1);
        assertThat(Tokens.estimate("abcde")).isEqualTo(2);
        assertThat(Tokens.estimate("x".repeat(4000))).isEqualTo(1000);
    }

    @Test
    void nonAsciiTextCostsMoreThanItsLength() {
        assertThat(Tokens.estimate("日本語のログ")).isEqualTo(6);
        assertThat(Tokens.estimate("ab×")).isEqualTo(2);
        // a surrogate pair is one code point
        assertThat(Tokens.estimate("😀")).isEqualTo(1);
        assertThat(Tokens.estimate("é".repeat(100))).isGreaterThan(Tokens.estimate("e".repeat(100)));
    }

    @Test
    void theSumOfThePartsBoundsTheWhole() {
        String[] parts = {"abc", "d", "日本", "xyz12", "", "L812: java.lang.OutOfMemoryError"};
        StringBuilder whole = new StringBuilder();
        int sum = 0;
        for (String p : parts) {
            whole.append(p);
            sum += Tokens.estimate(p);
        }
        assertThat(Tokens.estimate(whole.toString())).isLessThanOrEqualTo(sum);
    }

    @Test
    void budgetsDefaultToEightThousandInAndTwoThousandOut() {
        assertThat(TokenBudget.defaults()).isEqualTo(new TokenBudget(8000, 2000));
        assertThatThrownBy(() -> new TokenBudget(0, 2000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenBudget(8000, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
