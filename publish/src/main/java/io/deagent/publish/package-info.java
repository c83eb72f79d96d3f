/** From a diagnosis to a reviewed change: codemod, branch, pull request, notifications. */
package io.deagent.publish;
