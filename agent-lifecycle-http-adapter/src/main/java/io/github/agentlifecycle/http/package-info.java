/**
 * A framework-neutral HTTP API over the lifecycle engine, with JDK HttpServer and Jakarta Servlet bindings.
 */
@NullMarked
package io.github.agentlifecycle.http;

import org.jspecify.annotations.NullMarked;
