package mcphttp

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCaptureWriterEndpoint(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		writes      []string
		want        string // the session id captured; "" for none
	}{
		{name: "mcp-go's endpoint event", writes: []string{"event: endpoint\ndata: /message?sessionId=abc\r\n\r\n"}, want: "abc"},
		{name: "split across writes", writes: []string{"event: endp", "oint\r", "\ndata: /message?sess", "ionId=abc", "\r\n\r\n"}, want: "abc"},
		{name: "full URL, several ids", writes: []string{"event: endpoint\ndata: https://h.example/m?x=1&sessionId=s1&sessionId=s2\n\n"}, want: "s1"},
		{name: "no space after the colon", writes: []string{"event:endpoint\ndata:/m?sessionId=n\n"}, want: "n"},
		{name: "CR line ends", writes: []string{"event: endpoint\rdata: /m?sessionId=cr\r"}, want: "cr"},
		{name: "comment before the event", writes: []string{": hello\n\nevent: endpoint\ndata: /m?sessionId=c\n\n"}, want: "c"},
		{name: "first event is another", writes: []string{"event: message\ndata: {}\n\nevent: endpoint\ndata: /m?sessionId=late\n\n"}},
		{name: "endpoint without sessionId", writes: []string{"event: endpoint\ndata: /m?id=1\n\n", "event: endpoint\ndata: /m?sessionId=2\n\n"}},
		{name: "data line not yet ended", writes: []string{"event: endpoint\ndata: /m?sessionId=abc"}},
		{name: "not an event stream", contentType: "application/json", writes: []string{"event: endpoint\ndata: /m?sessionId=j\n\n"}},
		{name: "gives up after the scan limit", writes: []string{strings.Repeat("x", maxEndpointScan), "\nevent: endpoint\ndata: /m?sessionId=far\n\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			ct := tt.contentType
			if ct == "" {
				ct = "text/event-stream"
			}
			rec.Header().Set("Content-Type", ct)
			got := ""
			sentAtCapture := ""
			cw := &captureWriter{w: rec}
			cw.onEndpoint = func(id string) {
				if got != "" {
					t.Errorf("onEndpoint called twice")
				}
				got = id
				sentAtCapture = rec.Body.String()
			}
			sent := ""
			for _, w := range tt.writes {
				if _, err := cw.Write([]byte(w)); err != nil {
					t.Fatal(err)
				}
				if got != "" && sentAtCapture == sent+w {
					t.Errorf("the session id was captured after the bytes completing it were sent")
				}
				sent += w
			}
			if got != tt.want {
				t.Errorf("captured %q, want %q", got, tt.want)
			}
			if rec.Body.String() != strings.Join(tt.writes, "") {
				t.Errorf("body changed: %q", rec.Body.String())
			}
		})
	}
}

func TestCaptureWriterStatus(t *testing.T) {
	tests := []struct {
		name       string
		act        func(w http.ResponseWriter)
		wantStatus int
		wantCalls  int
		wantFlush  bool
	}{
		{"nothing written", func(http.ResponseWriter) {}, http.StatusOK, 0, false},
		{"write", func(w http.ResponseWriter) { _, _ = w.Write([]byte("x")) }, http.StatusOK, 1, false},
		{"flush first", func(w http.ResponseWriter) { w.(http.Flusher).Flush() }, http.StatusOK, 1, true},
		{"flush by controller", func(w http.ResponseWriter) { _ = http.NewResponseController(w).Flush() }, http.StatusOK, 1, true},
		{"1xx then final", func(w http.ResponseWriter) { w.WriteHeader(http.StatusEarlyHints); w.WriteHeader(http.StatusCreated) }, http.StatusCreated, 1, false},
		{"header twice", func(w http.ResponseWriter) { w.WriteHeader(http.StatusNotFound); w.WriteHeader(http.StatusOK) }, http.StatusNotFound, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			calls := 0
			cw := &captureWriter{w: rec, onHeader: func(status int, _ http.Header) { calls++ }}
			tt.act(cw)
			if cw.statusCode() != tt.wantStatus || calls != tt.wantCalls || rec.Flushed != tt.wantFlush {
				t.Errorf("status %d, onHeader calls %d, flushed %v; want %d, %d, %v",
					cw.statusCode(), calls, rec.Flushed, tt.wantStatus, tt.wantCalls, tt.wantFlush)
			}
		})
	}
	rec := httptest.NewRecorder()
	if (&captureWriter{w: rec}).Unwrap() != rec {
		t.Error("Unwrap does not return the underlying writer")
	}
}
