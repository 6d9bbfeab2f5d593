package childproc

import "sync"

// Buffer is a byte buffer safe for concurrent writers and readers, for a
// child's stdout or stderr. It keeps at most Max bytes (the oldest are
// dropped; 0 keeps everything), so a chatty child cannot exhaust memory.
type Buffer struct {
	Max int

	mu  sync.Mutex
	buf []byte
}

// Write appends p, dropping the oldest bytes past Max.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if b.Max > 0 && len(b.buf) > b.Max {
		b.buf = append(b.buf[:0:0], b.buf[len(b.buf)-b.Max:]...)
	}
	return len(p), nil
}

// String returns what the buffer holds ("" for a nil Buffer).
func (b *Buffer) String() string {
	if b == nil {
		return ""
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
