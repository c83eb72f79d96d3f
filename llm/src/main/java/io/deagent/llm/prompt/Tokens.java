package io.deagent.llm.prompt;

/**
 * A tokenizer-free estimate of how many tokens a text costs, good enough to stay inside a budget: about
 * four characters per token for ASCII, one token per non-ASCII code point (CJK, emoji and accented text
 * split into more tokens than English). It is an estimate, not a count: providers tokenize differently, so
 * budgets should keep a margin.
 *
 * <p>The estimate is subadditive ({@code estimate(a + b) <= estimate(a) + estimate(b)}), so the sum of the
 * parts' estimates is a safe upper bound for the whole.
 */
public final class Tokens {

    private static final int UNITS_PER_TOKEN = 4;
    private static final int NON_ASCII_UNITS = 4;

    private Tokens() {}

    /** The estimated number of tokens of {@code text}: 0 for null or empty. */
    public static int estimate(String text) {
        if (text == null || text.isEmpty()) {
            return 0;
        }
        long units = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            units += cp < 0x80 ? 1 : NON_ASCII_UNITS;
            i += Character.charCount(cp);
        }
        return (int) Math.min(Integer.MAX_VALUE, (units + UNITS_PER_TOKEN - 1) / UNITS_PER_TOKEN);
    }
}
