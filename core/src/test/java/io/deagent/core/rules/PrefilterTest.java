package io.deagent.core.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class PrefilterTest {

    private static boolean may(String regex, String text) {
        return Prefilter.of(regex)
                .map(p -> p.mayMatch(text, text.toLowerCase(Locale.ROOT)))
                .orElse(true);
    }

    @Test
    void eachAlternativeContributesItsLongestRequiredRun() {
        Prefilter p = Prefilter.of("Path does not exist|\\[PATH_NOT_FOUND\\]|Input path does not exist")
                .orElseThrow();
        assertThat(p.literals())
                .containsExactly("Path does not exist", "[PATH_NOT_FOUND]", "Input path does not exist");
        assertThat(p.ignoreCase()).isFalse();
    }

    @Test
    void optionalCharactersGroupsAndClassesAreNotRequired() {
        assertThat(Prefilter.of("colou?r (?:of relation \"[^\"]+\" )?does not exist")
                        .orElseThrow()
                        .literals())
                .containsExactly("does not exist");
        assertThat(Prefilter.of("Exit code(?: is)?:? 137").orElseThrow().literals())
                .containsExactly("Exit code");
        assertThat(Prefilter.of("\\bSQLSTATE[:=\\s]*(\\w{5})").orElseThrow().literals())
                .containsExactly("SQLSTATE");
    }

    @Test
    void noPrefilterWhenAnAlternativeHasNoLiteral() {
        assertThat(Prefilter.of("\\d+ of \\d+|[A-Z]{3}")).isEmpty();
        assertThat(Prefilter.of("ab")).isEmpty();
        assertThat(Prefilter.of("x(?i)abcdef")).isEmpty();
    }

    @Test
    void caseInsensitivePatternsCompareLowerCase() {
        assertThat(may("(?i)division by zero", "ERROR: DIVISION BY ZERO")).isTrue();
        assertThat(may("division by zero", "ERROR: DIVISION BY ZERO")).isFalse();
        assertThat(may("Connection refused", "all good")).isFalse();
    }
}
