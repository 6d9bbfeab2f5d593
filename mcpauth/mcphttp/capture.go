package mcphttp

import (
	"net/http"
	"net/url"
	"strings"
)

// maxEndpointScan is how many bytes of a legacy SSE stream the binding
// reads looking for the endpoint event, which is the stream's first.
const maxEndpointScan = 4096

// captureWriter passes a response through while noting what the session
// binding needs: the final status, the headers at that moment (the
// Mcp-Session-Id a streamable HTTP transport mints), and, for a legacy SSE
// stream, the session id in the first "endpoint" event.
//
// It implements http.Flusher (streaming responses need it; mcp-go's SSE
// server refuses a writer without it) and Unwrap, so that
// http.NewResponseController reaches the underlying writer's other
// features (deadlines, hijacking).
type captureWriter struct {
	w      http.ResponseWriter
	status int // 0 until the final header is written

	// onHeader is called once, with the final status, just before the
	// header is sent.
	onHeader func(status int, h http.Header)
	// onEndpoint, when not nil, is called with the sessionId of the first
	// SSE endpoint event, before the bytes that complete it are sent.
	onEndpoint func(sessionID string)
	scan       []byte // what has been seen of the stream while scanning
}

func (c *captureWriter) Header() http.Header { return c.w.Header() }

func (c *captureWriter) WriteHeader(code int) {
	if c.status == 0 && code >= 200 { // 1xx are not final
		c.status = code
		if !strings.HasPrefix(c.w.Header().Get("Content-Type"), "text/event-stream") {
			c.onEndpoint = nil
		}
		if c.onHeader != nil {
			c.onHeader(code, c.w.Header())
		}
	}
	c.w.WriteHeader(code)
}

func (c *captureWriter) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.WriteHeader(http.StatusOK)
	}
	if c.onEndpoint != nil {
		c.scanEndpoint(p)
	}
	return c.w.Write(p)
}

// Flush sends what has been written so far; a no-op when the underlying
// writer cannot flush.
func (c *captureWriter) Flush() {
	if c.status == 0 {
		c.WriteHeader(http.StatusOK)
	}
	_ = http.NewResponseController(c.w).Flush()
}

// Unwrap returns the underlying writer, for http.ResponseController.
func (c *captureWriter) Unwrap() http.ResponseWriter { return c.w }

// statusCode is the status sent, 200 if the handler wrote nothing.
func (c *captureWriter) statusCode() int {
	if c.status == 0 {
		return http.StatusOK
	}
	return c.status
}

// scanEndpoint looks for the sessionId in the first SSE event, which the
// legacy SSE transport makes "event: endpoint" followed by the message URL
// as data ("data: /message?sessionId=..."). It calls onEndpoint as soon as
// that data line is complete, and gives up at the end of the first event or
// after maxEndpointScan bytes. The bytes seen so far are scanned again on
// each write (at most maxEndpointScan of them), so lines split across
// writes, and CR LF split across writes, need no extra state.
func (c *captureWriter) scanEndpoint(p []byte) {
	c.scan = append(c.scan, p[:min(len(p), maxEndpointScan-len(c.scan))]...)
	text := strings.ReplaceAll(string(c.scan), "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	lines := strings.Split(text, "\n")
	lines = lines[:len(lines)-1] // the last one is not terminated yet
	event, inEvent := "", false
	for _, line := range lines {
		name, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch {
		case line == "":
			if inEvent {
				c.stopScan() // the first event ended without an endpoint
				return
			}
		case name == "": // a comment
		case name == "event":
			event, inEvent = value, true
		case name == "data" && event == "endpoint":
			if u, err := url.Parse(value); err == nil {
				if ids := u.Query()["sessionId"]; len(ids) > 0 && ids[0] != "" {
					c.onEndpoint(ids[0])
				}
			}
			c.stopScan()
			return
		default:
			inEvent = true
		}
	}
	if len(c.scan) >= maxEndpointScan {
		c.stopScan()
	}
}

func (c *captureWriter) stopScan() {
	c.onEndpoint = nil
	c.scan = nil
}
