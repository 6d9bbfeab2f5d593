// Package mcphttptest holds the tests of mcpauth/mcphttp that run the
// guards in front of a real mcp-go transport. They live in the examples
// module so that the library's own module does not depend on mcp-go.
package mcphttptest
