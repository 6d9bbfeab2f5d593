package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The server does not let slow or idle clients hold connections: a body
// that never arrives and an idle keep-alive connection are both closed by
// the server (here with short limits, so the test ends fast; the defaults
// are 30 s and 60 s), and a header block over the limit is refused.
func TestSlowAndIdleClientsAreCut(t *testing.T) {
	iss := startIssuer(t)
	a := startWhoami(t, options{issuer: iss.URL(), readTimeout: 300 * time.Millisecond, idleTimeout: 300 * time.Millisecond, maxHeaderBytes: 4 << 10})
	host := strings.TrimPrefix(a.origin, "http://")

	// closedByServer waits, within a generous bound, for the server to
	// close conn (a read returns EOF or a reset), reading whatever it sent.
	closedByServer := func(t *testing.T, conn net.Conn) {
		t.Helper()
		_ = conn.SetReadDeadline(time.Now().Add(15 * time.Second))
		_, err := io.Copy(io.Discard, conn)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatal("the server kept the connection open")
		}
	}

	t.Run("slow body", func(t *testing.T) {
		conn, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		// Announces a body, sends a few bytes of it, then nothing.
		io.WriteString(conn, "POST /mcp HTTP/1.1\r\nHost: "+host+"\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"jsonrpc\"")
		closedByServer(t, conn)
	})
	t.Run("idle keep-alive", func(t *testing.T) {
		conn, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		io.WriteString(conn, "GET /.well-known/oauth-protected-resource/mcp HTTP/1.1\r\nHost: "+host+"\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("metadata: %v %v", resp, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		closedByServer(t, conn) // no second request: the connection idles
	})
	t.Run("oversized headers", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, a.origin+"/.well-known/oauth-protected-resource/mcp", nil)
		req.Header.Set("X-Padding", strings.Repeat("a", 8<<10))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Fatalf("status %d, want 431", resp.StatusCode)
		}
	})
}

// Event streams of authenticated clients outlive the write timeout: the
// deadlines are lifted for them, and only for them.
func TestStreamsOutliveTheWriteTimeout(t *testing.T) {
	iss := startIssuer(t)
	a := startWhoami(t, options{issuer: iss.URL(), writeTimeout: 200 * time.Millisecond, readTimeout: 200 * time.Millisecond})
	s, err := connect(t, a, "sse", getToken(t, iss, alice, a.sseResource))
	if err != nil {
		t.Fatal(err)
	}
	// Well past both timeouts, the SSE session still answers.
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		if _, err := s.call("whoami"); err != nil {
			t.Fatalf("the stream broke after the write timeout: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
