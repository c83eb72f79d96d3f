package io.deagent.llm.prompt;

/**
 * How many tokens one explanation may use, as {@link Tokens#estimate} counts them.
 *
 * @param input the whole request: system prompt plus user message
 * @param output the model's answer (passed to the provider as its output limit; not part of the input)
 */
public record TokenBudget(int input, int output) {

    public static final int DEFAULT_INPUT = 8000;
    public static final int DEFAULT_OUTPUT = 2000;

    public TokenBudget {
        if (input <= 0 || output <= 0) {
            throw new IllegalArgumentException(
                    "token budgets must be positive, got input " + input + " and output " + output);
        }
    }

    /** 8000 input tokens and 2000 output tokens: fits every supported provider's smallest model. */
    public static TokenBudget defaults() {
        return new TokenBudget(DEFAULT_INPUT, DEFAULT_OUTPUT);
    }
}
