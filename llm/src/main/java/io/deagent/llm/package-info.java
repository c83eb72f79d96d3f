/** The LLM explainer: better words on top of the rules, never less safety. */
package io.deagent.llm;
