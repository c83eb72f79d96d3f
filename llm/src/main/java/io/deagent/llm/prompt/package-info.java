/**
 * The pure half of the LLM explainer, with no network: versioned prompt templates, the context assembled
 * under a token budget (redacted, numbered, fenced as untrusted data), the validation of the model's answer
 * against the taxonomy and the evidence, and the merge of a valid answer into the rules' diagnosis.
 */
package io.deagent.llm.prompt;
