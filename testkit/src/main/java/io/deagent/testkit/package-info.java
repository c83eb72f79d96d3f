/** Fakes at the wire for tests: local HTTP servers that answer like the SaaS APIs de-agent calls. */
package io.deagent.testkit;
