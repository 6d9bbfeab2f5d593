package hydra

import (
	"io"
	"net/http"
	"sync"
)

// drain reads and closes a response body so its connection can be reused.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	_ = resp.Body.Close()
}

// syncBuffer is a byte buffer safe for concurrent writers and readers; it
// keeps at most max bytes (the oldest are dropped) so a chatty child
// process cannot exhaust memory.
type syncBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if b.max > 0 && len(b.buf) > b.max {
		b.buf = append(b.buf[:0:0], b.buf[len(b.buf)-b.max:]...)
	}
	return len(p), nil
}

func (b *syncBuffer) String() string {
	if b == nil {
		return ""
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
