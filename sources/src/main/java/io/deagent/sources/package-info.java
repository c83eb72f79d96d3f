/** Evidence sources: they fetch and never judge. One package per source; the app lists them explicitly. */
package io.deagent.sources;
